import type { CloudFormationClient, Parameter, Stack } from '@aws-sdk/client-cloudformation';

import { UserError } from '../../errors.js';
import { wrap } from '../change-set.js';
import { parseClusterOutputs, type ClusterOutputs } from '../outputs.js';
import { templateDefaults } from '../template.js';
import { REPLACEABLE } from './context.js';

/** The CloudFormation reads and writes the steps of `cluster up` share, each failure explained. */

export async function withDefaults(
  cloudformation: CloudFormationClient,
  templateBody: string,
  stackName: string,
): Promise<Record<string, string>> {
  try {
    return await templateDefaults(cloudformation, templateBody);
  } catch (error) {
    throw wrap(error, `read the template of ${stackName}`, 'cloudformation:GetTemplateSummary');
  }
}

export function outputsOf(stack: Stack | undefined, env: string): { outputs?: ClusterOutputs } {
  return stack === undefined ? {} : { outputs: parseClusterOutputs(stack, env) };
}

export async function createStack(
  cloudformation: CloudFormationClient,
  request: {
    stackName: string;
    templateBody: string;
    parameters: Parameter[];
    tags: { Key: string; Value: string }[];
  },
): Promise<string> {
  const { CreateStackCommand } = await import('@aws-sdk/client-cloudformation');
  try {
    const answer = await cloudformation.send(
      new CreateStackCommand({
        StackName: request.stackName,
        TemplateBody: request.templateBody,
        Parameters: request.parameters,
        // The roles get generated names, so CAPABILITY_NAMED_IAM is not needed.
        Capabilities: ['CAPABILITY_IAM'],
        Tags: request.tags,
        OnFailure: 'ROLLBACK',
      }),
    );
    return answer.StackId ?? request.stackName;
  } catch (error) {
    throw wrap(
      error,
      `create the stack ${request.stackName}`,
      'cloudformation:CreateStack (and the permissions to create its resources)',
    );
  }
}

export async function currentTemplate(
  cloudformation: CloudFormationClient,
  stackName: string,
): Promise<string | undefined> {
  const { GetTemplateCommand } = await import('@aws-sdk/client-cloudformation');
  try {
    const answer = await cloudformation.send(
      new GetTemplateCommand({ StackName: stackName, TemplateStage: 'Original' }),
    );
    return answer.TemplateBody;
  } catch (error) {
    throw wrap(error, `read the template of the stack ${stackName}`, 'cloudformation:GetTemplate');
  }
}

export function parameterOf(stack: Stack, key: string): string | undefined {
  return stack.Parameters?.find((p) => p.ParameterKey === key)?.ParameterValue;
}

export function assertUpdatable(stack: Stack | undefined, stackName: string, env: string): void {
  const status = stack?.StackStatus;
  if (status === undefined || REPLACEABLE.has(status)) return;
  if (status.endsWith('_IN_PROGRESS')) {
    throw new UserError(`The stack ${stackName} is ${status}: another change is under way.`, {
      suggestions: [
        `Wait for it to finish (\`traefikctl cluster status --env ${env}\`), then run the command again.`,
      ],
      code: 'CLUSTER_BUSY',
    });
  }
  if (status.endsWith('_FAILED')) {
    throw new UserError(
      `The stack ${stackName} is ${status}${stack?.StackStatusReason ? ` (${stack.StackStatusReason})` : ''}.`,
      {
        suggestions: [
          'CloudFormation needs a hand here: look at the stack events in the AWS console,',
          `or remove the cluster with \`traefikctl cluster down --env ${env}\` and create it again.`,
        ],
        code: 'CLUSTER_UNUSABLE',
      },
    );
  }
}
