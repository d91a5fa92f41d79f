import { CfnResource, type RemovalPolicy, Stack } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';

export interface EncryptedLogGroupProps {
  readonly encryptionKey: kms.IKey;
  readonly retentionDays: number;
  /** RETAIN in production: logs are audit evidence after a stack is gone. */
  readonly removalPolicy: RemovalPolicy;
  /**
   * Explicit name, for services that deliver to a fixed log group name.
   * @default - a CloudFormation-generated name
   */
  readonly logGroupName?: string;
}

/** A KMS-encrypted log group with explicit retention: the one way Berth creates log groups. */
export function encryptedLogGroup(scope: Construct, id: string, props: EncryptedLogGroupProps): logs.LogGroup {
  return new logs.LogGroup(scope, id, {
    encryptionKey: props.encryptionKey,
    retention: props.retentionDays as logs.RetentionDays,
    removalPolicy: props.removalPolicy,
    logGroupName: props.logGroupName,
  });
}

/**
 * Gives one of CDK's custom-resource provider singletons (`providerId`, in the stack of `scope`)
 * a log group of its own, when the stack has that provider. Left alone, Lambda creates
 * `/aws/lambda/<name>` on the first invocation: not encrypted with the environment key, kept
 * forever, and left behind by `cdk destroy`.
 */
export function logProviderSingleton(scope: Construct, providerId: string, props: EncryptedLogGroupProps): void {
  const stack = Stack.of(scope);
  const handler = stack.node.tryFindChild(providerId)?.node.tryFindChild('Handler');
  if (!(handler instanceof CfnResource)) return;
  const logGroup = encryptedLogGroup(stack, `${providerId.replace(/^Custom::/, '')}Logs`, props);
  handler.addPropertyOverride('LoggingConfig.LogGroup', logGroup.logGroupName);
}
