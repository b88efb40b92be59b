import { readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * The AWS SDK's last source of credentials is the EC2 instance metadata service (IMDS, 169.254.169.254).
 * Anywhere but EC2 that is a link-local address nobody answers: with no credentials in the environment,
 * the shared files, SSO or a container's endpoint, every command sent packets there and waited for them
 * to time out (1 s per attempt where the network drops them) before it could say "no AWS credentials".
 * That is the quick start's case: `app deploy --dry-run` on a machine with no AWS account set up.
 *
 * So traefikctl lets the SDK ask instance metadata only where it runs on EC2, which Linux tells without
 * the network (the DMI and hypervisor files AWS documents for "is this an EC2 instance"), and always
 * where the user set AWS_EC2_METADATA_DISABLED themselves (`false` asks it anywhere). Credentials from
 * a container (ECS, CodeBuild), web identity (EKS, GitHub OIDC), SSO, a profile or the environment
 * don't come from instance metadata and are unaffected.
 */
const INSTANCE_METADATA_VARIABLE = 'AWS_EC2_METADATA_DISABLED';

/** Files whose content says "EC2" on an EC2 instance (Nitro and Xen), read from `root` (`/`). */
const EC2_SIGNS: readonly (readonly [file: string, sign: RegExp])[] = [
  ['sys/devices/virtual/dmi/id/sys_vendor', /^Amazon EC2\b/],
  ['sys/devices/virtual/dmi/id/board_asset_tag', /^i-[0-9a-f]{8,}\b/],
  ['sys/hypervisor/uuid', /^ec2/i],
];

/** Whether this machine shows the signs of an EC2 instance (only Linux shows them in files). */
export function onEc2(root = '/'): boolean {
  return EC2_SIGNS.some(([file, sign]) => {
    try {
      return sign.test(readFileSync(path.join(root, file), 'utf8').trim());
    } catch {
      return false;
    }
  });
}

export type InstanceMetadataUse =
  /** AWS_EC2_METADATA_DISABLED was set by the user: the SDK does as it says. */
  | 'as-set'
  /** On EC2: the instance role is a source of credentials, as the SDK has it. */
  | 'ec2'
  /** Not on EC2: turned off for this process. */
  | 'off';

let decided: InstanceMetadataUse | undefined;

/**
 * Turns instance metadata off for this process's AWS SDK unless the user set AWS_EC2_METADATA_DISABLED
 * or this is an EC2 instance. Runs before the first AWS client is built; the answer is kept.
 */
export function limitInstanceMetadata(
  environment: NodeJS.ProcessEnv = process.env,
  root = '/',
): InstanceMetadataUse {
  if (environment === process.env && decided !== undefined) return decided;
  let use: InstanceMetadataUse;
  // Empty is unset, as for traefikctl's own variables (the SDK would read it as "not disabled").
  if ((environment[INSTANCE_METADATA_VARIABLE] ?? '') !== '') use = 'as-set';
  else if (onEc2(root)) use = 'ec2';
  else {
    environment[INSTANCE_METADATA_VARIABLE] = 'true';
    use = 'off';
  }
  if (environment === process.env) decided = use;
  return use;
}

/** Whether traefikctl turned instance metadata off in this process (for the "no credentials" hint). */
export function instanceMetadataTurnedOff(): boolean {
  return decided === 'off';
}
