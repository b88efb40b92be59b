import { describe, expect, it } from 'vitest';

import { ExitCode, UserError } from '../../../src/lib/errors.js';
import { validateConfig, type ConfigSource } from '../../../src/lib/config/load.js';

const source: ConfigSource = { file: 'traefikctl.config.yaml', env: {} };

function problemsOf(raw: unknown, from: ConfigSource = source): UserError {
  try {
    validateConfig(raw, from);
  } catch (error) {
    if (error instanceof UserError) return error;
    throw error;
  }
  throw new Error('expected the configuration to be rejected');
}

describe('validateConfig: what each kind of mistake reads like', () => {
  it.each([
    [
      'a word where a port belongs',
      { apps: { whoami: { port: 'eighty' } } },
      'traefikctl.config.yaml: apps.whoami.port must be a number between 1 and 65535, found "eighty".',
    ],
    [
      'a fractional port',
      { apps: { whoami: { port: 80.5 } } },
      'traefikctl.config.yaml: apps.whoami.port must be a number between 1 and 65535, found 80.5.',
    ],
    [
      'a port out of range',
      { apps: { whoami: { port: 70000 } } },
      'traefikctl.config.yaml: apps.whoami.port must be a number between 1 and 65535, found 70000.',
    ],
    [
      'a misspelt key',
      { apps: { whoami: { prot: 8080 } } },
      'traefikctl.config.yaml: unknown key apps.whoami.prot (did you mean port?)',
    ],
    [
      'a misspelt top-level key',
      { enviroments: {} },
      'traefikctl.config.yaml: unknown key enviroments (did you mean environments?)',
    ],
    [
      'an unknown key with no close match',
      { traefik: { colour: 'blue' } },
      'traefikctl.config.yaml: unknown key traefik.colour (known keys: image, apiUrl, username, passwordParameter, entryPoints, refreshInterval)',
    ],
    [
      'a CPU value that Fargate does not offer',
      { apps: { whoami: { cpu: 300 } } },
      'traefikctl.config.yaml: apps.whoami.cpu must be one of 256, 512, 1024, 2048, 4096, found 300.',
    ],
    [
      'a region in the wrong form',
      { region: 'Ireland' },
      'traefikctl.config.yaml: region must be an AWS region such as eu-west-1, found "Ireland".',
    ],
    [
      'a number where a domain belongs',
      { domain: 42 },
      'traefikctl.config.yaml: domain must be a lowercase domain such as example.com, found 42.',
    ],
    [
      'an environment name with capitals',
      { environments: { Prod: {} } },
      'traefikctl.config.yaml: the name Prod in environments must be a short lowercase name such as dev or staging.',
    ],
    [
      'a secret that is neither an ARN nor a parameter name',
      { apps: { whoami: { secrets: { TOKEN: 'hunter2' } } } },
      'traefikctl.config.yaml: apps.whoami.secrets.TOKEN must be an SSM parameter or Secrets Manager ARN, or an SSM parameter name starting with /, found "hunter2".',
    ],
    [
      'an empty list of entry points',
      { traefik: { entryPoints: [] } },
      'traefikctl.config.yaml: traefik.entryPoints must be a non-empty list, found an empty list.',
    ],
    [
      'a list where the configuration belongs',
      ['domain', 'example.com'],
      'traefikctl.config.yaml: the configuration must be a mapping with keys such as region, profile, domain, environment, found a list.',
    ],
    [
      'a host template without the tag',
      { hostTemplate: '{app}.{domain}' },
      'traefikctl.config.yaml: hostTemplate must be a template containing {app} and {tag}, found "{app}.{domain}".',
    ],
    [
      'a host template that app deploy could not fill in',
      { hostTemplate: '{app}-{tag}.Dev.{domain}' },
      'traefikctl.config.yaml: hostTemplate must be a hostname pattern whose dot-separated parts are DNS labels, of lowercase letters, digits and inner dashes (not "Dev"), found "{app}-{tag}.Dev.{domain}".',
    ],
    [
      'an environment name that ends in a dash, which no hostname can hold',
      { environments: { 'dev-': {} } },
      'traefikctl.config.yaml: the name dev- in environments must be a short lowercase name such as dev or staging.',
    ],
  ])(
    'given %s, when validated, then the message names the file, the key and the fix',
    (_name, raw, message) => {
      const error = problemsOf(raw);

      expect(error.message).toBe(message);
      expect(error.exitCode).toBe(ExitCode.Usage);
      expect(error.code).toBe('CONFIG_INVALID');
    },
  );

  it('given several mistakes, when validated, then every one is listed on its own line', () => {
    const error = problemsOf({
      region: 'EU',
      apps: { whoami: { port: 'eighty', prot: 1, memory: 100 } },
    });

    expect(error.message.split('\n')).toEqual([
      'traefikctl.config.yaml: region must be an AWS region such as eu-west-1, found "EU".',
      'traefikctl.config.yaml: apps.whoami.port must be a number between 1 and 65535, found "eighty".',
      'traefikctl.config.yaml: apps.whoami.memory must be a number between 512 and 30720, found 100.',
      'traefikctl.config.yaml: unknown key apps.whoami.prot (did you mean port?)',
    ]);
    expect(error.suggestions).toEqual([
      'Fix them in traefikctl.config.yaml; `traefikctl config show` checks the result.',
    ]);
  });

  it('given a configuration inside package.json, when validated, then key paths start at the traefikctl key', () => {
    const error = problemsOf(
      { apps: { whoami: { port: 'eighty' } } },
      { file: 'package.json', prefix: ['traefikctl'], env: {} },
    );

    expect(error.message).toBe(
      'package.json: traefikctl.apps.whoami.port must be a number between 1 and 65535, found "eighty".',
    );
  });
});

