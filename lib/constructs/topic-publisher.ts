import { Annotations, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';

/** An AWS service that publishes to a topic for resources of the topic's account. */
export interface ServicePublisher {
  /** The service principal, e.g. `cloudwatch.amazonaws.com`. */
  readonly service: string;
  /** The resources it publishes for, e.g. `arn:aws:cloudwatch:eu-west-1:111111111111:alarm:*`. */
  readonly sourceArn: string;
  /** Sid of the topic policy statement. */
  readonly topicSid: string;
  /** Sid of the key policy statement. */
  readonly keySid: string;
}

/**
 * Lets `publisher` publish to `topic`: a topic policy statement (a topic with a policy of its own,
 * as every TLS-only topic has, admits no service otherwise: that policy replaces SNS's default)
 * and, when the topic is encrypted with a customer managed key, a key policy statement (the
 * service needs `kms:GenerateDataKey*` and `kms:Decrypt` on it). Both are limited to this account.
 * An imported topic or key cannot be changed here: `scope` then warns at synth, naming what the
 * operator must add by hand.
 */
export function allowServiceToPublish(scope: Construct, topic: sns.ITopic, publisher: ServicePublisher): void {
  const { account } = Stack.of(topic);
  const principal = new iam.ServicePrincipal(publisher.service);
  const topicAdded = topic.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: publisher.topicSid,
      principals: [principal],
      actions: ['sns:Publish'],
      resources: [topic.topicArn],
      conditions: {
        StringEquals: { 'aws:SourceAccount': account },
        ArnLike: { 'aws:SourceArn': publisher.sourceArn },
      },
    }),
  ).statementAdded;
  // A service principal and this account only: when the key lives in another stack (the Data
  // stack), this adds to that stack's key policy without a reference back; the key also encrypts
  // the database, secrets and logs.
  const keyAdded =
    topic.masterKey?.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: publisher.keySid,
        principals: [principal],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': account } },
      }),
      false,
    ).statementAdded ?? true;
  if (!topicAdded || !keyAdded) {
    Annotations.of(scope).addWarningV2(
      'berth:topic-policy',
      `The topic ${topic.topicArn} (or its KMS key) is imported: allow ${publisher.service} sns:Publish ` +
        `(and kms:GenerateDataKey*/kms:Decrypt on its key) yourself, or its notifications will not arrive.`,
    );
  }
}
