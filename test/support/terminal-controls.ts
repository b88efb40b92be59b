/**
 * What in a program's output would act on a terminal rather than print: every control character
 * but tab, line feed and carriage return, once colour (SGR, `ESC [ ... m`) is taken out. For tests
 * that outside text (issue 14: router names, log lines) reaches the terminal only as text.
 */
/* eslint-disable no-control-regex -- control characters are what these find */
const COLOUR = /\u001b\[[0-9;]*m/g;
const ACTING = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/g;
/* eslint-enable no-control-regex */

/** The control characters left in `text` that a terminal would obey; empty when there are none. */
export function controlsObeyed(text: string): string[] {
  return [...text.replaceAll(COLOUR, '').matchAll(ACTING)].map((match) => match[0]);
}
