/**
 * GitHub Actions through its official toolkit (@actions/core): step outputs and the job summary go to
 * the files the runner names (GITHUB_OUTPUT, GITHUB_STEP_SUMMARY); annotations and groups are workflow
 * commands. The toolkit writes commands to stdout, but stdout carries only results here
 * (`URL=$(traefikctl app deploy …)`), so they are sent to the stream given (stderr): the runner reads
 * workflow commands from both.
 */
import type * as CoreModule from '@actions/core';

import type { SummaryBlock, SummaryCell } from './summary.js';
import { escapeText } from './summary.js';

export interface CommandStream {
  write(text: string): unknown;
}

export interface ActionsToolkit {
  setOutputs(outputs: Readonly<Record<string, string | undefined>>): void;
  warning(message: string, title?: string): void;
  error(message: string, title?: string): void;
  startGroup(title: string): void;
  endGroup(): void;
  /** Appends to the job summary; false when the runner gave no GITHUB_STEP_SUMMARY. */
  writeSummary(blocks: readonly SummaryBlock[]): Promise<boolean>;
}

type Core = typeof CoreModule;

function cellHtml(cell: SummaryCell): string {
  if (typeof cell === 'string') return escapeText(cell);
  return `<a href="${escapeText(cell.link)}">${escapeText(cell.text)}</a>`;
}

/** Adds the blocks to the toolkit's summary buffer (tests render the same blocks). */
export function addBlocks(summary: Core['summary'], blocks: readonly SummaryBlock[]): void {
  for (const block of blocks) {
    switch (block.kind) {
      case 'heading':
        summary.addHeading(escapeText(block.text), block.level);
        break;
      case 'text':
        summary.addRaw(`<p>${escapeText(block.text)}</p>`, true);
        break;
      case 'code':
        summary.addCodeBlock(escapeText(block.text));
        break;
      case 'list':
        summary.addList(block.items.map(escapeText));
        break;
      case 'table': {
        const [header = [], ...rows] = block.rows;
        summary.addTable([
          header.map((cell) => ({ data: cellHtml(cell), header: true })),
          ...rows.map((row) => row.map(cellHtml)),
        ]);
        break;
      }
    }
  }
}

export async function actionsToolkit(stream: CommandStream): Promise<ActionsToolkit> {
  const core = await import('@actions/core');
  // The toolkit's commands are synchronous writes to process.stdout: for the length of one call,
  // stdout's write goes to the command stream instead.
  const onStream = (issue: () => void): void => {
    const stdout = process.stdout;
    const original = Object.getOwnPropertyDescriptor(stdout, 'write');
    Object.defineProperty(stdout, 'write', {
      configurable: true,
      writable: true,
      value: (chunk: string | Uint8Array) => {
        stream.write(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
        return true;
      },
    });
    try {
      issue();
    } finally {
      if (original === undefined) Reflect.deleteProperty(stdout, 'write');
      else Object.defineProperty(stdout, 'write', original);
    }
  };
  return {
    setOutputs(outputs) {
      for (const [name, value] of Object.entries(outputs))
        if (value !== undefined) onStream(() => core.setOutput(name, value));
    },
    warning: (message, title) => onStream(() => core.warning(message, title === undefined ? {} : { title })),
    error: (message, title) => onStream(() => core.error(message, title === undefined ? {} : { title })),
    startGroup: (title) => onStream(() => core.startGroup(title)),
    endGroup: () => onStream(() => core.endGroup()),
    async writeSummary(blocks) {
      if (!process.env.GITHUB_STEP_SUMMARY) return false;
      core.summary.emptyBuffer();
      addBlocks(core.summary, blocks);
      await core.summary.write();
      return true;
    },
  };
}
