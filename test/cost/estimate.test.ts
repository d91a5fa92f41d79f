import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_USAGE, type UsageAssumptions } from '../../lib/config/cost';
import { type CostEstimate, estimateCost, runsPerMonth, spotShare, UnknownRegionError } from '../../lib/cost/estimate';
import type { CfnTemplate } from '../../lib/cost/template';

const fixture = (name: string): CfnTemplate =>
  JSON.parse(readFileSync(join(__dirname, '..', 'fixtures', 'cost', `${name}.json`), 'utf8')) as CfnTemplate;

/** Round figures so the hand arithmetic below stays readable. */
const USAGE: UsageAssumptions = {
  natDataGb: 100,
  requestsPerMonth: 10_000_000,
  albAverageLcu: 0.5,
  logIngestionGb: 10,
  interfaceEndpointDataGb: 20,
  databaseDailyChangePercent: 2,
  containerImageGbPerRepository: 3,
};

function estimateOf(templates: CfnTemplate[], region = 'us-east-1', usage = USAGE): CostEstimate {
  return estimateCost({
    environment: 'test',
    region,
    stacks: templates.map((template) => ({ region, template })),
    usage,
  });
}

const estimate = (names: string[], region?: string, usage?: UsageAssumptions): CostEstimate =>
  estimateOf(names.map(fixture), region, usage);

function line(result: CostEstimate, item: string): { monthlyUsd: number; atMaxUsd: number } {
  const found = result.lines.find((l) => l.item === item);
  if (!found) throw new Error(`no line '${item}' in ${result.lines.map((l) => l.item).join(', ')}`);
  return found;
}

describe('estimateCost, data tier fixture in us-east-1 (730 h/month)', () => {
  const result = estimate(['data-tier']);

  test('prices NAT gateway hours and assumed data', () => {
    expect(line(result, 'NAT gateway').monthlyUsd).toBeCloseTo(65.7, 6); // 2 × 730 × 0.045
    expect(line(result, 'NAT data processed').monthlyUsd).toBeCloseTo(4.5, 6); // 100 GB × 0.045
  });

  test('prices interface endpoints per AZ and leaves the gateway endpoint free', () => {
    expect(line(result, 'Interface VPC endpoints').monthlyUsd).toBeCloseTo(14.6, 6); // 1 endpoint × 2 AZ × 730 × 0.01
    expect(line(result, 'Interface endpoint data').monthlyUsd).toBeCloseTo(0.2, 6); // 20 GB × 0.01
  });

  test('prices the Elastic IPs of the NAT gateways as public IPv4 addresses', () => {
    expect(line(result, 'Public IPv4 addresses').monthlyUsd).toBeCloseTo(7.3, 6); // 2 × 730 × 0.005
  });

  test('doubles the instance and storage of a Multi-AZ database', () => {
    expect(line(result, 'RDS db.t4g.medium Multi-AZ').monthlyUsd).toBeCloseTo(94.9, 6); // 2 × 730 × 0.065
    expect(line(result, 'RDS storage (gp3)').monthlyUsd).toBeCloseTo(23, 6); // 100 GB × 2 × 0.115
  });

  test('prices backups beyond the free allowance from the daily change assumption', () => {
    // 100 GB × 30 days × 2 % = 60 GB beyond the free 100 GB, × 0.095
    expect(line(result, 'RDS backup storage beyond free').monthlyUsd).toBeCloseTo(5.7, 6);
  });

  test('keeps Performance Insights free at 7 days', () => {
    expect(line(result, 'Performance Insights').monthlyUsd).toBe(0);
  });

  test('prices Valkey nodes 20 % below Redis OSS, per node', () => {
    // 2 nodes × 730 × (0.032 × 0.8 = 0.0256)
    expect(line(result, 'ElastiCache cache.t4g.small (Valkey, 20 % off)').monthlyUsd).toBeCloseTo(37.376, 6);
  });

  test('prices secrets, keys and assumed log ingestion', () => {
    expect(line(result, 'Secrets Manager secrets').monthlyUsd).toBeCloseTo(1.2, 6); // 3 × 0.40
    expect(line(result, 'KMS keys').monthlyUsd).toBeCloseTo(1, 6); // 1 × 1.00
    expect(line(result, 'CloudWatch Logs ingestion').monthlyUsd).toBeCloseTo(5, 6); // 10 GB × 0.50
  });

  test('adds every line into the total', () => {
    // 65.7 + 4.5 + 14.6 + 0.2 + 7.3 + 94.9 + 23 + 5.7 + 0 + 37.376 + 1.2 + 1 + 5 = 260.476
    expect(result.totalUsd).toBeCloseTo(260.476, 6);
    expect(result.totalAtMaxUsd).toBeCloseTo(260.476, 6);
    expect(result.notPriced).toEqual({});
  });
});

