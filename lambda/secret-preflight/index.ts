/** Lambda entry point of the secret preflight's `cr.Provider` (see core.ts). */
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { type PreflightEvent, preflight } from './core';

const secrets = new SecretsManagerClient({});
const cloudFormation = new CloudFormationClient({});

export async function handler(event: PreflightEvent): Promise<{ PhysicalResourceId: string }> {
  return preflight(event, secrets, cloudFormation, process.env.AWS_REGION ?? 'us-east-1');
}
