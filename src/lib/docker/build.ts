import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { UserError } from '../errors.js';
import { hasBuildx } from './docker.js';
import { describeDockerCommand, runDocker } from './exec.js';

export type Builder = 'buildx' | 'classic';

export interface BuildOptions {
  /** Build context directory (absolute). */
  context: string;
  /** Dockerfile path (absolute). */
  dockerfile: string;
  /** e.g. `linux/amd64`. */
  platform: string;
  /**
   * Build arguments. Only their names reach docker's argv (`--build-arg NAME`); the values travel in
   * docker's environment, where `--build-arg NAME` reads them, so a token passed as a build arg never
   * shows in `ps`.
   */
  buildArgs?: Readonly<Record<string, string>>;
  /** Local references to tag the result with, e.g. `whoami:v2`. */
  tags?: readonly string[];
  /** Which builder; by default buildx when it is installed, else the classic builder. */
  builder?: Builder;
  /** A build step started: `[2/5] COPY . /app`. */
  onStep?: (message: string) => void;
  /** Every output line, for verbose output. */
  onLine?: (line: string) => void;
}

export interface BuildResult {
  /** `sha256:…`, the local image id. */
  imageId: string;
  builder: Builder;
}

/** Lines docker prints about itself rather than about the build. */
const NOISE = [
  /^DEPRECATED: The legacy builder is deprecated/,
  /^\s*BuildKit is currently disabled/,
  /^\s*environment-variable\.$/,
  /^\s*Install the buildx component/,
  /^\s*https:\/\/docs\.docker\.com\/go\/buildx\/?$/,
  /^\s*---> \[Warning\] IPv4 forwarding is disabled/,
];

const CLASSIC_STEP = /^Step (\d+)\/(\d+) : (.*)$/;
/** BuildKit `--progress=plain`: `#7 [builder 3/8] RUN npm ci`; other vertices are `[internal]`, `[auth]` or unbracketed. */
const BUILDKIT_VERTEX = /^#(\d+) \[([^\]]+)\] (.*)$/;
const BUILDKIT_STEP_COUNTER = /^(?:(.*\S)\s+)?(\d+)\/(\d+)$/;
const BUILDKIT_ERROR = /^#\d+ ERROR: (.*)$/;

/**
 * Turns build output (classic `docker build` or BuildKit's plain progress) into step messages of one
 * shape, `[k/n] INSTRUCTION`, and remembers the step in progress and the last lines for failures.
 */
export class BuildOutputParser {
  readonly #seen = new Set<string>();
  readonly #tail: string[] = [];
  readonly #tailSize: number;
  #current: string | undefined;
  #error: string | undefined;

  constructor(tailSize = 12) {
    this.#tailSize = tailSize;
  }

  /** Feeds one output line; returns a step message when the line starts a new step. */
  push(raw: string): string | undefined {
    const line = raw.replace(/\s+$/, '');
    if (line.trim() === '' || NOISE.some((pattern) => pattern.test(line))) return undefined;
    this.#tail.push(line);
    if (this.#tail.length > this.#tailSize) this.#tail.shift();

    const classic = CLASSIC_STEP.exec(line);
    if (classic) return this.#start(`[${classic[1]}/${classic[2]}] ${classic[3]}`);

    const error = BUILDKIT_ERROR.exec(line);
    if (error) this.#error = error[1];

    const vertex = BUILDKIT_VERTEX.exec(line);
    if (vertex) {
      const [, id = '', label = '', rest = ''] = vertex;
      const counter = BUILDKIT_STEP_COUNTER.exec(label.trim());
      // A vertex is announced once and may be announced again when its output resumes: report once.
      if (!counter || this.#seen.has(id)) return undefined;
      this.#seen.add(id);
      const stage = counter[1] ? `${counter[1].replace(/\s+/g, ' ')} ` : '';
      return this.#start(`[${stage}${counter[2]}/${counter[3]}] ${rest}`);
    }
    return undefined;
  }

  #start(step: string): string {
    this.#current = step;
    return step;
  }

  /** The last step that started: where a failed build stopped. */
  get currentStep(): string | undefined {
    return this.#current;
  }

  /** BuildKit's own error line for the failing step, when it printed one. */
  get error(): string | undefined {
    return this.#error;
  }

  get tail(): readonly string[] {
    return this.#tail;
  }
}

/**
 * Builds an image with buildx when it is installed (BuildKit: better caching and progress), else with
 * the classic builder (`DOCKER_BUILDKIT=0`, which is what a daemon without buildx offers). Either way
 * the result is loaded into the local image store and identified by its image id.
 */
export async function buildImage(options: BuildOptions): Promise<BuildResult> {
  const builder = options.builder ?? ((await hasBuildx()) ? 'buildx' : 'classic');
  const work = await mkdtemp(join(tmpdir(), 'traefikctl-build-'));
  try {
    const iidfile = join(work, 'iid');
    const buildArgs = Object.keys(options.buildArgs ?? {});
    const common = [
      '--platform',
      options.platform,
      '--file',
      options.dockerfile,
      '--iidfile',
      iidfile,
      ...(options.tags ?? []).flatMap((tag) => ['--tag', tag]),
      ...buildArgs.flatMap((name) => ['--build-arg', name]),
    ];
    const args =
      builder === 'buildx'
        ? ['buildx', 'build', '--progress=plain', '--load', ...common, options.context]
        : ['build', ...common, options.context];

    const parser = new BuildOutputParser();
    const result = await runDocker(args, {
      env: { ...options.buildArgs, ...(builder === 'classic' ? { DOCKER_BUILDKIT: '0' } : {}) },
      secrets: Object.values(options.buildArgs ?? {}),
      onLine: (line) => {
        options.onLine?.(line);
        const step = parser.push(line);
        if (step !== undefined) options.onStep?.(step);
      },
    });
    if (result.exitCode !== 0) throw buildFailed(args, parser, result.exitCode);

    const imageId = (await readFile(iidfile, 'utf8').catch(() => '')).trim();
    if (!imageId) {
      throw new UserError(`\`${describeDockerCommand(args)}\` finished but reported no image id.`, {
        suggestions: ['Run the same build by hand to see what it produced, and report this as a bug.'],
        code: 'DOCKER_BUILD_FAILED',
      });
    }
    return { imageId, builder };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

function buildFailed(args: readonly string[], parser: BuildOutputParser, exitCode: number): UserError {
  const where = parser.currentStep ? ` at ${parser.currentStep}` : '';
  const lines = parser.tail.map((line) => `  ${line}`).join('\n');
  return new UserError(
    `The image build failed${where} (\`${describeDockerCommand(args)}\`, exit ${exitCode}).${lines ? `\nLast lines of build output:\n${lines}` : ''}`,
    {
      suggestions: [
        'Fix the Dockerfile or the files it uses, then run the command again.',
        'Add --verbose to see the whole build output.',
      ],
      code: 'DOCKER_BUILD_FAILED',
    },
  );
}
