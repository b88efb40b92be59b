import { Command, Errors, Flags, type Interfaces } from '@oclif/core';

import type { GlobalOptions } from './lib/env/open.js';
import { EXIT_CODE_MEANINGS, ExitCode, exitCodeOf } from './lib/errors.js';
import type { EventSink } from './lib/events.js';
import type { Refusal } from './ui/confirm.js';
import { processIO, type CommandIO } from './ui/io.js';
import { jsonChunks } from './ui/json-output.js';
import { currentPresentation, type Presentation } from './ui/mode.js';
import type { Renderer } from './ui/renderer-types.js';
import { visible } from './ui/visible.js';

export type BaseFlags<T extends typeof Command> = Interfaces.InferredFlags<
  (typeof BaseCommand)['baseFlags'] & T['flags']
>;
export type BaseArgs<T extends typeof Command> = Interfaces.InferredArgs<T['args']>;

const GLOBAL = 'GLOBAL';

export const EXIT_CODES_HELP = `EXIT CODES\n${EXIT_CODE_MEANINGS.map(
  ([code, meaning]) => `  ${String(code).padEnd(5)}${meaning}`,
).join('\n')}`;

/**
 * Global flags, presentation and error handling for every command. Nothing else lives here:
 * commands parse flags, call one library function and present its result.
 */
export abstract class BaseCommand<T extends typeof Command> extends Command {
  static override baseFlags = {
    env: Flags.string({
      summary: 'Environment to act on (default: `environment` in the config, else dev).',
      env: 'TRAEFIKCTL_ENV',
      helpGroup: GLOBAL,
    }),
    profile: Flags.string({ summary: 'AWS profile to use.', env: 'AWS_PROFILE', helpGroup: GLOBAL }),
    region: Flags.string({ summary: 'AWS region to use.', env: 'AWS_REGION', helpGroup: GLOBAL }),
    config: Flags.string({
      summary: 'Configuration file to use, instead of searching upward from the current directory.',
      helpValue: '<file>',
      env: 'TRAEFIKCTL_CONFIG',
      helpGroup: GLOBAL,
    }),
    verbose: Flags.boolean({ summary: 'Show more detail on stderr.', helpGroup: GLOBAL }),
  };

  /**
   * Where the command reads and writes: the process's streams, or buffers that a test puts here
   * before running the command in-process (test/support/io.ts).
   */
  io: CommandIO = processIO();
  protected flags!: BaseFlags<T>;
  protected args!: BaseArgs<T>;
  protected presentation!: Presentation;
  #renderer: Renderer | undefined;
  #finished = false;

  override async init(): Promise<void> {
    await super.init();
    this.presentation = currentPresentation(this.jsonEnabled(), this.io);
    const { args, flags } = await this.parse({
      flags: this.ctor.flags,
      baseFlags: (super.ctor as typeof BaseCommand).baseFlags,
      enableJsonFlag: this.ctor.enableJsonFlag,
      args: this.ctor.args,
      strict: this.ctor.strict,
    }).catch((error: unknown) => {
      // Whatever the parser refuses is bad input (exit 2). oclif leaves some of its own parse errors
      // (a flag without its value, a value outside a flag's options) at the default exit code, 1.
      if (error instanceof Errors.CLIError) error.oclif.exit = ExitCode.Usage;
      throw error;
    });
    this.flags = flags as BaseFlags<T>;
    this.args = args as BaseArgs<T>;
  }

  /** The global flags as library functions take them (oclif already filled them from env vars). */
  protected globalOptions(): GlobalOptions {
    return {
      env: this.flags.env,
      region: this.flags.region,
      profile: this.flags.profile,
      configPath: this.flags.config,
      fromEnvironment: {
        region: this.flags.region !== undefined && !this.typed('--region'),
        profile: this.flags.profile !== undefined && !this.typed('--profile'),
      },
    };
  }

  /** Whether a flag was typed on the command line (not filled from its environment variable). */
  private typed(flag: string): boolean {
    return this.argv.some((arg) => arg === flag || arg.startsWith(`${flag}=`));
  }

