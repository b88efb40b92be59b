import { Flags } from '@oclif/core';

const CI = 'CI';

/**
 * The flags of the CI surfaces (src/lib/ci), on the commands that report to CI: in GitHub Actions the
 * token and the PR comment; in GitLab CI the dotenv report (deploy only).
 */
export const ciFlags = {
  'github-token-env': Flags.string({
    summary:
      'In GitHub Actions, read the token for deployments and the PR comment from this variable (default: GITHUB_TOKEN).',
    helpValue: '<name>',
    helpGroup: CI,
  }),
  'pr-comment': Flags.boolean({
    summary: "In GitHub Actions, keep the pull request's comment of live URLs up to date.",
    default: true,
    allowNo: true,
    helpGroup: CI,
  }),
};

export const dotenvFlag = {
  dotenv: Flags.string({
    summary:
      'In GitLab CI, write the dotenv report (TRAEFIKCTL_URL=…) to this file (default: traefikctl.env).',
    helpValue: '<file>',
    env: 'TRAEFIKCTL_DOTENV',
    helpGroup: CI,
  }),
};
