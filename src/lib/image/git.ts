/**
 * The short SHA of HEAD when `dir` is inside a git work tree, else undefined (no git, not a repository,
 * no commit yet). Never fails: the SHA tag is a convenience, not a requirement.
 */
export async function gitShortSha(dir: string): Promise<string | undefined> {
  const { execa } = await import('execa');
  const result = await execa('git', ['rev-parse', '--short', 'HEAD'], {
    cwd: dir,
    reject: false,
    stdin: 'ignore',
    // The user's git config may page or prompt; neither is wanted here.
    env: { GIT_TERMINAL_PROMPT: '0', GIT_PAGER: 'cat' },
  });
  if (result.exitCode !== 0 || typeof result.stdout !== 'string') return undefined;
  const sha = result.stdout.trim();
  return /^[0-9a-f]{4,40}$/.test(sha) ? sha : undefined;
}
