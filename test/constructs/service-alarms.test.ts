import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as sns from 'aws-cdk-lib/aws-sns';
import { dev } from '../../lib/config/environments';
import { ServiceAlarms, type ServiceAlarmsProps } from '../../lib/constructs/service-alarms';
import type { ServiceMetrics } from '../../lib/constructs/service-metrics';
import { UptimeStack } from '../../lib/stacks/uptime-stack';
import { testApp } from '../support/test-app';

const KEYS: (keyof ServiceMetrics)[] = [
  'latencyP50',
  'latencyP95',
  'latencyP99',
  'requests',
  'target5xx',
  'elb5xx',
  'target4xx',
  'errorRatePercent',
  'healthyTargets',
  'unhealthyTargets',
  'serviceCpu',
  'serviceMemory',
  'databaseConnections',
  'databaseFreeStorageBytes',
  'databaseCpu',
  'databaseFreeableMemoryBytes',
  'cacheEvictions',
  'cacheMemoryPercent',
  'cacheEngineCpuPercent',
  'wafBlockedRequests',
  'wafAllowedRequests',
];

/** Stand-in metrics (`Test/<key>`): the alarms' wiring, without the resources behind them. */
const standIn = Object.fromEntries(
  KEYS.map((key) => [key, new cloudwatch.Metric({ namespace: 'Test', metricName: key })]),
) as unknown as ServiceMetrics;

function alarmsTemplate(extra: Partial<ServiceAlarmsProps>): Template {
  const stack = new Stack(testApp(), 'Test');
  new ServiceAlarms(stack, 'Alarms', {
    environmentName: 'test',
    metrics: standIn,
    thresholds: dev.alarms,
    topic: new sns.Topic(stack, 'Topic'),
    minTasks: 2,
    maxConnections: 450,
    allocatedStorageGiB: 100,
    databaseMemoryGiB: 4,
    ...extra,
  });
  return Template.fromStack(stack);
}

describe('ServiceAlarms', () => {
  test('alarms on the failed-migration metric it is given: any failure, notifying on ALARM and OK', () => {
    const failed = new cloudwatch.Metric({
      namespace: 'AWS/Lambda',
      metricName: 'Errors',
      dimensionsMap: { FunctionName: 'migration-gate' },
      statistic: 'Sum',
    });
    const template = alarmsTemplate({ failedMigrations: failed });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'berth-test-migration-failed',
      Namespace: 'AWS/Lambda',
      MetricName: 'Errors',
      Dimensions: [{ Name: 'FunctionName', Value: 'migration-gate' }],
      Statistic: 'Sum',
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
      EvaluationPeriods: 1,
      TreatMissingData: 'notBreaching',
      AlarmActions: [{ Ref: 'TopicBFC7AF6E' }],
      OKActions: [{ Ref: 'TopicBFC7AF6E' }],
    });
    template.resourceCountIs('AWS::CloudWatch::Alarm', 15);
  });

  test('creates no failed-migration alarm without the metric', () => {
    const template = alarmsTemplate({});
    template.resourceCountIs('AWS::CloudWatch::Alarm', 14);
    expect(
      template.findResources('AWS::CloudWatch::Alarm', { Properties: { AlarmName: 'berth-test-migration-failed' } }),
    ).toEqual({});
  });

  test('computes size-relative thresholds from the sizes it is given, not from constants', () => {
    const template = alarmsTemplate({ maxConnections: 1000, allocatedStorageGiB: 50, databaseMemoryGiB: 16 });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'berth-test-db-connections',
      Threshold: 800,
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'berth-test-db-free-storage',
      Threshold: 10 * 1024 ** 3,
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'berth-test-db-freeable-memory',
      Threshold: Math.floor(1.6 * 1024 ** 3),
    });
  });
});

describe('UptimeStack', () => {
  test('checks http:// on port 80 without SNI when the environment runs plain-HTTP dev mode', () => {
    const config = { ...dev, edge: { ...dev.edge, tls: { mode: 'plain-http-dev-only' as const } } };
    const stack = new UptimeStack(testApp(), 'Uptime', { config });
    Template.fromStack(stack).hasResourceProperties('AWS::Route53::HealthCheck', {
      HealthCheckConfig: {
        Type: 'HTTP',
        FullyQualifiedDomainName: 'api.dev.example.com',
        Port: 80,
        ResourcePath: '/health',
        EnableSNI: false,
        RequestInterval: 30,
      },
    });
  });
});
