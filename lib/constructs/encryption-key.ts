import { Duration, type RemovalPolicy } from 'aws-cdk-lib';
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
 * are encrypted with it. Rotated yearly. (Each encrypted log group adds the CloudWatch Logs
 * statement to its policy.)
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
  }
}