  /**
   * An event sink that renders progress as the presentation says: ink on a TTY, one plain line per
   * change on stderr otherwise, nothing under --json. Call `endProgress()` before printing results.
   */
  protected async progress(title?: string): Promise<EventSink> {
    const { createRenderer } = await import('./ui/renderer.js');
    this.#renderer = await createRenderer(this.presentation, {
      stream: this.io.stderr,
      verbose: this.flags.verbose,
      ...(title === undefined ? {} : { title }),
    });
    return this.#renderer.emit;
  }

  protected async endProgress(): Promise<void> {
    const renderer = this.#renderer;
    this.#renderer = undefined;
    await renderer?.close();
  }

  /**
   * Ctrl-C for a command that changes things: the first one aborts the returned signal, so that the
   * work in flight (an AWS call included) stops and the command says what may be left and how to go
   * on (exit 130); a second one exits at once.
   */
  protected interruptSignal(): AbortSignal {
    const controller = new AbortController();
    process.on('SIGINT', () => {
      // Once aborted, or once the command's work is over, there is nothing left to stop gracefully.
      if (controller.signal.aborted || this.#finished) process.exit(ExitCode.Interrupted);
      controller.abort(new Error('SIGINT'));
    });
    return controller.signal;
  }

  /** A hint or warning for humans: stderr, never under --json. Outside text in it is made visible. */
  protected note(message: string): void {
    if (this.presentation.mode !== 'json')
      this.io.stderr.write(`${visible(message, { layout: true, colour: true })}\n`);
  }

  /** Prints a result line on stdout (results only; progress goes to stderr). */
  protected result(text: string): void {
    this.io.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
  }

  /** A command that ends without an error but must not exit 0 (a failed check, Ctrl-C in a watch). */
  protected setExitCode(code: ExitCode): void {
    this.io.setExitCode(code);
  }

  /**
   * The one way to ask before a change: true with --yes, else a yes/no question on a terminal; where
   * there is no terminal, the refusal (exit 2) that names --yes. Call `endProgress()` first.
   */
  protected async confirm(question: string, options: { yes: boolean; refusal?: Refusal }): Promise<boolean> {
    const { confirm } = await import('./ui/confirm.js');
    return confirm({ presentation: this.presentation, io: this.io, question, ...options });
  }

  /**
   * The --json result as plain JSON: indented for a person at a terminal, one compact line for a pipe
   * (as gh does). oclif's default colours it token by token, which takes seconds on large results
   * (10,000 routes, 1,000 deployments) and adds escapes a pipe never wants. Large arrays are written
   * in pieces (src/ui/json-output.ts).
   */
  override logJson(json: unknown): void {
    const { stdout } = this.io;
    for (const piece of jsonChunks(json, stdout.isTTY ? 2 : undefined)) stdout.write(piece);
    stdout.write('\n');
  }

  override async catch(error: Error & { exitCode?: number }): Promise<never> {
    await this.endProgress().catch(() => undefined);
    if (error instanceof Errors.ExitError) throw error;
    const interrupted = error.message === 'SIGINT';
    const exitCode = interrupted ? ExitCode.Interrupted : exitCodeOf(error);
    const presentation = this.presentation ?? currentPresentation(false, this.io);
    const { errorJsonLine, formatError } = await import('./ui/errors.js');
    if (this.jsonEnabled()) this.io.stdout.write(errorJsonLine(error, exitCode));
    const command = this.id === undefined ? '' : `${this.id.replaceAll(':', this.config.topicSeparator)} `;
    this.io.stderr.write(
      formatError(error, {
        color: presentation.color,
        debug: Boolean(process.env.DEBUG),
        help: `${this.config.bin} ${command}--help`,
      }),
    );
    return this.exit(exitCode);
  }

  override async finally(error: Error | undefined): Promise<void> {
    this.#finished = true;
    await this.endProgress().catch(() => undefined);
    await super.finally(error);
  }
}
