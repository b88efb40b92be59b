import { UserError } from '../errors.js';
import { dockerFailed, runDocker, stripAnsi } from './exec.js';
import { explainRegistryRefusal } from './registry-errors.js';

export type PushLine =
  | {
      kind: 'layer';
      /** Short layer id, 12 hex characters. */
      layer: string;
      /** `Preparing`, `Waiting`, `Pushing`, `Pushed`, `Layer already exists`, `Mounted from …`, `Retrying in 5 seconds`. */
      status: string;
      /** Bytes sent so far and the layer size, when docker shows them (only with a terminal). */
      current?: number;
      total?: number;
    }
  | { kind: 'digest'; tag: string; digest: string; size: number };

const LAYER = /^([0-9a-f]{12}): (.+)$/;
const DIGEST = /^(\S+): digest: (sha256:[0-9a-f]{64}) size: (\d+)$/;
/**
 * With a terminal docker draws `Pushing [=====>     ]  10.5MB/20.3MB` (or without the bar when the
 * terminal is narrow), and `Pushing     30MB` at the end of a layer. Without one it prints no bytes.
 */
const PROGRESS = /^(.+?)\s+(?:\[[=> ]*\]\s+)?([\d.]+\s*[kMGTP]?B)(?:\/([\d.]+\s*[kMGTP]?B))?$/;

const UNITS: Record<string, number> = { B: 1, kB: 1e3, MB: 1e6, GB: 1e9, TB: 1e12, PB: 1e15 };

/** Docker's sizes are go-units HumanSize: decimal (kB = 1000 bytes). */
export function parseHumanSize(text: string): number | undefined {
  const match = /^([\d.]+)\s*([kMGTP]?B)$/.exec(text.trim());
  if (!match) return undefined;
  const unit = UNITS[match[2] ?? ''];
  const value = Number(match[1]);
  return unit === undefined || Number.isNaN(value) ? undefined : Math.round(value * unit);
}

/**
 * One line of `docker push` output, as docker prints it without a terminal. For output drawn on a
 * terminal (updates separated by carriage returns), use `parsePushOutput`.
 */
export function parsePushLine(raw: string): PushLine | undefined {
  const line = stripAnsi(raw).trim();
  const digest = DIGEST.exec(line);
  if (digest) {
    return { kind: 'digest', tag: digest[1] ?? '', digest: digest[2] ?? '', size: Number(digest[3]) };
  }
  const layer = LAYER.exec(line);
  if (!layer) return undefined;
  const [, id = '', rest = ''] = layer;
  const progress = PROGRESS.exec(rest);
  if (progress?.[1]?.startsWith('Pushing')) {
    const current = parseHumanSize(progress[2] ?? '');
    const total = parseHumanSize(progress[3] ?? '');
    return {
      kind: 'layer',
      layer: id,
      status: (progress[1] ?? rest).trim(),
      ...(current === undefined ? {} : { current }),
      ...(total === undefined ? {} : { total }),
    };
  }
  return { kind: 'layer', layer: id, status: rest.trim() };
}

/** Every update in a chunk of push output: lines, and the `\r`-separated redraws of a terminal. */
export function parsePushOutput(text: string): PushLine[] {
  return text
    .split(/\r\n|\r|\n/)
    .map(parsePushLine)
    .filter((line): line is PushLine => line !== undefined);
}

export interface DockerPushOptions {
  /** From `withDockerLogin`: the DOCKER_CONFIG holding the login. */
  env?: Readonly<Record<string, string>>;
  onLayer?: (line: Extract<PushLine, { kind: 'layer' }>) => void;
  onLine?: (line: string) => void;
  /** Registry host, for messages. */
  registry: string;
  /** The credential helper docker gets its credentials from, when not our own login (for messages). */
  credentialHelper?: string | undefined;
}

/**
 * `docker push <reference>`: reports layer progress as it comes and resolves with the manifest digest
 * the registry accepted (`<tag>: digest: sha256:… size: N`).
 */
export async function dockerPush(reference: string, options: DockerPushOptions): Promise<{ digest: string }> {
  const args = ['push', reference];
  let digest: string | undefined;
  const result = await runDocker(args, {
    ...(options.env === undefined ? {} : { env: options.env }),
    onLine: (line) => {
      options.onLine?.(line);
      for (const parsed of parsePushOutput(line)) {
        if (parsed.kind === 'digest') digest = parsed.digest;
        else options.onLayer?.(parsed);
      }
    },
  });
  if (result.exitCode !== 0) {
    throw (
      explainRegistryRefusal(
        result.tail.join('\n'),
        options.registry,
        `push ${reference}`,
        options.credentialHelper,
      ) ?? dockerFailed(args, result)
    );
  }
  digest ??= await repoDigest(reference, options.env);
  if (!digest) {
    throw new UserError(`\`docker push ${reference}\` succeeded but reported no image digest.`, {
      suggestions: ['Check the image in the registry; report this as a bug with your docker version.'],
      code: 'DOCKER_NO_DIGEST',
    });
  }
  return { digest };
}

/** Fallback when push output carried no digest line: the RepoDigests docker recorded for this repository. */
async function repoDigest(
  reference: string,
  env: Readonly<Record<string, string>> | undefined,
): Promise<string | undefined> {
  const repository = reference.replace(/:[^:/]+$/, '');
  const result = await runDocker(['image', 'inspect', '--format', '{{json .RepoDigests}}', reference], {
    ...(env === undefined ? {} : { env }),
    captureStdout: true,
  });
  if (result.exitCode !== 0) return undefined;
  try {
    const digests = JSON.parse(result.stdout) as string[] | null;
    const match = (digests ?? []).find((entry) => entry.startsWith(`${repository}@`));
    return match?.slice(repository.length + 1);
  } catch {
    return undefined;
  }
}
