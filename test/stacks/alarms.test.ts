import { Match, type Template } from 'aws-cdk-lib/assertions';
import { exampleConfig, exampleStack, exampleTemplate } from '../support/example-app';

const ENVIRONMENTS = ['dev', 'staging', 'prod'] as const;
type Env = (typeof ENVIRONMENTS)[number];
// One synth of the example app serves every test in this file.
const serviceTemplate = (env: Env): Template => exampleTemplate(env, 'Service');
const GIB = 1024 ** 3;

interface Resource {
  readonly Properties: Record<string, unknown>;
}

/** The alarm named `berth-<env>-<name>`. */
function alarm(template: Template, env: Env, name: string): Record<string, unknown> {
  const found = Object.values(
    template.findResources('AWS::CloudWatch::Alarm', { Properties: { AlarmName: `berth-${env}-${name}` } }),
  ) as Resource[];
  expect(found).toHaveLength(1);
  return found[0].Properties;
}

/** The logical id of the one resource of `type` in `template`. */
function onlyId(template: Template, type: string): string {
  const ids = Object.keys(template.findResources(type));
  expect(ids).toHaveLength(1);
  return ids[0];
}

/** Dimension names of a single-metric alarm or of a `MetricStat`. */
const dimensionNames = (dimensions: unknown): string[] => (dimensions as { Name: string }[]).map((d) => d.Name);

/** The connection alarm's threshold: 80 % of the class's max_connections, worked out by hand. */
const connectionAlarmAt = (maxConnections: number) => Math.floor(maxConnections * 0.8);

// Per environment: minTasks, the connection threshold (max_connections of t4g.micro 112, t4g.small
// 225, t4g.medium 450), allocated storage, instance memory, cache nodes.
const SIZES: Record<
  Env,
  { minTasks: number; connections: number; storageGiB: number; memoryGiB: number; nodes: number }
> = {
  dev: { minTasks: 1, connections: connectionAlarmAt(112), storageGiB: 20, memoryGiB: 1, nodes: 1 },
  staging: { minTasks: 1, connections: connectionAlarmAt(225), storageGiB: 20, memoryGiB: 2, nodes: 1 },
  prod: { minTasks: 2, connections: connectionAlarmAt(450), storageGiB: 100, memoryGiB: 4, nodes: 2 },
};

/** Single-metric alarms: name, namespace, metric, statistic, dimensions, threshold, operator, periods. */
function singleMetricAlarms(env: Env) {
  const size = SIZES[env];
  return [
    [
      'api-unhealthy-targets',
      'AWS/ApplicationELB',
      'UnHealthyHostCount',
      'Maximum',
      ['LoadBalancer', 'TargetGroup'],
      0,
      'GreaterThanThreshold',
      3,
      60,
    ],
    [
      'api-running-tasks',
      'AWS/ApplicationELB',
      'HealthyHostCount',
      'Minimum',
      ['LoadBalancer', 'TargetGroup'],
      size.minTasks,
      'LessThanThreshold',
      5,
      60,
    ],
    [
      'api-cpu',
      'AWS/ECS',
      'CPUUtilization',
      'Average',
      ['ClusterName', 'ServiceName'],
      80,
      'GreaterThanThreshold',
      10,
      60,
    ],
    [
      'api-memory',
      'AWS/ECS',
      'MemoryUtilization',
      'Maximum',
      ['ClusterName', 'ServiceName'],
      85,
      'GreaterThanThreshold',
      5,
      60,
    ],
    [
      'db-connections',
      'AWS/RDS',
      'DatabaseConnections',
      'Maximum',
      ['DBInstanceIdentifier'],
      size.connections,
      'GreaterThanThreshold',
      5,
      60,
    ],
    [
      'db-free-storage',
      'AWS/RDS',
      'FreeStorageSpace',
      'Minimum',
      ['DBInstanceIdentifier'],
      Math.floor(size.storageGiB * GIB * 0.2),
      'LessThanThreshold',
      1,
      300,
    ],
    ['db-cpu', 'AWS/RDS', 'CPUUtilization', 'Average', ['DBInstanceIdentifier'], 80, 'GreaterThanThreshold', 10, 60],
    [
      'db-freeable-memory',
      'AWS/RDS',
      'FreeableMemory',
      'Minimum',
      ['DBInstanceIdentifier'],
      Math.floor(size.memoryGiB * GIB * 0.1),
      'LessThanThreshold',
      10,
      60,
    ],
    [
      'waf-blocked-surge',
      'AWS/WAFV2',
      'BlockedRequests',
      'Sum',
      ['WebACL', 'Region', 'Rule'],
      1000,
      'GreaterThanThreshold',
      1,
      300,
    ],
  ] as const;
}