describe('estimateCost, service tier fixture in us-east-1', () => {
  const result = estimate(['service-tier']);

  test('prices ALB hours, assumed LCUs and one public IPv4 address per subnet', () => {
    expect(line(result, 'Load balancer (ALB)').monthlyUsd).toBeCloseTo(16.425, 6); // 730 × 0.0225
    expect(line(result, 'ALB capacity units').monthlyUsd).toBeCloseTo(2.92, 6); // 0.5 LCU × 730 × 0.008
    expect(line(result, 'Public IPv4 addresses').monthlyUsd).toBeCloseTo(7.3, 6); // 2 × 730 × 0.005
  });

  test('prices Fargate at min and max tasks, base on FARGATE then 1:3 with FARGATE_SPOT', () => {
    // One task, 0.5 vCPU + 1 GB: on-demand x86 (0.5 × 0.04048 + 1 × 0.004445) × 730 = 18.02005
    //                            Spot          (0.5 × 0.01214 + 1 × 0.00133)  × 730 = 5.402
    // 2 tasks: 1 base on-demand, 1 split 1:3 → 1.25 on-demand + 0.75 Spot = 22.5250625 + 4.0515
    // 10 tasks: 1 base, 9 split 1:3 → 3.25 on-demand + 6.75 Spot = 58.5651625 + 36.4635
    const fargate = line(result, 'Fargate Service');
    expect(fargate.monthlyUsd).toBeCloseTo(26.5765625, 6);
    expect(fargate.atMaxUsd).toBeCloseTo(95.0286625, 6);
  });

  test('prices the web ACL with its rules and the assumed requests', () => {
    expect(line(result, 'WAF web ACL').monthlyUsd).toBeCloseTo(9, 6); // 5 + 4 rules × 1
    expect(line(result, 'WAF requests').monthlyUsd).toBeCloseTo(6, 6); // 10 M × 0.60
  });

  test('prices ECR storage from the assumed image size', () => {
    expect(line(result, 'ECR image storage').monthlyUsd).toBeCloseTo(0.3, 6); // 1 repo × 3 GB × 0.10
  });

  test('notes a task definition without a service instead of pricing it', () => {
    expect(result.notes).toContainEqual(expect.stringContaining('MigrationTask has no service'));
  });

  test('totals at min and max tasks', () => {
    // min: 16.425 + 2.92 + 7.3 + 26.5765625 + 9 + 6 + 0.3 + 5 (logs) = 73.5215625
    // max: the same with Fargate at 95.0286625 = 141.9736625
    expect(result.totalUsd).toBeCloseTo(73.5215625, 6);
    expect(result.totalAtMaxUsd).toBeCloseTo(141.9736625, 6);
  });
});

