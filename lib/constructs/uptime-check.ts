import { Duration, Tags } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as route53 from 'aws-cdk-lib/aws-route53';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';

export interface UptimeCheckProps {
  /** Host name the checkers resolve and send as Host header (and TLS SNI). */
  readonly hostName: string;
  /** Path that must answer 2xx/3xx, e.g. `/health`. */
  readonly path: string;
  /** `https` normally; `http` only for a plain-HTTP dev environment. */
  readonly protocol: 'https' | 'http';
  /** The alarm's name, e.g. `berth-prod-uptime`. */
  readonly alarmName: string;
  /** Consecutive unhealthy minutes before ALARM. */
  readonly evaluationPeriods: number;
  /** Receives the alarm's ALARM and OK transitions; must be in this stack's region (us-east-1). */
  readonly topic: sns.ITopic;
}

/**
 * An uptime check from outside AWS's view of the VPC: a Route 53 health check requests
 * `<protocol>://<hostName><path>` every 30 s from Route 53's checker regions, and an alarm on
 * its `HealthCheckStatus` notifies `topic`. Route 53 publishes that metric in us-east-1 only, so
 * this construct belongs in a us-east-1 stack.
 */
export class UptimeCheck extends Construct {
  readonly healthCheck: route53.HealthCheck;
  readonly alarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: UptimeCheckProps) {
    super(scope, id);
    const https = props.protocol === 'https';
    this.healthCheck = new route53.HealthCheck(this, 'HealthCheck', {
      type: https ? route53.HealthCheckType.HTTPS : route53.HealthCheckType.HTTP,
      fqdn: props.hostName,
      port: https ? 443 : 80,
      resourcePath: props.path,
      enableSNI: https,
      requestInterval: Duration.seconds(30),
      // Unhealthy after three failed requests in a row from a checker (about 90 s).
      failureThreshold: 3,
    });
    // Route 53 lists health checks by their Name tag.
    Tags.of(this.healthCheck).add('Name', props.alarmName);

    this.alarm = new cloudwatch.Alarm(this, 'Alarm', {
      alarmName: props.alarmName,
      alarmDescription: `[critical] ${props.protocol}://${props.hostName}${props.path} is failing Route 53 health checks from the internet. Check first: the api-unhealthy-targets and api-running-tasks alarms, then DNS and the certificate of ${props.hostName}.`,
      metric: new cloudwatch.Metric({
        namespace: 'AWS/Route53',
        metricName: 'HealthCheckStatus',
        dimensionsMap: { HealthCheckId: this.healthCheck.healthCheckId },
        statistic: 'Minimum',
        period: Duration.minutes(1),
      }),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      evaluationPeriods: props.evaluationPeriods,
      datapointsToAlarm: props.evaluationPeriods,
      // Route 53 reports every minute; silence means the check itself is gone.
      treatMissingData: cloudwatch.TreatMissingData.BREACHING,
    });
    const action = new actions.SnsAction(props.topic);
    this.alarm.addAlarmAction(action);
    this.alarm.addOkAction(action);
  }
}