describe('validateConfig: ${VAR} interpolation', () => {
  it('given a variable that is not set, when validated, then the file, key path and variable are named', () => {
    const error = problemsOf({ apps: { whoami: { environment: { TOKEN: '${API_TOKEN}' } } } });

    expect(error.message).toBe(
      'traefikctl.config.yaml: apps.whoami.environment.TOKEN uses ${API_TOKEN}, which is not set.',
    );
    expect(error.suggestions).toEqual([
      'Set API_TOKEN in the environment, or give a default: ${API_TOKEN:-value}.',
    ]);
    expect(error.exitCode).toBe(ExitCode.Usage);
  });

  it('given several unset variables and a malformed reference, when validated, then all are listed', () => {
    const error = problemsOf({ domain: '${DOMAIN}', region: '${REGION}', profile: '${PROFILE-dev}' });

    expect(error.message.split('\n')).toEqual([
      'traefikctl.config.yaml: domain uses ${DOMAIN}, which is not set.',
      'traefikctl.config.yaml: region uses ${REGION}, which is not set.',
      'traefikctl.config.yaml: profile has ${PROFILE-dev}, which is not a variable reference.',
    ]);
    expect(error.suggestions).toEqual([
      'Set DOMAIN, REGION in the environment, or give a default: ${DOMAIN:-value}.',
      'Write ${NAME} or ${NAME:-default}; write $${ for a literal ${.',
    ]);
  });

  it('given variables for a port, a CPU size and a domain, when validated, then numbers are read as numbers', () => {
    const { config } = validateConfig(
      { domain: '${DOMAIN}', apps: { whoami: { port: '${PORT:-8080}', cpu: '${CPU}' } } },
      { ...source, env: { DOMAIN: 'example.com', CPU: '512' } },
    );

    expect(config.domain).toBe('example.com');
    expect(config.apps.whoami?.port).toBe(8080);
    expect(config.apps.whoami?.cpu).toBe(512);
  });

  it('given a variable in a string setting that looks like a number, when validated, then it stays a string', () => {
    const { config } = validateConfig(
      { apps: { whoami: { environment: { BUILD: '${BUILD_NUMBER}' } } } },
      { ...source, env: { BUILD_NUMBER: '42' } },
    );

    expect(config.apps.whoami?.environment).toEqual({ BUILD: '42' });
  });

  it('given a variable whose value is invalid, when validated, then the message names the variable but not its value', () => {
    const error = problemsOf(
      { traefik: { apiUrl: '${TRAEFIK_URL}' } },
      { ...source, env: { TRAEFIK_URL: 's3cr3t-not-a-url' } },
    );

    expect(error.message).toBe(
      'traefikctl.config.yaml: traefik.apiUrl must be an http or https URL, found the value of ${TRAEFIK_URL}.',
    );
    expect(error.message).not.toContain('s3cr3t');
  });

  it('given an escaped reference, when validated, then the literal text is kept', () => {
    const { config } = validateConfig(
      { apps: { whoami: { environment: { TEMPLATE: '$${HOME}' } } } },
      source,
    );

    expect(config.apps.whoami?.environment).toEqual({ TEMPLATE: '${HOME}' });
  });
});

describe('validateConfig: defaults', () => {
  it('given an empty configuration, when validated, then every default is filled in', () => {
    const { config } = validateConfig({}, source);

    expect(config).toEqual({
      environment: 'dev',
      environments: {},
      hostTemplate: '{app}-{tag}.{env}.{domain}',
      apps: {},
      traefik: { image: 'traefik:v3.7', username: 'admin', entryPoints: ['web'] },
    });
  });

  it('given apps and environments declared with nothing under them (YAML nulls), when validated, then they take defaults', () => {
    const { config } = validateConfig({ apps: { whoami: null }, environments: { dev: null } }, source);

    expect(config.apps.whoami?.port).toBe(80);
    expect(config.environments.dev).toEqual({});
  });
});
