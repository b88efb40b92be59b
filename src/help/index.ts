import type { Command, Interfaces } from '@oclif/core';
import { CommandHelp, Help } from '@oclif/core/help';

import { renderRootHelp, type RootHelpInput } from './root.js';
import { helpStylist } from './style.js';
import { reflow, renderTemplate } from './text.js';

/** A command's help page: oclif's, with help text rendered by {@link renderTemplate}. */
class TraefikctlCommandHelp extends CommandHelp {
  constructor(command: Command.Loadable, config: Interfaces.Config, opts: Interfaces.HelpOptions) {
    super(command, config, opts);
    const ejs = this.render;
    this.render = (input) => renderTemplate(input, this, ejs);
  }
}

/**
 * oclif's help, with command descriptions reflowed to the terminal: descriptions are written as
 * paragraphs in the source, and oclif would otherwise wrap each source line on its own, leaving
 * ragged half-lines on an 80-column terminal. Indented blocks and lists (EXIT CODES, examples of
 * output) are kept as written. Help text is rendered by {@link renderTemplate}, which leaves ejs out
 * of the common case.
 */
export default class TraefikctlHelp extends Help {
  protected override CommandHelpClass: typeof CommandHelp = TraefikctlCommandHelp;

  constructor(config: Interfaces.Config, opts?: Partial<Interfaces.HelpOptions>) {
    super(config, opts);
    const ejs = this.render;
    this.render = (input) => renderTemplate(input, this, ejs);
  }

  /**
   * The root page through ./root.ts, the renderer bin/run.js prints it with before oclif loads, so
   * that `traefikctl --help` and `traefikctl help` are one page. `--nested-commands` is oclif's.
   */
  override showRootHelp(): Promise<void> {
    if (this.opts.all) return super.showRootHelp();
    const input: RootHelpInput = {
      bin: this.config.bin,
      description: String(this.config.pjson.oclif.description || this.config.pjson.description || ''),
      userAgent: this.config.userAgent,
      topicSeparator: this.config.topicSeparator,
      commands: this.config.commands,
      topics: this.config.topics,
    };
    this.log(renderRootHelp(input, { width: this.opts.maxWidth, bold: helpStylist().bold }));
    return Promise.resolve();
  }

  protected override formatCommand(command: Command.Loadable): string {
    return super.formatCommand(
      command.description === undefined ? command : { ...command, description: reflow(command.description) },
    );
  }
}