describe.each(ENVIRONMENTS)('%s alarms', (env) => {
  const template = () => serviceTemplate(env);
  const topicRef = () => [{ Ref: onlyId(template(), 'AWS::SNS::Topic') }];

  test.each(singleMetricAlarms(env))(
    '%s: %s %s (%s) compared with its threshold',
    (name, namespace, metricName, statistic, dimensions, threshold, operator, periods, period) => {
      const props = alarm(template(), env, name);
      expect(props).toMatchObject({
        Namespace: namespace,
        MetricName: metricName,
        Statistic: statistic,
        Period: period,
        Threshold: threshold,
        ComparisonOperator: operator,
        EvaluationPeriods: periods,
        DatapointsToAlarm: periods,
        AlarmActions: topicRef(),
        OKActions: topicRef(),
      });
      expect(dimensionNames(props.Dimensions).sort()).toEqual([...dimensions].sort());
    },
  );

  test('api-latency-p95: p95 of the target response time above 1 s for 5 minutes', () => {
    expect(alarm(template(), env, 'api-latency-p95')).toMatchObject({
      Namespace: 'AWS/ApplicationELB',
      MetricName: 'TargetResponseTime',
      ExtendedStatistic: 'p95',
      Dimensions: [
        {
          Name: 'LoadBalancer',
          Value: { 'Fn::GetAtt': [expect.stringMatching(/^EdgeLoadBalancer/), 'LoadBalancerFullName'] },
        },
      ],
      Period: 60,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanThreshold',
      EvaluationPeriods: 5,
      TreatMissingData: 'notBreaching',
      AlarmActions: topicRef(),
      OKActions: topicRef(),
    });
  });

  test("api-running-tasks: the API target group's healthy targets on its load balancer; silence breaches", () => {
    const props = alarm(template(), env, 'api-running-tasks');
    expect(props.TreatMissingData).toBe('breaching');
    const dimensions = Object.fromEntries(
      (props.Dimensions as { Name: string; Value: unknown }[]).map((d) => [d.Name, JSON.stringify(d.Value)]),
    );
    expect(dimensions.TargetGroup).toMatch(/^\{"Fn::GetAtt":\["ApiTargetGroup[0-9A-F]{8}","TargetGroupFullName"\]\}$/);
    expect(dimensions.LoadBalancer).toContain('"Ref":"EdgeLoadBalancerHttps');
  });

  test('api-5xx-rate: target + ELB 5xx over requests, guarded against no traffic', () => {
    const props = alarm(template(), env, 'api-5xx-rate');
    expect(props).toMatchObject({
      Threshold: 1,
      ComparisonOperator: 'GreaterThanThreshold',
      EvaluationPeriods: 5,
      TreatMissingData: 'notBreaching',
      AlarmActions: topicRef(),
      OKActions: topicRef(),
    });
    const metrics = props.Metrics as { Id: string; Expression?: string; MetricStat?: Record<string, unknown> }[];
    expect(metrics[0].Expression).toMatch(/^IF\(\(FILL\(requests, 0\) \+ FILL\(elb5xx, 0\)\) > 0, 100 \*/);
    expect(
      metrics
        .slice(1)
        .map((m) => [
          m.Id,
          (m.MetricStat?.Metric as { MetricName: string } | undefined)?.MetricName,
          m.MetricStat?.Stat,
        ]),
    ).toEqual([
      ['requests', 'RequestCount', 'Sum'],
      ['target5xx', 'HTTPCode_Target_5XX_Count', 'Sum'],
      ['elb5xx', 'HTTPCode_ELB_5XX_Count', 'Sum'],
    ]);
  });

  test.each([
    ['cache-evictions', 'Evictions', 'Sum', 300, 0, 1],
    ['cache-memory', 'DatabaseMemoryUsagePercentage', 'Maximum', 60, 80, 5],
    ['cache-engine-cpu', 'EngineCPUUtilization', 'Average', 60, 90, 5],
  ])('%s: %s (%s) of the worst of every cache node', (name, metricName, stat, period, threshold, periods) => {
    const props = alarm(template(), env, name);
    expect(props).toMatchObject({
      Threshold: threshold,
      ComparisonOperator: 'GreaterThanThreshold',
      EvaluationPeriods: periods,
      AlarmActions: topicRef(),
      OKActions: topicRef(),
    });
    const metrics = props.Metrics as { Expression?: string; MetricStat?: Record<string, unknown> }[];
    const nodes = metrics.slice(1);
    expect(nodes).toHaveLength(SIZES[env].nodes);
    expect(metrics[0].Expression).toMatch(/^MAX\(\[/);
    for (const [index, node] of nodes.entries()) {
      const metric = node.MetricStat?.Metric as { Namespace: string; MetricName: string; Dimensions: unknown[] };
      expect([metric.Namespace, metric.MetricName, node.MetricStat?.Stat, node.MetricStat?.Period]).toEqual([
        'AWS/ElastiCache',
        metricName,
        stat,
        period,
      ]);
      // `<replication group id>-00N`: one member cluster per node.
      expect(metric.Dimensions).toEqual([
        {
          Name: 'CacheClusterId',
          Value: {
            'Fn::Join': [
              '',
              [{ 'Fn::ImportValue': expect.stringContaining('CacheReplicationGroup') }, `-00${index + 1}`],
            ],
          },
        },
      ]);
    }
  });

  test('every alarm notifies the topic on ALARM and OK and says its severity and what to check', () => {
    const alarms = Object.values(template().findResources('AWS::CloudWatch::Alarm')) as Resource[];
    // 14 on the service, data and WAF metrics, plus the failed-migration alarm of the release gate.
    expect(alarms).toHaveLength(15);
    for (const { Properties: props } of alarms) {
      expect(props.AlarmName).toMatch(new RegExp(`^berth-${env}-[a-z0-9-]+$`));
      expect(props.AlarmDescription).toMatch(/^\[(critical|warning)\] .+ Check first: /);
      expect(props.AlarmActions).toEqual(topicRef());
      expect(props.OKActions).toEqual(topicRef());
    }
  });
});

test.each(ENVIRONMENTS)('%s: alarms on a failed migration from the release gate functions', (env) => {
  const [alarm] = Object.values(
    serviceTemplate(env).findResources('AWS::CloudWatch::Alarm', {
      Properties: { AlarmName: `berth-${env}-migration-failed` },
    }),
  ) as Resource[];
  expect(alarm.Properties).toMatchObject({ ComparisonOperator: 'GreaterThanThreshold', Threshold: 0 });
  const metrics = JSON.stringify(alarm.Properties.Metrics);
  expect(metrics).toContain('MigrationsGateCheckFunction');
  expect(metrics).toContain('MigrationsStartFunction');
  expect(metrics).toContain('"MetricName":"Errors"');
});

const TLS_ONLY = (topic: unknown) => ({
  Effect: 'Deny',
  Action: 'sns:Publish',
  Condition: { Bool: { 'aws:SecureTransport': 'false' } },
  Principal: '*',
  Resource: topic,
  Sid: 'AllowPublishThroughSSLOnly',
});

/** A topic policy of its own replaces SNS's default one, which let the owner account's alarms publish. */
const CLOUDWATCH_ALARMS_PUBLISH = (topic: unknown, account: string, region: string) => ({
  Effect: 'Allow',
  Action: 'sns:Publish',
  Condition: {
    StringEquals: { 'aws:SourceAccount': account },
    ArnLike: { 'aws:SourceArn': `arn:aws:cloudwatch:${region}:${account}:alarm:*` },
  },
  Principal: { Service: 'cloudwatch.amazonaws.com' },
  Resource: topic,
  Sid: 'AllowCloudWatchAlarmsPublish',
});

describe('notifications', () => {
  test.each(ENVIRONMENTS)('%s: one topic, encrypted with the environment key, TLS-only, emails from config', (env) => {
    const template = serviceTemplate(env);
    template.resourceCountIs('AWS::SNS::Topic', 1);
    template.hasResourceProperties('AWS::SNS::Topic', {
      KmsMasterKeyId: { 'Fn::ImportValue': Match.stringLikeRegexp('EncryptionKey') },
    });
    // Exactly four statements: the TLS-only deny, and the alarms, RDS events and AWS Budgets of this
    // account allowed to publish.
    const topic = { Ref: onlyId(template, 'AWS::SNS::Topic') };
    const { account, region } = exampleStack(env, 'Service').environment;
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: [
          TLS_ONLY(topic),
          CLOUDWATCH_ALARMS_PUBLISH(topic, account, region),
          {
            Effect: 'Allow',
            Action: 'sns:Publish',
            Condition: {
              StringEquals: { 'aws:SourceAccount': account },
              ArnLike: { 'aws:SourceArn': `arn:aws:rds:${region}:${account}:db:*` },
            },
            Principal: { Service: 'events.rds.amazonaws.com' },
            Resource: topic,
            Sid: 'AllowRdsEventsPublish',
          },
          {
            Effect: 'Allow',
            Action: 'sns:Publish',
            Condition: {
              StringEquals: { 'aws:SourceAccount': account },
              ArnLike: { 'aws:SourceArn': `arn:aws:budgets::${account}:*` },
            },
            Principal: { Service: 'budgets.amazonaws.com' },
            Resource: topic,
            Sid: 'AllowBudgetsPublish',
          },
        ],
      },
    });
    const emails = Object.values(template.findResources('AWS::SNS::Subscription')).map(
      (s) => (s as Resource).Properties.Endpoint,
    );
    expect(emails).toEqual(exampleConfig(env).alarms.notificationEmails);
  });

  test.each(
    ENVIRONMENTS.flatMap((env) => [
      [env, 'CloudWatch alarms', 'AllowCloudWatchAlarmsToPublishToEncryptedTopics', 'cloudwatch.amazonaws.com'],
      [env, 'RDS events', 'AllowRdsEventsToPublishToEncryptedTopics', 'events.rds.amazonaws.com'],
    ]),
  )('%s: the data key lets %s publish to the encrypted topic', (env, _, sid, service) => {
    exampleTemplate(env as Env, 'Data').hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([
          {
            Sid: sid,
            Effect: 'Allow',
            Principal: { Service: service },
            Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
            Resource: '*',
            Condition: { StringEquals: { 'aws:SourceAccount': exampleStack(env, 'Data').environment.account } },
          },
        ]),
      },
    });
  });
});