describe('estimateCost, alarms fixture in us-east-1', () => {
  const result = estimate(['alarms']);

  test('prices alarms per metric, high resolution at 3×', () => {
    // Latency (1 metric) + ErrorRate (metric math over 2 metrics) = 3 × 0.10
    expect(line(result, 'CloudWatch alarms').monthlyUsd).toBeCloseTo(0.3, 6);
    expect(line(result, 'CloudWatch high-resolution alarms').monthlyUsd).toBeCloseTo(0.3, 6); // 1 × 0.30
    expect(line(result, 'CloudWatch dashboards').monthlyUsd).toBeCloseTo(3, 6);
  });

  test('prices canary runs from the rate schedule', () => {
    // 730 h × 60 / 5 = 8760 runs × 0.0012
    expect(line(result, 'Synthetics canary Canary').monthlyUsd).toBeCloseTo(10.512, 6);
  });

  test('prices a health check with its optional features', () => {
    // 0.50 + HTTPS 1.00 + string matching 1.00
    expect(line(result, 'Route 53 health check HealthCheck').monthlyUsd).toBeCloseTo(2.5, 6);
  });

  test('lists unknown types as not priced and per-use types apart, never silently', () => {
    expect(result.notPriced).toEqual({ 'AWS::Foo::Bar': 1 });
    expect(result.usageBased).toEqual({ 'AWS::SNS::Topic': 1, 'AWS::Lambda::Function': 1 });
  });

  test('totals', () => {
    // 0.3 + 0.3 + 3 + 10.512 + 2.5 + 5 (logs) = 21.612
    expect(result.totalUsd).toBeCloseTo(21.612, 6);
  });
});

