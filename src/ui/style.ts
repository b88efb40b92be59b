import { styleText } from 'node:util';

type Format = Parameters<typeof styleText>[0];

/** Text styling that is a no-op when colour is off (pipes, CI, NO_COLOR, TERM=dumb). */
export function stylist(color: boolean) {
  const paint =
    (format: Format) =>
    (text: string): string =>
      color ? styleText(format, text, { validateStream: false }) : text;
  return {
    bold: paint('bold'),
    dim: paint('dim'),
    red: paint('red'),
    green: paint('green'),
    yellow: paint('yellow'),
    cyan: paint('cyan'),
  };
}

export type Stylist = ReturnType<typeof stylist>;
