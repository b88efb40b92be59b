/** The CI observer in GitLab CI: collapsible sections per phase and the dotenv report of a deploy. */
import { describeError } from '../errors.js';
import type { CommandStream } from './github.js';
import { DEFAULT_DOTENV, gitLabSections, writeDotenv } from './gitlab.js';
import { noCiObserver, type CiContext, type CiObserver } from './observer.js';

export interface GitLabObserverOptions extends CiContext {
  stream: CommandStream;
  dotenv: string | undefined;
}

export function gitLabObserver(options: GitLabObserverOptions): CiObserver {
  const write = (text: string) => options.stream.write(text);
  return {
    ...noCiObserver,
    sink: (inner) => gitLabSections(inner, write),
    async deployFinished(result) {
      const file = options.dotenv ?? DEFAULT_DOTENV;
      try {
        await writeDotenv(file, result);
      } catch (error) {
        write(`Warning: can't write the dotenv report ${file}: ${describeError(error)}\n`);
      }
    },
  };
}