describe('database events', () => {
  test.each(ENVIRONMENTS)("%s: RDS's events about the instance go to the alarm topic, by category", (env) => {
    const template = serviceTemplate(env);
    template.resourceCountIs('AWS::RDS::EventSubscription', 1);
    // Created once the topic admits RDS.
    template.hasResource('AWS::RDS::EventSubscription', {
      DependsOn: [onlyId(template, 'AWS::SNS::TopicPolicy')],
    });
    template.hasResourceProperties('AWS::RDS::EventSubscription', {
      Enabled: true,
      SnsTopicArn: { Ref: onlyId(template, 'AWS::SNS::Topic') },
      SourceType: 'db-instance',
      SourceIds: [{ 'Fn::ImportValue': Match.stringLikeRegexp('DatabaseInstance') }],
      EventCategories: [
        'availability',
        'failover',
        'failure',
        'low storage',
        'maintenance',
        'notification',
        'recovery',
      ],
    });
  });
});

describe('dashboard', () => {
  test.each(ENVIRONMENTS)('%s: berth-<env> with percentiles, saturation, tasks and every alarm', (env) => {
    const template = serviceTemplate(env);
    const [dashboard] = Object.values(template.findResources('AWS::CloudWatch::Dashboard')) as Resource[];
    expect(dashboard.Properties.DashboardName).toBe(`berth-${env}`);
    const parts = (dashboard.Properties.DashboardBody as { 'Fn::Join': [string, unknown[]] })['Fn::Join'][1];
    const text = parts.filter((part) => typeof part === 'string').join('');
    for (const expected of [
      '"stat":"p50"',
      '"stat":"p95"',
      '"stat":"p99"',
      '"RequestCount"',
      '"HTTPCode_Target_5XX_Count"',
      '"MemoryUtilization"',
      '"DatabaseConnections"',
      '"DatabaseMemoryUsagePercentage"',
      '"HealthyHostCount"',
      '"UnHealthyHostCount"',
      '"type":"alarm"',
      `alarm:berth-${env}-uptime`,
    ]) {
      expect(text).toContain(expected);
    }
    // The status widget lists every alarm of the stack, by ARN.
    const alarmIds = Object.keys(template.findResources('AWS::CloudWatch::Alarm'));
    const referenced = parts.filter(
      (part) =>
        typeof part === 'object' && alarmIds.includes((part as { 'Fn::GetAtt'?: string[] })['Fn::GetAtt']?.[0] ?? ''),
    );
    expect(referenced).toHaveLength(alarmIds.length);
  });
});

