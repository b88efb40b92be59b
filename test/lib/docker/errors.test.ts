import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { daemonError, describeDockerCommand, redact, stripAnsi } from '../../../src/lib/docker/exec.js';
import { explainRegistryRefusal } from '../../../src/lib/docker/registry-errors.js';
import { ExitCode } from '../../../src/lib/errors.js';

const fixture = (name: string): string => readFileSync(join(import.meta.dirname, 'fixtures', name), 'utf8');

describe('a Docker daemon that is not there', () => {
  it('is explained with one line of cause and one line of fix', () => {
    // given what docker 28 prints when nothing listens on DOCKER_HOST
    const error = daemonError(
      'Cannot connect to the Docker daemon at unix:///tmp/nonexist.sock. Is the docker daemon running?',
      {},
    );
    // then the user reads where docker looked and how to start it, and the exit code is 1
    expect(error?.message).toBe("Can't reach the Docker daemon at unix:///tmp/nonexist.sock.");
    expect(error?.suggestions).toEqual([
      'Start Docker Desktop or `sudo systemctl start docker`, then retry.',
    ]);
    expect(error?.exitCode).toBe(ExitCode.Failure);
  });

  it('points at DOCKER_HOST or DOCKER_CONTEXT first where one chose the daemon (an empty one did not)', () => {
    const output =
      'Cannot connect to the Docker daemon at tcp://10.9.9.9:2375. Is the docker daemon running?';
    expect(
      daemonError(output, { DOCKER_HOST: 'tcp://10.9.9.9:2375', DOCKER_CONTEXT: '' })?.suggestions,
    ).toEqual([
      'DOCKER_HOST is set (DOCKER_HOST=tcp://10.9.9.9:2375): check that it points at a running daemon, or unset it for the default one.',
      'Start Docker Desktop or `sudo systemctl start docker`, then retry.',
    ]);
    expect(daemonError(output, { DOCKER_CONTEXT: 'laptop' })?.suggestions[0]).toBe(
      'DOCKER_CONTEXT is set (DOCKER_CONTEXT=laptop): check that it points at a running daemon, or unset it for the default one.',
    );
  });

  it('tells a socket the user may not use from one that is down', () => {
    const error = daemonError(
      'permission denied while trying to connect to the Docker daemon socket at unix:///tmp/pushdev/docker.sock: Get "http://%2Ftmp%2Fpushdev%2Fdocker.sock/v1.50/version": dial unix /tmp/pushdev/docker.sock: connect: permission denied',
    );
    expect(error?.message).toBe(
      "Can't use the Docker daemon at unix:///tmp/pushdev/docker.sock: permission denied.",
    );
    expect(error?.suggestions[0]).toContain('docker group');
  });

  it('leaves other failures to the caller', () => {
    expect(daemonError('no basic auth credentials')).toBeUndefined();
  });
});

describe('registry refusals', () => {
  const explain = (output: string) => explainRegistryRefusal(output, '127.0.0.1:5000', 'push whoami:v2');

  it('explains a push without a login', () => {
    const error = explain(fixture('push-unauthenticated.txt'));
    expect(error?.code).toBe('REGISTRY_UNAUTHORIZED');
    expect(error?.message).toBe("Can't push whoami:v2: the registry 127.0.0.1:5000 refused the credentials.");
    expect(error?.suggestions.at(-1)).toBe('Docker said: no basic auth credentials');
  });

  it('explains a login with a wrong password', () => {
    const error = explainRegistryRefusal(
      fixture('login-refused.txt'),
      '127.0.0.1:5601',
      'log in to 127.0.0.1:5601',
    );
    expect(error?.code).toBe('REGISTRY_UNAUTHORIZED');
  });

  it('explains a registry nobody listens on', () => {
    const error = explain(fixture('push-refused.txt'));
    expect(error?.code).toBe('REGISTRY_UNREACHABLE');
    expect(error?.message).toBe("Can't reach the registry 127.0.0.1:5000.");
    expect(error?.suggestions.join('\n')).toContain('connection refused');
  });

  // ECR's own wordings (from AWS's documentation and user reports); the local registry can't produce them.
  it('names the ECR permission an AccessDenied push lacks', () => {
    const error = explain(
      'denied: User: arn:aws:sts::123456789012:assumed-role/ci/run-42 is not authorized to perform: ecr:InitiateLayerUpload on resource: arn:aws:ecr:eu-west-1:123456789012:repository/whoami because no identity-based policy allows the ecr:InitiateLayerUpload action',
    );
    expect(error?.code).toBe('AWS_ACCESS_DENIED');
    expect(error?.message).toBe("Can't push whoami:v2: AWS denied ecr:InitiateLayerUpload.");
    expect(error?.suggestions[0]).toContain('Grant your role the ecr:InitiateLayerUpload permission');
  });

  it('explains an expired registry login', () => {
    const error = explain('denied: Your authorization token has expired. Reauthenticate and try again.');
    expect(error?.code).toBe('REGISTRY_LOGIN_EXPIRED');
  });

  it('explains an immutable tag', () => {
    const error = explain(
      "tag invalid: The image tag 'v2' already exists in the 'whoami' repository and cannot be overwritten because the repository is immutable.",
    );
    expect(error?.code).toBe('REGISTRY_TAG_IMMUTABLE');
  });

  it('returns nothing for output it does not understand', () => {
    expect(explain('An image does not exist locally with the tag: 127.0.0.1:5000/whoami')).toBeUndefined();
  });
});

describe('what is kept from docker', () => {
  it('never shows build-arg values in a command line', () => {
    expect(
      describeDockerCommand(['build', '--build-arg', 'NPM_TOKEN=s3cret', '--build-arg', 'NODE_ENV', '.']),
    ).toBe('docker build --build-arg NPM_TOKEN=*** --build-arg NODE_ENV .');
  });

  it('scrubs known secrets and colours from output', () => {
    expect(redact('login with 123456789012-auth-token failed', ['123456789012-auth-token'])).toBe(
      'login with *** failed',
    );
    expect(stripAnsi('\u001b[91mboom\u001b[0m')).toBe('boom');
  });
});
