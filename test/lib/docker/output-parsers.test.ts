import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { BuildOutputParser } from '../../../src/lib/docker/build.js';
import { stripAnsi } from '../../../src/lib/docker/exec.js';
import {
  parseHumanSize,
  parsePushLine,
  parsePushOutput,
  type PushLine,
} from '../../../src/lib/docker/push.js';

const fixture = (name: string): string => readFileSync(join(import.meta.dirname, 'fixtures', name), 'utf8');

/** Feeds output through the parser as runDocker does: one line at a time, colours stripped. */
function steps(output: string): { steps: string[]; parser: BuildOutputParser } {
  const parser = new BuildOutputParser();
  const found: string[] = [];
  for (const line of output.split('\n')) {
    const step = parser.push(stripAnsi(line));
    if (step !== undefined) found.push(step);
  }
  return { steps: found, parser };
}

describe('build output', () => {
  it('turns the classic builder’s "Step k/n" lines into steps', () => {
    // given the real output of a legacy `docker build`, when it is parsed
    const { steps: found } = steps(fixture('classic-build.txt'));
    // then every Dockerfile instruction is one step, in order
    expect(found).toEqual([
      '[1/5] FROM scratch',
      '[2/5] COPY busybox /bin/busybox',
      '[3/5] LABEL org.example.fixture=classic',
      '[4/5] EXPOSE 80',
      '[5/5] CMD ["/bin/busybox", "httpd", "-f", "-p", "80"]',
    ]);
  });

  it('reports the same steps for a cached classic build', () => {
    expect(steps(fixture('classic-build-cached.txt')).steps).toHaveLength(5);
  });

  it('keeps the failing classic step and the command’s own output, without docker’s banners', () => {
    // given a classic build whose RUN step exits 3 after printing to stdout and stderr
    const { parser } = steps(fixture('classic-build-failed.txt'));
    // then the step in progress is the RUN, and the tail shows what the command printed and the exit code
    expect(parser.currentStep).toBe(
      '[3/3] RUN ["/bin/busybox", "sh", "-c", "echo compiling; echo boom >&2; exit 3"]',
    );
    const tail = parser.tail.join('\n');
    expect(tail).toContain('compiling');
    expect(tail).toContain('boom');
    expect(tail).toContain('returned a non-zero code: 3');
    expect(tail).not.toContain('DEPRECATED');
    expect(tail).not.toContain('IPv4 forwarding');
    expect(tail).not.toContain(String.fromCharCode(27));
  });

  it('turns BuildKit plain progress into Dockerfile steps only, once each', () => {
    // given BuildKit output with internal vertices and a step that resumes after `#5 ...`
    const { steps: found } = steps(fixture('buildkit-build.txt'));
    // then internal work and exporting are not steps, and the resumed vertex is not repeated
    expect(found).toEqual(['[1/2] COPY busybox /bin/busybox', '[2/2] COPY index.html /www/index.html']);
  });

  it('keeps BuildKit stage names and the error of the failing step', () => {
    const { steps: found, parser } = steps(fixture('buildkit-build-failed.txt'));
    expect(found).toEqual([
      '[deps 1/3] FROM docker.io/library/node:22-alpine@sha256:e4bf2a82ad0a4037d28035ae71529873c069b13eb0455466ae0bc13363826e34',
      '[deps 2/3] WORKDIR /app',
      '[deps 3/3] COPY package.json package-lock.json ./',
      '[runner 1/2] RUN npm ci --omit=dev',
    ]);
    expect(parser.currentStep).toBe('[runner 1/2] RUN npm ci --omit=dev');
    expect(parser.error).toBe(
      'process "/bin/sh -c npm ci --omit=dev" did not complete successfully: exit code: 1',
    );
    expect(parser.tail.at(-1)).toMatch(/^ERROR: failed to solve: /);
    expect(parser.tail.length).toBeLessThanOrEqual(12);
  });
});

describe('push output', () => {
  const layers = (lines: PushLine[]) =>
    lines.filter((line) => line.kind === 'layer').map((line) => `${line.layer} ${line.status}`);

  it('reads per-layer status and the digest of a first push', () => {
    // given the real output of pushing a three-layer image for the first time
    const lines = parsePushOutput(fixture('push-first.txt'));
    // then each layer goes Preparing -> Pushed (or Mounted from another repository) and the digest is read
    expect(layers(lines)).toEqual([
      '66466acca2ea Preparing',
      'a2dda71650fa Preparing',
      'ff5650a5c5b0 Preparing',
      'ff5650a5c5b0 Mounted from fixture/whoami',
      '66466acca2ea Pushed',
      'a2dda71650fa Pushed',
    ]);
    expect(lines.at(-1)).toEqual({
      kind: 'digest',
      tag: 'v1',
      digest: 'sha256:a95bc870b63ffcba48d5916ac8969a9cea7b34d3017940fc276bb61280f14140',
      size: 949,
    });
  });

  it('reads "Layer already exists" when the same image is pushed again, with the same digest', () => {
    const first = parsePushOutput(fixture('push-first.txt')).at(-1);
    const again = parsePushOutput(fixture('push-again.txt'));
    expect(layers(again).filter((line) => line.endsWith('Layer already exists'))).toHaveLength(3);
    expect(again.at(-1)).toEqual(first);
  });

  it('reads bytes from a push drawn on a terminal', () => {
    // given the redraws docker makes on a pseudo-terminal (carriage returns, cursor moves, no newlines)
    const lines = parsePushOutput(stripAnsi(fixture('push-tty.txt')));
    const pushing = lines.filter(
      (line): line is Extract<PushLine, { kind: 'layer' }> =>
        line.kind === 'layer' && line.status === 'Pushing',
    );
    // then each redraw is a progress update with bytes sent and the layer size
    expect(pushing[0]).toEqual({
      kind: 'layer',
      layer: 'a7be612dcfe6',
      status: 'Pushing',
      current: 328_200,
      total: 30_000_000,
    });
    expect(pushing.at(-1)).toEqual({
      kind: 'layer',
      layer: 'a7be612dcfe6',
      status: 'Pushing',
      current: 30_000_000,
    });
    expect(lines.some((line) => line.kind === 'layer' && line.status === 'Pushed')).toBe(true);
    expect(lines.at(-1)).toMatchObject({ kind: 'digest', tag: 'v1', size: 529 });
  });

  it('reads the bar form of progress', () => {
    expect(
      parsePushLine('66466acca2ea: Pushing [=====>                                   ]  10.5MB/20.3MB'),
    ).toEqual({
      kind: 'layer',
      layer: '66466acca2ea',
      status: 'Pushing',
      current: 10_500_000,
      total: 20_300_000,
    });
  });

  it('ignores lines that are neither layers nor digests', () => {
    expect(parsePushLine('The push refers to repository [127.0.0.1:5000/whoami]')).toBeUndefined();
    expect(parsePushLine('no basic auth credentials')).toBeUndefined();
    expect(parsePushLine('')).toBeUndefined();
  });

  it('sizes are decimal, as docker prints them', () => {
    expect(parseHumanSize('528B')).toBe(528);
    expect(parseHumanSize('1.5kB')).toBe(1500);
    expect(parseHumanSize('30MB')).toBe(30_000_000);
    expect(parseHumanSize('2GB')).toBe(2e9);
    expect(parseHumanSize('lots')).toBeUndefined();
  });
});
