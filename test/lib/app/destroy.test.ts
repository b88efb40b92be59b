import { describe, expect, it } from 'vitest';

import { familyOf } from '../../../src/lib/app/destroy.js';

describe('familyOf', () => {
  it('reads the family from a task definition ARN, and from family:revision', () => {
    expect(familyOf('arn:aws:ecs:us-east-1:123456789012:task-definition/whoami-v1:3')).toBe('whoami-v1');
    expect(familyOf('whoami-v10:12')).toBe('whoami-v10');
    expect(familyOf('whoami-v1')).toBe('whoami-v1');
    expect(familyOf(undefined)).toBeUndefined();
  });

  it('tells whoami-v1 from whoami-v10, which ECS familyPrefix would not', () => {
    const arns = [
      'arn:aws:ecs:us-east-1:1:task-definition/whoami-v1:1',
      'arn:aws:ecs:us-east-1:1:task-definition/whoami-v10:1',
      'arn:aws:ecs:us-east-1:1:task-definition/whoami-v1-hotfix:2',
    ];
    expect(arns.filter((arn) => familyOf(arn) === 'whoami-v1')).toEqual([arns[0]]);
  });
});
