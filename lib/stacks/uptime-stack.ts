import { Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import type { Construct } from 'constructs';
import type { EnvironmentConfig } from '../config/types';
import { AlarmTopic } from '../constructs/alarm-topic';
import { UptimeCheck } from '../constructs/uptime-check';

/** Route 53 publishes health-check metrics only here, so uptime alarms must live here too. */
export const UPTIME_REGION = 'us-east-1';

/** The uptime alarm's name for an environment: predictable, so the dashboard can show it by ARN. */
export function uptimeAlarmName(environmentName: string): string {
  return `berth-${environmentName}-uptime`;
}

export interface UptimeStackProps extends StackProps {
  readonly config: EnvironmentConfig;
}

/**
 * The environment's outside-in uptime check, in us-east-1 of the environment's account: a Route 53
 * health check of the public health path, its alarm, and an encrypted topic of its own with the
 * same email subscribers (an alarm can only notify a topic in its own region). Holds no data and
 * references nothing in the other stacks.
 */
export class UptimeStack extends Stack {
  readonly uptime: UptimeCheck;
  readonly alarmTopic: AlarmTopic;

  constructor(scope: Construct, id: string, props: UptimeStackProps) {
    const { config } = props;
    super(scope, id, { ...props, env: { account: config.account, region: UPTIME_REGION } });
    // KMS keys are regional: the environment's key cannot encrypt a us-east-1 topic. This key only
    // protects notifications in transit through SNS, so nothing is lost when it goes.
    const key = new kms.Key(this, 'Key', {
      description: `Berth ${config.name}: uptime alarm notifications`,
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.DESTROY,
      pendingWindow: Duration.days(7),
    });
    this.alarmTopic = new AlarmTopic(this, 'Notifications', {
      encryptionKey: key,
      emails: config.alarms.notificationEmails,
      displayName: `Berth ${config.name} uptime`,
    });
    this.uptime = new UptimeCheck(this, 'Uptime', {
      hostName: config.edge.hostNames[0],
      path: config.service.healthCheckPath,
      protocol: config.edge.tls.mode === 'plain-http-dev-only' ? 'http' : 'https',
      alarmName: uptimeAlarmName(config.name),
      evaluationPeriods: config.alarms.uptime.evaluationPeriods,
      topic: this.alarmTopic.topic,
    });
  }
}
