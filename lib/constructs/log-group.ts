import type { RemovalPolicy } from 'aws-cdk-lib';
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