describe('uptime check', () => {
  test.each(ENVIRONMENTS)('%s: a Route 53 HTTPS check of the public /health every 30 s, in us-east-1', (env) => {
    const { environment } = exampleStack(env, 'Uptime');
    expect(environment.region).toBe('us-east-1');
    expect(environment.account).toBe(exampleStack(env, 'Service').environment.account);
    const template = exampleTemplate(env, 'Uptime');
    template.hasResourceProperties('AWS::Route53::HealthCheck', {
      HealthCheckConfig: {
        Type: 'HTTPS',
        FullyQualifiedDomainName: exampleConfig(env).edge.hostNames[0],
        Port: 443,
        ResourcePath: '/health',
        EnableSNI: true,
        RequestInterval: 30,
        FailureThreshold: 3,
      },
    });
  });

  test.each(ENVIRONMENTS)('%s: its alarm watches HealthCheckStatus and notifies a topic of its own region', (env) => {
    const template = exampleTemplate(env, 'Uptime');
    const topic = [{ Ref: onlyId(template, 'AWS::SNS::Topic') }];
    expect(alarm(template, env, 'uptime')).toMatchObject({
      Namespace: 'AWS/Route53',
      MetricName: 'HealthCheckStatus',
      Dimensions: [{ Name: 'HealthCheckId', Value: { Ref: onlyId(template, 'AWS::Route53::HealthCheck') } }],
      Statistic: 'Minimum',
      Period: 60,
      Threshold: 1,
      ComparisonOperator: 'LessThanThreshold',
      EvaluationPeriods: 2,
      TreatMissingData: 'breaching',
      AlarmActions: topic,
      OKActions: topic,
    });
    template.hasResourceProperties('AWS::SNS::Topic', {
      KmsMasterKeyId: { 'Fn::GetAtt': [onlyId(template, 'AWS::KMS::Key'), 'Arn'] },
    });
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    const { account } = exampleStack(env, 'Uptime').environment;
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: [TLS_ONLY(topic[0]), CLOUDWATCH_ALARMS_PUBLISH(topic[0], account, 'us-east-1')],
      },
    });
  });
});
