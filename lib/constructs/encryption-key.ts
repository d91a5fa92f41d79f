import { Duration, type RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';

export interface EncryptionKeyProps {
  /** Environment name, shown in the key's description. */
  readonly environmentName: string;
  /** RETAIN in production so encrypted snapshots and backups stay readable after a stack delete. */
  readonly removalPolicy: RemovalPolicy;
}

/**
 * The environment's customer-managed KMS key: database storage, cache, secrets and log groups
 * are encrypted with it. Rotated yearly. Its policy lets CloudWatch Logs of this region use it for
 * this account's log groups: an encrypted log group is neither created nor written without that,
 * and CDK adds the statement only along with ECS Exec, which can be turned off.
 */
export class EncryptionKey extends Construct {
  readonly key: kms.Key;

  constructor(scope: Construct, id: string, props: EncryptionKeyProps) {
    super(scope, id);
    this.key = new kms.Key(this, 'Key', {
      description: `Berth ${props.environmentName}: data, secrets and logs`,
      enableKeyRotation: true,
      removalPolicy: props.removalPolicy,
      pendingWindow: Duration.days(30),
    });
    const { account, partition, region } = Stack.of(this);
    // As CloudWatch Logs documents it ("Encrypt log data in CloudWatch Logs using AWS KMS"); the
    // same statement as CDK's for ECS Exec, which CDK then merges with this one.
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
        resources: ['*'],
        principals: [new iam.ServicePrincipal(`logs.${region}.amazonaws.com`)],
        conditions: {
          ArnLike: { 'kms:EncryptionContext:aws:logs:arn': `arn:${partition}:logs:${region}:${account}:*` },
        },
      }),
    );
  }
}
