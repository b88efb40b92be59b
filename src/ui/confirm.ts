/**
 * Asks a yes/no question on the terminal (on stderr, so stdout stays the command's result), default
 * no. Ctrl-C at the prompt ends the command as interrupted (exit 130): readline alone would only
 * pause. Callers check for a terminal first; in a pipe or CI they ask for --yes instead.
 */
export async function confirmOnTerminal(question: string): Promise<boolean> {
  const { createInterface } = await import('node:readline/promises');
  const prompt = createInterface({ input: process.stdin, output: process.stderr });
  const interrupt = new AbortController();
  prompt.once('SIGINT', () => interrupt.abort());
  try {
    const answer = await prompt.question(`${question} [y/N] `, { signal: interrupt.signal });
    return /^y(es)?$/i.test(answer.trim());
  } catch (error) {
    if (interrupt.signal.aborted) throw new Error('SIGINT', { cause: error });
    throw error;
  } finally {
    prompt.close();
  }
}
