import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { describe, expect, it } from 'vitest';

import { limitInstanceMetadata, onEc2 } from '../../../src/lib/aws/instance-metadata.js';

/** A machine root with these files (path relative to `/` -> content). */
async function machine(files: Record<string, string>): Promise<string> {
  const root = await mkdtemp(path.join(tmpdir(), 'traefikctl-sysfs-'));
  for (const [file, content] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(root, file)), { recursive: true });
    await writeFile(path.join(root, file), content);
  }
  return root;
}

describe('onEc2', () => {
  it('sees the signs AWS documents for Nitro and Xen instances', async () => {
    expect(onEc2(await machine({ 'sys/devices/virtual/dmi/id/sys_vendor': 'Amazon EC2\n' }))).toBe(true);
    expect(
      onEc2(await machine({ 'sys/devices/virtual/dmi/id/board_asset_tag': 'i-0123456789abcdef0\n' })),
    ).toBe(true);
    expect(onEc2(await machine({ 'sys/hypervisor/uuid': 'ec2e1916-9099-7caf-fd21-012345abcdef\n' }))).toBe(
      true,
    );
  });

  it('is false on other machines, and where the files are missing', async () => {
    expect(onEc2(await machine({}))).toBe(false);
    expect(
      onEc2(
        await machine({
          'sys/devices/virtual/dmi/id/sys_vendor': 'QEMU\n',
          'sys/devices/virtual/dmi/id/board_asset_tag': '\n',
          'sys/hypervisor/uuid': '4b2f5c1e-0000-0000-0000-000000000000\n',
        }),
      ),
    ).toBe(false);
  });
});

describe('limitInstanceMetadata', () => {
  it('turns instance metadata off off EC2, for an unset or empty variable', async () => {
    const root = await machine({});
    for (const environment of [{}, { AWS_EC2_METADATA_DISABLED: '' }] as NodeJS.ProcessEnv[]) {
      expect(limitInstanceMetadata(environment, root)).toBe('off');
      expect(environment.AWS_EC2_METADATA_DISABLED).toBe('true');
    }
  });

  it('leaves it to the SDK on EC2, and to the user where they set it', async () => {
    const ec2: NodeJS.ProcessEnv = {};
    expect(
      limitInstanceMetadata(ec2, await machine({ 'sys/devices/virtual/dmi/id/sys_vendor': 'Amazon EC2' })),
    ).toBe('ec2');
    expect(ec2).toEqual({});

    for (const value of ['false', 'true']) {
      const environment: NodeJS.ProcessEnv = { AWS_EC2_METADATA_DISABLED: value };
      expect(limitInstanceMetadata(environment, await machine({}))).toBe('as-set');
      expect(environment.AWS_EC2_METADATA_DISABLED).toBe(value);
    }
  });
});
