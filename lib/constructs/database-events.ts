import { Stack } from 'aws-cdk-lib';
import * as rds from 'aws-cdk-lib/aws-rds';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { allowServiceToPublish } from './topic-publisher';

/**
 * The RDS event categories someone should read about (RDS's "Amazon RDS event categories and event
 * messages"): the instance down, failed over or failed; storage running low; maintenance,
 * notifications and recovery. Left out: backups, configuration changes, creation and deletion,
 * which deploys and the backup window cause every day.
 */
export const DATABASE_EVENT_CATEGORIES: readonly string[] = [
  'availability',
  'failover',
  'failure',
  'low storage',
  'maintenance',
  'notification',
  'recovery',
];

export interface DatabaseEventsProps {
  readonly database: rds.IDatabaseInstance;
  /** Where the events go: the environment's alarm topic. */
  readonly topic: sns.ITopic;
}

/**
 * RDS's own events about the database instance, sent to `topic`: what no CloudWatch metric shows,
 * such as a Multi-AZ failover, an instance that RDS restarted, or maintenance applied to it. Free.
 */
export class DatabaseEvents extends Construct {
  readonly subscription: rds.CfnEventSubscription;

  constructor(scope: Construct, id: string, props: DatabaseEventsProps) {
    super(scope, id);
    const { account, partition, region } = Stack.of(this);
    allowServiceToPublish(this, props.topic, {
      service: 'events.rds.amazonaws.com',
      sourceArn: `arn:${partition}:rds:${region}:${account}:db:*`,
      topicSid: 'AllowRdsEventsPublish',
      keySid: 'AllowRdsEventsToPublishToEncryptedTopics',
    });
    this.subscription = new rds.CfnEventSubscription(this, 'Subscription', {
      snsTopicArn: props.topic.topicArn,
      sourceType: 'db-instance',
      sourceIds: [props.database.instanceIdentifier],
      eventCategories: [...DATABASE_EVENT_CATEGORIES],
      enabled: true,
    });
    // RDS checks that it may publish when the subscription is created: after the topic policy
    // (the Ref orders it after the topic itself).
    const topicPolicy = props.topic.node.tryFindChild('Policy');
    if (topicPolicy) this.subscription.node.addDependency(topicPolicy);
  }
}
