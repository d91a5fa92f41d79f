/** Lambda entry point of the secret preflight's `cr.Provider` (see core.ts). */
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { type PreflightEvent, preflight } from './core';

const client = new SecretsManagerClient({});

export async function handler(event: PreflightEvent): Promise<{ PhysicalResourceId: string }> {
  return preflight(event, client, process.env.AWS_REGION ?? 'us-east-1');
}
