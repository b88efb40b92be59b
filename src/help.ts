import { Help, type Command } from '@oclif/core';

/**
 * oclif's help, with command descriptions reflowed to the terminal: descriptions are written as
 * paragraphs in the source, and oclif would otherwise wrap each source line on its own, leaving
 * ragged half-lines on an 80-column terminal. Indented blocks and lists (EXIT CODES, examples of
 * output) are kept as written.
 */
export default class TraefikctlHelp extends Help {
  protected override formatCommand(command: Command.Loadable): string {
    return super.formatCommand(
      command.description === undefined ? command : { ...command, description: reflow(command.description) },
    );
  }
}

const KEEP_LINES = /^(\s|[-*•] |\d+[.)] |\$ )/;

export function reflow(text: string): string {
  return text
    .split(/\n{2,}/)
    .map((block) => {
      const lines = block.split('\n');
      // A heading followed by indented lines, or a list: the line breaks carry meaning.
      if (
        lines.some((line, index) => index > 0 && KEEP_LINES.test(line)) ||
        KEEP_LINES.test(lines[0] ?? '')
      ) {
        return block;
      }
      return lines.map((line) => line.trim()).join(' ');
    })
    .join('\n\n');
}
