/**
 * Lambda entry point of the connection strings (see core.ts): one function serves the custom
 * resource's `cr.Provider` (CloudFormation events) and the EventBridge rotation rule.
 */
import { ECSClient } from '@aws-sdk/client-ecs';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { type CustomResourceEvent, configFromEnv, onDeploy, onRotation, type RotationEvent } from './core';

const secrets = new SecretsManagerClient({});
const ecs = new ECSClient({});

export async function handler(event: CustomResourceEvent | RotationEvent): Promise<unknown> {
  if ('RequestType' in event) return onDeploy(event, secrets);
  const { sources, redeploy } = configFromEnv(process.env);
  const result = await onRotation(event, sources, redeploy, secrets, ecs);
  console.log(
    JSON.stringify({ trigger: event.detail?.additionalEventData?.SecretId ?? event['detail-type'], ...result }),
  );
  return result;
}