describe('estimateCost across templates and regions', () => {
  test('prices an environment of several stacks once, logs counted once', () => {
    // 260.476 + 73.5215625 + 21.612 - 2 × 5 (logs counted once) = 345.6095625
    expect(estimate(['data-tier', 'service-tier', 'alarms']).totalUsd).toBeCloseTo(345.6095625, 6);
  });

  test('uses the prices of the region', () => {
    expect(line(estimate(['data-tier'], 'eu-west-1'), 'NAT gateway').monthlyUsd).toBeCloseTo(70.08, 6); // 2 × 730 × 0.048
  });

  test("prices each stack at its own region's rates, environment-wide usage once in the environment's region", () => {
    const stack = (region: string, resources: CfnTemplate['Resources']) => ({
      region,
      template: { Resources: resources },
    });
    const result = estimateCost({
      environment: 'test',
      region: 'eu-west-1',
      usage: USAGE,
      stacks: [
        stack('us-east-1', {
          Nat: { Type: 'AWS::EC2::NatGateway' },
          Key: { Type: 'AWS::KMS::Key' },
          Alarm: { Type: 'AWS::CloudWatch::Alarm', Properties: { Period: 60 } },
        }),
        stack('eu-west-1', {
          Nat: { Type: 'AWS::EC2::NatGateway' },
          Key: { Type: 'AWS::KMS::Key' },
          Logs: { Type: 'AWS::Logs::LogGroup' },
        }),
      ],
    });
    expect(result.lines.map(({ item, region, monthlyUsd }) => [item, region, Number(monthlyUsd.toFixed(6))])).toEqual([
      ['NAT gateway', 'eu-west-1', 35.04], // 730 × 0.048
      ['NAT data processed', 'eu-west-1', 4.8], // 100 GB × 0.048, once for the environment
      ['KMS keys', 'eu-west-1', 1],
      ['CloudWatch Logs ingestion', 'eu-west-1', 5.7], // 10 GB × 0.57, once, in the environment's region
      ['NAT gateway', 'us-east-1', 32.85], // 730 × 0.045
      ['KMS keys', 'us-east-1', 1],
      ['CloudWatch alarms', 'us-east-1', 0.1],
    ]);
    expect(result.region).toBe('eu-west-1');
  });

  test('prices environment-wide data once, in the first region with what it applies to', () => {
    const endpoint = { Type: 'AWS::EC2::VPCEndpoint', Properties: { VpcEndpointType: 'Interface' } };
    const result = estimateCost({
      environment: 'test',
      region: 'eu-west-1',
      usage: USAGE,
      stacks: [
        { region: 'eu-west-1', template: { Resources: { Endpoint: endpoint } } },
        { region: 'us-east-1', template: { Resources: { Endpoint: endpoint, Nat: { Type: 'AWS::EC2::NatGateway' } } } },
      ],
    });
    const data = result.lines
      .filter((l) => l.item.endsWith(' data') || l.item === 'NAT data processed')
      .map(({ item, region, monthlyUsd }) => [item, region, Number(monthlyUsd.toFixed(6))]);
    expect(data).toEqual([
      ['Interface endpoint data', 'eu-west-1', 0.2], // 20 GB × 0.01, not again in us-east-1
      ['NAT data processed', 'us-east-1', 4.5], // 100 GB × 0.045: eu-west-1 has no NAT gateway
    ]);
  });

  test('throws for a stack in a region without prices, naming that region', () => {
    const input = {
      environment: 'test',
      region: 'us-east-1',
      usage: USAGE,
      stacks: [
        { region: 'us-east-1', template: fixture('alarms') },
        { region: 'ap-south-2', template: fixture('alarms') },
      ],
    };
    expect(() => estimateCost(input)).toThrow("[test] no prices for region 'ap-south-2'");
  });

  test('throws for a region without prices, listing the regions with prices', () => {
    expect(() => estimate(['data-tier'], 'ap-south-2')).toThrow(UnknownRegionError);
    expect(() => estimate(['data-tier'], 'ap-south-2')).toThrow(
      "[test] no prices for region 'ap-south-2': lib/cost/prices.ts has us-east-1, eu-west-1",
    );
  });

  test('uses ARM64 Fargate rates when the task definition asks for Graviton', () => {
    const template: CfnTemplate = {
      Resources: {
        Task: {
          Type: 'AWS::ECS::TaskDefinition',
          Properties: { Cpu: '256', Memory: '512', RuntimePlatform: { CpuArchitecture: 'ARM64' } },
        },
        Svc: { Type: 'AWS::ECS::Service', Properties: { TaskDefinition: { Ref: 'Task' }, LaunchType: 'FARGATE' } },
      },
    };
    const result = estimateOf([template], 'us-east-1', DEFAULT_USAGE);
    // DesiredCount defaults to 1: (0.25 × 0.03238 + 0.5 × 0.00356) × 730 = (0.008095 + 0.00178) × 730 = 7.20875
    expect(line(result, 'Fargate Svc').monthlyUsd).toBeCloseTo(7.20875, 6);
  });

  test('prices an EC2 instance such as a NAT instance by the hour', () => {
    const template: CfnTemplate = {
      Resources: { Nat: { Type: 'AWS::EC2::Instance', Properties: { InstanceType: 't4g.nano' } } },
    };
    const result = estimateOf([template], 'eu-west-1', DEFAULT_USAGE);
    expect(line(result, 'EC2 t4g.nano Nat').monthlyUsd).toBeCloseTo(3.358, 6); // 730 × 0.0046
  });

  test('prices Container Insights per metric by what runs in the cluster; enhanced is not priced', () => {
    const cluster = (value?: string) => ({
      Type: 'AWS::ECS::Cluster',
      Properties: value === undefined ? {} : { ClusterSettings: [{ Name: 'containerInsights', Value: value }] },
    });
    const service = (clusterId: string, taskDefinition: string) => ({
      Type: 'AWS::ECS::Service',
      Properties: { Cluster: { Ref: clusterId }, TaskDefinition: { Ref: taskDefinition } },
    });
    const template: CfnTemplate = {
      Resources: {
        Busy: cluster('enabled'),
        Idle: cluster('enabled'),
        Enhanced: cluster('enhanced'),
        Off: cluster('disabled'),
        Plain: cluster(),
        Api: service('Busy', 'ApiTask'),
        Worker: service('Busy', 'WorkerTask'),
        // A second service of the same task family adds its service metrics only.
        ApiCanary: service('Busy', 'ApiTask'),
      },
    };
    const result = estimateOf([template], 'us-east-1', DEFAULT_USAGE);
    // 12 for the cluster + 3 services × 15 + 2 task families × 10 = 77 metrics × $0.30
    expect(line(result, 'Container Insights Busy').monthlyUsd).toBeCloseTo(23.1, 6);
    // The cluster's 12 alone
    expect(line(result, 'Container Insights Idle').monthlyUsd).toBeCloseTo(3.6, 6);
    expect(result.lines.filter((l) => l.item.startsWith('Container Insights')).map((l) => l.item)).toEqual([
      'Container Insights Busy',
      'Container Insights Idle',
    ]);
    // (The bare services have no task definition to price, which is listed too.)
    expect(Object.keys(result.notPriced).filter((key) => key.startsWith('Container Insights'))).toEqual([
      'Container Insights (enhanced) on AWS::ECS::Cluster',
    ]);
  });

  test('counts a subnet list the template does not spell out as one subnet, and says so', () => {
    const imported = { 'Fn::Split': [',', { 'Fn::ImportValue': 'subnets' }] };
    const template: CfnTemplate = {
      Resources: {
        Alb: { Type: 'AWS::ElasticLoadBalancingV2::LoadBalancer', Properties: { Subnets: imported } },
        Endpoint: { Type: 'AWS::EC2::VPCEndpoint', Properties: { VpcEndpointType: 'Interface', SubnetIds: imported } },
      },
    };
    const result = estimateOf([template], 'us-east-1', DEFAULT_USAGE);
    expect(line(result, 'Public IPv4 addresses').monthlyUsd).toBeCloseTo(3.65, 6); // 1 × 730 × 0.005
    expect(line(result, 'Interface VPC endpoints').monthlyUsd).toBeCloseTo(7.3, 6); // 1 × 730 × 0.01
    expect(result.notes).toEqual(
      expect.arrayContaining([
        'Alb: its subnets are not listed in the template (a token): counted as one',
        'Endpoint: its subnets are not listed in the template (a token): counted as one',
      ]),
    );
  });

  test('lists databases of a class missing from the price table as not priced, counting each', () => {
    const unknownClass = { Type: 'AWS::RDS::DBInstance', Properties: { DBInstanceClass: 'db.x2g.large' } };
    const template: CfnTemplate = { Resources: { Db: unknownClass, Replica: unknownClass } };
    const result = estimateOf([template], 'us-east-1', DEFAULT_USAGE);
    expect(result.notPriced).toEqual({ 'AWS::RDS::DBInstance (class db.x2g.large not in the price table)': 2 });
  });
});

