import { usageError } from '../errors.js';

/**
 * The region names AWS uses, one pattern per partition, as the SDK's endpoint rules have them
 * (partitions.json: aws, aws-cn, aws-us-gov, aws-iso*, aws-eusc). A name none of them matches has no
 * endpoint: the SDK would still build `<service>.<region>.amazonaws.com` and fail on DNS, or an
 * emulator would answer with an error page. New regions of an existing partition match already.
 */
const REGION_PATTERNS = [
  /^(us|eu|ap|sa|ca|me|af|il|mx)-\w+-\d+$/,
  /^cn-\w+-\d+$/,
  /^us-gov-\w+-\d+$/,
  /^us-iso-\w+-\d+$/,
  /^us-isob-\w+-\d+$/,
  /^us-isof-\w+-\d+$/,
  /^eu-isoe-\w+-\d+$/,
  /^eusc-de-\w+-\d+$/,
];

export function isAwsRegion(region: string): boolean {
  return REGION_PATTERNS.some((pattern) => pattern.test(region));
}

/** A usage error (exit 2) for a region that doesn't exist, before anything is sent there. */
export function checkRegion(region: string): void {
  if (isAwsRegion(region)) return;
  throw usageError(
    `The AWS region ${JSON.stringify(region)} doesn't exist.`,
    [
      'Pass a region such as --region us-east-1 or --region eu-west-1 (or set AWS_REGION, or `region` in the configuration).',
      'See the regions your account has: `aws ec2 describe-regions --all-regions`.',
    ],
    'AWS_REGION_UNKNOWN',
  );
}
