import { Stack } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import { allowServiceToPublish } from './topic-publisher';

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
    const { account, partition, region } = Stack.of(this);
    allowServiceToPublish(this, this.topic, {
      service: 'cloudwatch.amazonaws.com',
      sourceArn: `arn:${partition}:cloudwatch:${region}:${account}:alarm:*`,
      topicSid: 'AllowCloudWatchAlarmsPublish',
      keySid: 'AllowCloudWatchAlarmsToPublishToEncryptedTopics',
    });
    for (const email of props.emails) {
      this.topic.addSubscription(new subscriptions.EmailSubscription(email));
    }
  }
}