describe('estimateCost, features the example leaves off (us-east-1, by hand)', () => {
  const database = (properties: Record<string, unknown> = {}) => ({
    Type: 'AWS::RDS::DBInstance',
    Properties: { DBInstanceClass: 'db.r6g.xlarge', AllocatedStorage: '100', ...properties },
  });

  test('prices Performance Insights kept longer than the free 7 days per vCPU', () => {
    const result = estimateOf(
      [{ Resources: { Db: database({ EnablePerformanceInsights: true, PerformanceInsightsRetentionPeriod: 31 }) } }],
      'us-east-1',
      DEFAULT_USAGE,
    );
    // xlarge: 4 vCPU × 730 h × 0.0125 = 36.5
    expect(line(result, 'Performance Insights').monthlyUsd).toBeCloseTo(36.5, 6);
  });

  test('prices an RDS Proxy by the vCPUs of the instance behind it', () => {
    const result = estimateOf(
      [
        {
          Resources: {
            Db: database(),
            Proxy: { Type: 'AWS::RDS::DBProxy', Properties: {} },
            Targets: {
              Type: 'AWS::RDS::DBProxyTargetGroup',
              Properties: { DBProxyName: { Ref: 'Proxy' }, DBInstanceIdentifiers: [{ Ref: 'Db' }] },
            },
          },
        },
      ],
      'us-east-1',
      DEFAULT_USAGE,
    );
    // 4 vCPU × 730 h × 0.015 = 43.8
    expect(line(result, 'RDS Proxy').monthlyUsd).toBeCloseTo(43.8, 6);
  });

  test('says which values it assumed where the template has a token instead of a literal', () => {
    const result = estimateOf(
      [
        {
          Resources: {
            Db: database({
              MultiAZ: { 'Fn::If': ['Prod', true, false] },
              AllocatedStorage: { Ref: 'Storage' },
              BackupRetentionPeriod: 7,
            }),
          },
        },
      ],
      'us-east-1',
      DEFAULT_USAGE,
    );
    // Single-AZ, 20 GB × 0.115 (gp2 when the template names no type, priced as gp3)
    expect(line(result, 'RDS storage (gp2)').monthlyUsd).toBeCloseTo(2.3, 6);
    expect(result.notes).toEqual([
      'RDS Db: MultiAZ is not a literal in the template (a token): assumed Single-AZ',
      'RDS Db: AllocatedStorage is not a literal in the template (a token): assumed 20',
    ]);
  });

  test('counts the nodes of a replication group described group by group', () => {
    const result = estimateOf(
      [
        {
          Resources: {
            Cache: {
              Type: 'AWS::ElastiCache::ReplicationGroup',
              Properties: {
                CacheNodeType: 'cache.t4g.small',
                Engine: 'redis',
                NodeGroupConfiguration: [{ ReplicaCount: 2 }, { ReplicaCount: 2 }, {}],
              },
            },
          },
        },
      ],
      'us-east-1',
      DEFAULT_USAGE,
    );
    // (3 + 3 + 1) nodes × 730 h × 0.032 = 163.52
    expect(line(result, 'ElastiCache cache.t4g.small').monthlyUsd).toBeCloseTo(163.52, 6);
  });

  test('prices a Redis OSS cache cluster per node at list price', () => {
    const result = estimateOf(
      [
        {
          Resources: {
            Cache: {
              Type: 'AWS::ElastiCache::CacheCluster',
              Properties: { CacheNodeType: 'cache.t4g.small', Engine: 'redis', NumCacheNodes: 2 },
            },
          },
        },
      ],
      'us-east-1',
      DEFAULT_USAGE,
    );
    // 2 nodes × 730 h × 0.032 = 46.72
    expect(line(result, 'ElastiCache cache.t4g.small').monthlyUsd).toBeCloseTo(46.72, 6);
  });

  test.each(['AWSManagedRulesBotControlRuleSet', 'AWSManagedRulesAntiDDoSRuleSet'])(
    'says a paid WAF rule group (%s) adds fees the estimate leaves out',
    (group) => {
      const rule = { Name: 'Paid', Statement: { ManagedRuleGroupStatement: { Name: group } } };
      const result = estimateOf(
        [{ Resources: { Acl: { Type: 'AWS::WAFv2::WebACL', Properties: { Rules: [rule] } } } }],
        'us-east-1',
        DEFAULT_USAGE,
      );
      // 1 × 5 + 1 rule × 1 = 6
      expect(line(result, 'WAF web ACL').monthlyUsd).toBeCloseTo(6, 6);
      expect(result.notes).toContain(`WAF Acl uses ${group}: subscription and request fees not included`);
    },
  );

  test('lists a log metric filter as not priced: each one publishes a custom metric', () => {
    const result = estimateOf(
      [{ Resources: { Errors: { Type: 'AWS::Logs::MetricFilter', Properties: {} } } }],
      'us-east-1',
      DEFAULT_USAGE,
    );
    expect(result.notPriced).toEqual({ 'AWS::Logs::MetricFilter': 1 });
  });
});

describe('spotShare', () => {
  test('is 0 without a strategy and 1 with FARGATE_SPOT alone', () => {
    expect(spotShare(3, [])).toBe(0);
    expect(spotShare(3, [{ CapacityProvider: 'FARGATE_SPOT', Weight: 1 }])).toBe(1);
  });

  test('serves the base first', () => {
    const strategy = [
      { CapacityProvider: 'FARGATE', Base: 2, Weight: 0 },
      { CapacityProvider: 'FARGATE_SPOT', Weight: 1 },
    ];
    expect(spotShare(2, strategy)).toBe(0);
    expect(spotShare(4, strategy)).toBe(0.5);
  });
});

describe('runsPerMonth', () => {
  test('counts runs of rate schedules over 730 hours', () => {
    expect(runsPerMonth('rate(1 minute)')).toBe(43_800);
    expect(runsPerMonth('rate(15 minutes)')).toBe(2_920);
    expect(runsPerMonth('rate(1 hour)')).toBe(730);
    expect(runsPerMonth('rate(0 minutes)')).toBe(1);
  });

  test('is undefined for a cron schedule', () => {
    expect(runsPerMonth('cron(0 * * * ? *)')).toBeUndefined();
  });
});
