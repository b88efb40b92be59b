/**
 * Text from outside traefikctl (Traefik's router names and errors, AWS messages, an app's log
 * lines) made safe to print: its control characters are shown instead of obeyed, as gh and kubectl
 * do. Without this, a router named `evil\e]0;PWNED\a\e[2J@ecs` sets the terminal's title and
 * clears the screen, on a terminal and in a pipe later shown by `cat` or `less -R`.
 *
 * Every renderer of outside text goes through here: the tables (src/ui/table.ts), route details,
 * the watch views, status, app logs, progress events and error messages. `--json` carries the text
 * as data, unchanged. Our own styling (src/ui/style.ts) is added after, never passed through.
 */

/* eslint-disable no-control-regex -- control characters are what these find */
// C0 controls (ESC, BEL, CR, backspace...), DEL and the C1 controls (U+009B is a one-character CSI).
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
const EVERY_CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;
// The same but tab and line feed, for text that is shown as lines (log messages, error messages).
const CONTROL_BUT_LAYOUT = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;
// Select Graphic Rendition: colour and weight, nothing that moves the cursor or changes the terminal.
const SGR = /\u001b\[[0-9;]*m/g;
/* eslint-enable no-control-regex */

export interface VisibleOptions {
  /**
   * Keep tabs and line breaks (`\r\n` becomes `\n`): for multi-line text such as a log message or
   * an error. Off for one-line fields (a table cell, a name), where they too are shown.
   */
  layout?: boolean;
  /**
   * Keep colour codes (SGR, `ESC [ ... m`): for text that mixes our own styling with outside text
   * (a hint or warning on stderr). Colour can't move the cursor or change the terminal.
   */
  colour?: boolean;
}

/** `\x1b` as `^[`, `\x07` as `^G`, DEL as `^?`, a C1 control as `\x9b`; any other text unchanged. */
export function visible(text: string, options: VisibleOptions = {}): string {
  if (!CONTROL.test(text)) return text;
  if (options.colour) {
    const plain = { layout: options.layout ?? false };
    let shownText = '';
    let last = 0;
    for (const match of text.matchAll(SGR)) {
      shownText += visible(text.slice(last, match.index), plain) + match[0];
      last = match.index + match[0].length;
    }
    return shownText + visible(text.slice(last), plain);
  }
  if (options.layout) return text.replaceAll('\r\n', '\n').replace(CONTROL_BUT_LAYOUT, shown);
  return text.replace(EVERY_CONTROL, shown);
}

function shown(control: string): string {
  const code = control.charCodeAt(0);
  if (code < 0x20) return `^${String.fromCharCode(code + 0x40)}`;
  if (code === 0x7f) return '^?';
  return `\\x${code.toString(16)}`;
}

/**
 * A copy of plain data (objects, arrays, strings) with `visible` applied to every string, for a
 * renderer that reads many fields of an outside object (a route, a status). Returns the value
 * itself when nothing needed a change, so that the usual case allocates nothing.
 */
export function visibleData<T>(value: T, options: VisibleOptions = {}): T {
  return visibleValue(value, options) as T;
}

function visibleValue(value: unknown, options: VisibleOptions): unknown {
  if (typeof value === 'string') return visible(value, options);
  if (Array.isArray(value)) {
    const items = value as unknown[];
    let copy: unknown[] | undefined;
    items.forEach((item, index) => {
      const next = visibleValue(item, options);
      if (next !== item) (copy ??= [...items])[index] = next;
    });
    return copy ?? items;
  }
  if (typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype) {
    let copy: Record<string, unknown> | undefined;
    for (const [key, item] of Object.entries(value)) {
      const next = visibleValue(item, options);
      if (next !== item) (copy ??= { ...value })[key] = next;
    }
    return copy ?? value;
  }
  return value;
}
