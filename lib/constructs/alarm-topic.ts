import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';

export interface AlarmTopicProps {
  /**
   * Encrypts the topic. Its key policy gains a statement letting CloudWatch alarms use it: an
   * alarm publishing to a topic encrypted with a customer-managed key needs `kms:Decrypt` and
   * `kms:GenerateDataKey*`, and the AWS-managed SNS key cannot grant them.
   */
  readonly encryptionKey: kms.IKey;
  /** Email addresses subscribed to every notification; each must confirm once. */
  readonly emails: readonly string[];
  /** Shown as the sender of the notification emails, e.g. `Berth prod alarms`. */
  readonly displayName: string;
}

/**
 * Where an environment's alarms go: a KMS-encrypted SNS topic that accepts only TLS publishers and
 * this account's CloudWatch alarms of its region, with the configured email subscribers. Other
 * subscribers (a pager, chat) can be added to `topic`.
 */
export class AlarmTopic extends Construct {
  readonly topic: sns.Topic;

  constructor(scope: Construct, id: string, props: AlarmTopicProps) {
    super(scope, id);
    this.topic = new sns.Topic(this, 'Topic', {
      displayName: props.displayName,
      masterKey: props.encryptionKey,
      enforceSSL: true,
    });
    // The TLS-only statement gives the topic a policy of its own, which replaces SNS's default one
    // (publishing open to the owner account): without this statement, alarms could not publish.
    const stack = Stack.of(this);
    this.topic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowCloudWatchAlarmsPublish',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        conditions: {
          StringEquals: { 'aws:SourceAccount': stack.account },
          ArnLike: { 'aws:SourceArn': `arn:${stack.partition}:cloudwatch:${stack.region}:${stack.account}:alarm:*` },
        },
      }),
    );
    for (const email of props.emails) {
      this.topic.addSubscription(new subscriptions.EmailSubscription(email));
    }
    // Only a service principal, no resource of this stack: when the key lives in another stack
    // (the Data stack), this adds to that stack's key policy without a reference back here.
    props.encryptionKey.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowCloudWatchAlarmsToPublishToEncryptedTopics',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        // Alarms of this account only: the key also encrypts the database, secrets and logs.
        conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
      }),
    );
  }
}
