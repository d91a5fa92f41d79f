import type { UsageAssumptions } from '../config/cost';
import {
  HOURS_PER_MONTH,
  PRICES,
  PRICES_AS_OF,
  PRICES_SOURCE,
  RDS_VCPUS_BY_SIZE,
  type RegionPrices,
  VALKEY_NODE_DISCOUNT,
} from './prices';
import { arrayOf, type CfnResource, type CfnTemplate, numberOf, objectOf, referencesIn } from './template';

/** One priced item of an estimate. */
export interface CostLine {
  /** What is billed, e.g. `NAT gateway`, `Fargate`. */
  readonly item: string;
  /**
   * The region whose prices apply: that of the stacks holding what is billed, or for log
   * ingestion, which no resource stands for, the environment's own region.
   */
  readonly region: string;
  /** How the figure was reached, e.g. `1 × 730 h × $0.048`. */
  readonly detail: string;
  /** Monthly USD with services at their minimum task count. */
  readonly monthlyUsd: number;
  /** Monthly USD with services at their maximum task count (differs for Fargate only). */
  readonly atMaxUsd: number;
}

/** The monthly estimate of one environment. */
export interface CostEstimate {
  readonly environment: string;
  /** The environment's own region (see `EstimateInput.region`). */
  readonly region: string;
  readonly pricesAsOf: string;
  readonly pricesSource: string;
  readonly usage: UsageAssumptions;
  readonly lines: readonly CostLine[];
  /** Sum of `lines` at the minimum task count. */
  readonly totalUsd: number;
  /** Sum of `lines` at the maximum task count. */
  readonly totalAtMaxUsd: number;
  /** Resource types billed per use and left out of the total, with their counts. */
  readonly usageBased: Readonly<Record<string, number>>;
  /** Resource types the estimator does not know, with their counts: check them by hand. */
  readonly notPriced: Readonly<Record<string, number>>;
  /** Caveats found while pricing (e.g. tokens where a number was expected). */
  readonly notes: readonly string[];
}

/** One synthesized stack of an environment: its template and the region it deploys to. */
export interface StackTemplate {
  readonly region: string;
  readonly template: CfnTemplate;
}

/** What the estimator reads: the stacks of one environment and its usage assumptions. */
export interface EstimateInput {
  readonly environment: string;
  /**
   * The environment's own region. Usage that no resource of the templates stands for (log
   * ingestion) is priced here; everything else at the region of its stack.
   */
  readonly region: string;
  readonly stacks: readonly StackTemplate[];
  readonly usage: UsageAssumptions;
}

/** Thrown for a region the price table has no figures for. */
export class UnknownRegionError extends Error {
  constructor(
    readonly environment: string,
    readonly region: string,
  ) {
    super(
      `[${environment}] no prices for region '${region}': lib/cost/prices.ts has ${Object.keys(PRICES).join(', ')}. ` +
        'Add the region there from the AWS pricing pages.',
    );
    this.name = 'UnknownRegionError';
  }
}

/** Types that cost nothing by themselves (their traffic or logs are priced elsewhere). */
const FREE_TYPES = new Set([
  'AWS::CDK::Metadata',
  'AWS::ApplicationAutoScaling::ScalableTarget',
  'AWS::ApplicationAutoScaling::ScalingPolicy',
  'AWS::Budgets::Budget',
  'AWS::CertificateManager::Certificate',
  'AWS::EC2::FlowLog',
  'AWS::EC2::InternetGateway',
  'AWS::EC2::NetworkAcl',
  'AWS::EC2::NetworkAclEntry',
  'AWS::EC2::Route',
  'AWS::EC2::RouteTable',
  'AWS::EC2::SecurityGroup',
  'AWS::EC2::SecurityGroupEgress',
  'AWS::EC2::SecurityGroupIngress',
  'AWS::EC2::Subnet',
  'AWS::EC2::SubnetNetworkAclAssociation',
  'AWS::EC2::SubnetRouteTableAssociation',
  'AWS::EC2::VPC',
  'AWS::EC2::VPCGatewayAttachment',
  'AWS::ECS::ClusterCapacityProviderAssociations',
  'AWS::ECS::TaskDefinition',
  'AWS::ElastiCache::ParameterGroup',
  'AWS::ElastiCache::SubnetGroup',
  'AWS::ElastiCache::User',
  'AWS::ElastiCache::UserGroup',
  'AWS::ElasticLoadBalancingV2::Listener',
  'AWS::ElasticLoadBalancingV2::ListenerCertificate',
  'AWS::ElasticLoadBalancingV2::ListenerRule',
  'AWS::ElasticLoadBalancingV2::TargetGroup',
  'AWS::Events::Rule',
  'AWS::IAM::InstanceProfile',
  'AWS::IAM::ManagedPolicy',
  'AWS::IAM::Policy',
  'AWS::IAM::Role',
  'AWS::KMS::Alias',
  'AWS::Lambda::Permission',
  'AWS::Lambda::Version',
  'AWS::Lambda::Alias',
  'AWS::Logs::LogGroup',
  'AWS::RDS::DBClusterParameterGroup',
  'AWS::RDS::DBParameterGroup',
  'AWS::RDS::DBProxyTargetGroup',
  'AWS::RDS::DBSubnetGroup',
  'AWS::RDS::EventSubscription',
  'AWS::RDS::OptionGroup',
  'AWS::Route53::RecordSet',
  'AWS::Route53::RecordSetGroup',
  'AWS::S3::BucketPolicy',
  'AWS::SecretsManager::ResourcePolicy',
  'AWS::SecretsManager::RotationSchedule',
  'AWS::SecretsManager::SecretTargetAttachment',
  'AWS::SNS::Subscription',
  'AWS::SNS::TopicPolicy',
  'AWS::SQS::QueuePolicy',
  'AWS::SSM::Parameter',
  'AWS::WAFv2::IPSet',
  'AWS::WAFv2::LoggingConfiguration',
  'AWS::WAFv2::RegexPatternSet',
  'AWS::WAFv2::RuleGroup',
  'AWS::WAFv2::WebACLAssociation',
]);

/** Types billed per request, invocation or GB stored: usually cents for one environment. */
const USAGE_TYPES = new Set([
  'AWS::Lambda::Function',
  'AWS::Serverless::Application',
  'AWS::S3::Bucket',
  'AWS::SNS::Topic',
  'AWS::SQS::Queue',
  'AWS::StepFunctions::StateMachine',
  'AWS::CloudFormation::CustomResource',
  'AWS::Lambda::LayerVersion',
]);

/** AWS managed rule groups that bill subscription and request fees on top of the rule fee. */
const PAID_RULE_GROUPS = [
  'AWSManagedRulesBotControlRuleSet',
  'AWSManagedRulesATPRuleSet',
  'AWSManagedRulesACFPRuleSet',
  'AWSManagedRulesAntiDDoSRuleSet',
];

interface Located {
  readonly id: string;
  readonly resource: CfnResource;
  readonly template: Readonly<Record<string, CfnResource>>;
}

const usd = (value: number): string => `$${value < 1 ? String(Number(value.toFixed(4))) : value.toFixed(3)}`;

/** Counts one more of `key`. */
function tally(counts: Record<string, number>, key: string): void {
  counts[key] = (counts[key] ?? 0) + 1;
}
const amount = (value: number): string => String(Math.round(value * 1000) / 1000);

/**
 * Estimates the monthly on-demand cost of one environment from its synthesized stacks, each
 * resource at the prices of its stack's region.
 * Pure: the same stacks, region and usage always give the same figures.
 */
export function estimateCost(input: EstimateInput): CostEstimate {
  const { usage } = input;
  const lines: CostLine[] = [];
  const notes: string[] = [];
  const usageBased: Record<string, number> = {};
  const notPriced: Record<string, number> = {};
  /** Every type a pricing rule looked for; any other type is free, billed per use or not priced. */
  const considered = new Set<string>();
  const pricedForEnvironment = new Set<string>();
  const logGroups = input.stacks.reduce(
    (sum, { template }) =>
      sum + Object.values(template.Resources ?? {}).filter((r) => r.Type === 'AWS::Logs::LogGroup').length,
    0,
  );
  // The environment's own region first, so that what is priced once per environment goes there
  // whenever that region has what it applies to (and log ingestion always).
  for (const region of new Set([input.region, ...input.stacks.map((stack) => stack.region)])) {
    const prices = PRICES[region];
    if (!prices) throw new UnknownRegionError(input.environment, region);
    const located: Located[] = input.stacks
      .filter((stack) => stack.region === region)
      .flatMap(({ template }) => {
        const resources = template.Resources ?? {};
        return Object.entries(resources).map(([id, resource]) => ({ id, resource, template: resources }));
      });
    priceRegion({
      ofType: (type) => {
        considered.add(type);
        return located.filter((r) => r.resource.Type === type);
      },
      prices,
      usage,
      add: (item, detail, monthlyUsd, atMaxUsd = monthlyUsd) =>
        lines.push({ item, region, detail, monthlyUsd, atMaxUsd }),
      notes,
      notPriced,
      logGroups,
      pricedForEnvironment,
    });
  }
  for (const { template } of input.stacks) {
    for (const { Type: type } of Object.values(template.Resources ?? {})) {
      if (considered.has(type) || FREE_TYPES.has(type)) continue;
      tally(USAGE_TYPES.has(type) || type.startsWith('Custom::') ? usageBased : notPriced, type);
    }
  }

  const totalUsd = lines.reduce((sum, line) => sum + line.monthlyUsd, 0);
  const totalAtMaxUsd = lines.reduce((sum, line) => sum + line.atMaxUsd, 0);
  return {
    environment: input.environment,
    region: input.region,
    pricesAsOf: PRICES_AS_OF,
    pricesSource: PRICES_SOURCE,
    usage,
    lines,
    totalUsd,
    totalAtMaxUsd,
    usageBased,
    notPriced,
    notes,
  };
}

type Add = (item: string, detail: string, monthlyUsd: number, atMaxUsd?: number) => void;

/** What pricing the resources of one region needs. */
interface RegionPricing {
  /** The resources of `type` in this region's stacks. */
  readonly ofType: (type: string) => readonly Located[];
  readonly prices: RegionPrices;
  readonly usage: UsageAssumptions;
  readonly add: Add;
  readonly notes: string[];
  readonly notPriced: Record<string, number>;
  /** The log groups of the whole environment (log ingestion is assumed per environment). */
  readonly logGroups: number;
  /**
   * The items priced from an environment-wide usage assumption so far (NAT data, log ingestion):
   * each is priced once, in the first region that has what it applies to.
   */
  readonly pricedForEnvironment: Set<string>;
}

/**
 * The number `value` states, else `fallback`: silently when the property is left out (AWS's
 * default applies), with a note when it is a token (a parameter, a condition) the template does not
 * resolve.
 */
function literalNumber(value: unknown, fallback: number, what: string, notes: string[]): number {
  const stated = numberOf(value);
  if (stated !== undefined) return stated;
  if (value !== undefined) notes.push(`${what} is not a literal in the template (a token): assumed ${fallback}`);
  return fallback;
}

/** Prices the resources of one region of an environment, adding a line per billed item. */
function priceRegion(pricing: RegionPricing): void {
  const { ofType, prices, usage, add, notes, notPriced, pricedForEnvironment } = pricing;
  /** How many subnets `value` lists; a list a template does not spell out counts as one, noted. */
  const subnetCount = (value: unknown, resource: Located): number => {
    if (Array.isArray(value)) return Math.max(1, value.length);
    if (value !== undefined) {
      notes.push(`${resource.id}: its subnets are not listed in the template (a token): counted as one`);
    }
    return 1;
  };
  const addForEnvironment: Add = (item, ...rest) => {
    if (pricedForEnvironment.has(item)) return;
    pricedForEnvironment.add(item);
    add(item, ...rest);
  };
  const hourly = (item: string, count: number, unit: string, price: number) =>
    add(item, `${amount(count)} ${unit} × ${HOURS_PER_MONTH} h × ${usd(price)}`, count * HOURS_PER_MONTH * price);

  // Network: NAT gateways, public IPv4 addresses, interface endpoints.
  const nats = ofType('AWS::EC2::NatGateway').length;
  if (nats > 0) {
    hourly('NAT gateway', nats, 'gateway(s)', prices.natGatewayHour);
    addForEnvironment(
      'NAT data processed',
      `${usage.natDataGb} GB (assumed) × ${usd(prices.natGatewayGb)}`,
      usage.natDataGb * prices.natGatewayGb,
    );
  }
  const interfaceEndpoints = ofType('AWS::EC2::VPCEndpoint').filter(
    (r) => r.resource.Properties?.VpcEndpointType === 'Interface',
  );
  if (interfaceEndpoints.length > 0) {
    const azHours = interfaceEndpoints.reduce((sum, r) => sum + subnetCount(r.resource.Properties?.SubnetIds, r), 0);
    hourly(
      'Interface VPC endpoints',
      azHours,
      `endpoint-AZ(s) (${interfaceEndpoints.length} endpoints)`,
      prices.interfaceEndpointAzHour,
    );
    addForEnvironment(
      'Interface endpoint data',
      `${usage.interfaceEndpointDataGb} GB (assumed) × ${usd(prices.interfaceEndpointGb)}`,
      usage.interfaceEndpointDataGb * prices.interfaceEndpointGb,
    );
  }

  // Load balancers and their public addresses.
  let albPublicIps = 0;
  const albs = ofType('AWS::ElasticLoadBalancingV2::LoadBalancer').filter((r) => {
    const type = r.resource.Properties?.Type ?? 'application';
    const key = `${r.resource.Type} (${String(type)})`;
    if (type !== 'application') tally(notPriced, key);
    return type === 'application';
  });
  for (const alb of albs) {
    const p = alb.resource.Properties ?? {};
    if ((p.Scheme ?? 'internet-facing') === 'internet-facing') {
      albPublicIps += subnetCount(p.Subnets ?? p.SubnetMappings, alb);
    }
  }
  if (albs.length > 0) {
    hourly('Load balancer (ALB)', albs.length, 'ALB(s)', prices.albHour);
    const lcu = usage.albAverageLcu * albs.length;
    add(
      'ALB capacity units',
      `${amount(lcu)} LCU (assumed) × ${HOURS_PER_MONTH} h × ${usd(prices.albLcuHour)}`,
      lcu * HOURS_PER_MONTH * prices.albLcuHour,
    );
  }
  const eips = ofType('AWS::EC2::EIP').length;
  // Instances with a public address on their primary interface (NAT instances) are billed like EIPs.
  const instanceIps = ofType('AWS::EC2::Instance').filter((instance) => {
    const interfaces = (instance.resource.Properties?.NetworkInterfaces ?? []) as {
      AssociatePublicIpAddress?: unknown;
    }[];
    return interfaces.some((networkInterface) => networkInterface.AssociatePublicIpAddress === true);
  }).length;
  if (eips + albPublicIps + instanceIps > 0) {
    hourly(
      'Public IPv4 addresses',
      eips + albPublicIps + instanceIps,
      `address(es) (${eips} Elastic IP, ${albPublicIps} ALB, ${instanceIps} instance)`,
      prices.publicIpv4Hour,
    );
  }

  for (const instance of ofType('AWS::EC2::Instance')) {
    const type = String(instance.resource.Properties?.InstanceType ?? 'm1.small');
    const hourPrice = prices.ec2InstanceHour[type];
    if (hourPrice === undefined) tally(notPriced, `AWS::EC2::Instance (type ${type} not in the price table)`);
    else
      add(
        `EC2 ${type} ${instance.id}`,
        `1 × ${HOURS_PER_MONTH} h × ${usd(hourPrice)} (EBS not included)`,
        HOURS_PER_MONTH * hourPrice,
      );
  }
  priceFargate(pricing);
  priceContainerInsights(pricing);
  priceDatabases(pricing);
  for (const proxy of ofType('AWS::RDS::DBProxy')) priceProxy(proxy, pricing);
  priceCaches(pricing);

  // WAF: each web ACL, its rules and the requests it inspects.
  for (const acl of ofType('AWS::WAFv2::WebACL')) {
    const rules = arrayOf(acl.resource.Properties?.Rules);
    add(
      'WAF web ACL',
      `1 × ${usd(prices.wafWebAclMonth)} + ${rules.length} rule(s) × ${usd(prices.wafRuleMonth)}`,
      prices.wafWebAclMonth + rules.length * prices.wafRuleMonth,
    );
    const millions = usage.requestsPerMonth / 1_000_000;
    add(
      'WAF requests',
      `${amount(millions)} M requests (assumed) × ${usd(prices.wafMillionRequests)}`,
      millions * prices.wafMillionRequests,
    );
    const paid = PAID_RULE_GROUPS.filter((name) => JSON.stringify(rules).includes(`"${name}"`));
    if (paid.length > 0)
      notes.push(`WAF ${acl.id} uses ${paid.join(', ')}: subscription and request fees not included`);
  }

  const count = (type: string) => ofType(type).length;
  const flat = (item: string, n: number, unit: string, price: number) => {
    if (n > 0) add(item, `${n} ${unit} × ${usd(price)}`, n * price);
  };
  flat('Secrets Manager secrets', count('AWS::SecretsManager::Secret'), 'secret(s)', prices.secretMonth);
  flat('KMS keys', count('AWS::KMS::Key'), 'key(s)', prices.kmsKeyMonth);
  const rotationNote =
    'KMS: each of the first two automatic rotations of a key adds $1/month (up to $3/key after two years)';
  const rotates = ofType('AWS::KMS::Key').some((r) => r.resource.Properties?.EnableKeyRotation === true);
  // Said once, though keys in several regions may rotate.
  if (rotates && !notes.includes(rotationNote)) notes.push(rotationNote);

  // CloudWatch alarms are billed per metric they evaluate; high resolution (period < 60 s) costs 3×.
  let standardMetrics = 0;
  let highResMetrics = 0;
  for (const alarm of ofType('AWS::CloudWatch::Alarm')) {
    const { metrics, highRes } = alarmMetrics(alarm.resource);
    if (highRes) highResMetrics += metrics;
    else standardMetrics += metrics;
  }
  flat('CloudWatch alarms', standardMetrics, 'alarm metric(s)', prices.alarmMetricMonth);
  flat('CloudWatch high-resolution alarms', highResMetrics, 'alarm metric(s)', prices.alarmHighResMetricMonth);
  flat('CloudWatch composite alarms', count('AWS::CloudWatch::CompositeAlarm'), 'alarm(s)', prices.compositeAlarmMonth);
  flat('CloudWatch dashboards', count('AWS::CloudWatch::Dashboard'), 'dashboard(s)', prices.dashboardMonth);
  addForEnvironment(
    'CloudWatch Logs ingestion',
    `${usage.logIngestionGb} GB (assumed, ${pricing.logGroups} log groups in the templates) × ${usd(prices.logIngestionGb)}`,
    usage.logIngestionGb * prices.logIngestionGb,
  );

  for (const canary of ofType('AWS::Synthetics::Canary')) {
    const expression = String(objectOf(canary.resource.Properties?.Schedule)?.Expression ?? '');
    const runs = runsPerMonth(expression);
    if (runs === undefined) {
      tally(notPriced, `AWS::Synthetics::Canary (schedule '${expression}')`);
      continue;
    }
    add(
      `Synthetics canary ${canary.id}`,
      `${runs} runs (${expression}) × ${usd(prices.canaryRun)}`,
      runs * prices.canaryRun,
    );
  }

  for (const check of ofType('AWS::Route53::HealthCheck')) {
    const features = healthCheckFeatures(check.resource);
    add(
      `Route 53 health check ${check.id}`,
      `${usd(prices.healthCheckMonth)} + ${features.length} optional feature(s)${features.length ? ` (${features.join(', ')})` : ''} × ${usd(prices.healthCheckFeatureMonth)}`,
      prices.healthCheckMonth + features.length * prices.healthCheckFeatureMonth,
    );
  }
  flat('Route 53 hosted zones', count('AWS::Route53::HostedZone'), 'zone(s)', prices.hostedZoneMonth);

  const repositories = count('AWS::ECR::Repository');
  if (repositories > 0) {
    const gb = repositories * usage.containerImageGbPerRepository;
    add(
      'ECR image storage',
      `${repositories} repo(s) × ${usage.containerImageGbPerRepository} GB (assumed) × ${usd(prices.ecrGbMonth)}`,
      gb * prices.ecrGbMonth,
    );
  }
}

/** vCPU and memory (GB) of a task definition; `Cpu` is CPU units or `1 vCPU`, `Memory` MiB or `2 GB`. */
function taskSize(resource: CfnResource): { vcpu: number; gb: number } | undefined {
  const p = resource.Properties ?? {};
  const cpu = numberOf(p.Cpu) ?? parseUnit(p.Cpu, 'vcpu', 1024);
  const memory = numberOf(p.Memory) ?? parseUnit(p.Memory, 'gb', 1024);
  if (cpu === undefined || memory === undefined) return undefined;
  return { vcpu: cpu / 1024, gb: memory / 1024 };
}

function parseUnit(value: unknown, unit: string, factor: number): number | undefined {
  const match = typeof value === 'string' ? /^\s*([\d.]+)\s*([a-z]+)\s*$/i.exec(value) : null;
  return match && match[2]?.toLowerCase() === unit ? Number(match[1]) * factor : undefined;
}

/** The share of `tasks` that runs on FARGATE_SPOT under `strategy` (base first, then by weight). */
export function spotShare(tasks: number, strategy: readonly unknown[]): number {
  const entries = strategy.map((entry) => {
    const e = objectOf(entry) ?? {};
    return {
      spot: e.CapacityProvider === 'FARGATE_SPOT',
      base: numberOf(e.Base) ?? 0,
      weight: numberOf(e.Weight) ?? 0,
    };
  });
  if (entries.length === 0 || tasks <= 0) return 0;
  let remaining = tasks;
  let spot = 0;
  for (const entry of entries) {
    const taken = Math.min(entry.base, remaining);
    if (entry.spot) spot += taken;
    remaining -= taken;
  }
  const totalWeight = entries.reduce((sum, e) => sum + e.weight, 0);
  if (remaining > 0 && totalWeight > 0) {
    spot += (remaining * entries.filter((e) => e.spot).reduce((sum, e) => sum + e.weight, 0)) / totalWeight;
  }
  return spot / tasks;
}

function priceFargate({ ofType, prices, add, notes, notPriced }: RegionPricing): void {
  const usedTaskDefinitions = new Set<string>();
  for (const service of ofType('AWS::ECS::Service')) {
    const p = service.resource.Properties ?? {};
    const [taskDefinitionId] = referencesIn(p.TaskDefinition);
    const taskDefinition = taskDefinitionId ? service.template[taskDefinitionId] : undefined;
    if (taskDefinitionId) usedTaskDefinitions.add(taskDefinitionId);
    const size = taskDefinition ? taskSize(taskDefinition) : undefined;
    if (p.LaunchType !== undefined && p.LaunchType !== 'FARGATE' && !p.CapacityProviderStrategy) {
      tally(notPriced, `AWS::ECS::Service (launch type ${String(p.LaunchType)})`);
      continue;
    }
    if (!taskDefinition || !size) {
      tally(notPriced, 'AWS::ECS::Service (task size not readable)');
      continue;
    }
    const target = Object.values(service.template).find(
      (r) =>
        r.Type === 'AWS::ApplicationAutoScaling::ScalableTarget' &&
        referencesIn(r.Properties?.ResourceId).includes(service.id),
    );
    const desired = literalNumber(p.DesiredCount, 1, `Fargate ${service.id}: DesiredCount`, notes);
    const min = literalNumber(target?.Properties?.MinCapacity, desired, `Fargate ${service.id}: MinCapacity`, notes);
    const max = literalNumber(target?.Properties?.MaxCapacity, desired, `Fargate ${service.id}: MaxCapacity`, notes);
    const strategy = arrayOf(p.CapacityProviderStrategy).length
      ? arrayOf(p.CapacityProviderStrategy)
      : clusterDefaultStrategy(service, p.LaunchType === undefined);
    const arch = String(objectOf(taskDefinition.Properties?.RuntimePlatform)?.CpuArchitecture ?? 'X86_64');
    const onDemand = arch === 'ARM64' ? prices.fargate.arm64 : prices.fargate.x86;
    const spotRate = prices.fargate.spot;
    const perTask = (rate: { vcpuHour: number; gbHour: number }) =>
      (size.vcpu * rate.vcpuHour + size.gb * rate.gbHour) * HOURS_PER_MONTH;
    const monthly = (tasks: number) => {
      const spot = spotShare(tasks, strategy) * tasks;
      return spot * perTask(spotRate) + (tasks - spot) * perTask(onDemand);
    };
    const share = spotShare(min, strategy);
    if (share > 0 && arch === 'ARM64') {
      notes.push(
        `Fargate ${service.id}: FARGATE_SPOT with ARM64, priced at the x86 Spot rate (the price table has no ARM64 Spot rate)`,
      );
    }
    const mix = share === 0 ? 'on-demand' : share === 1 ? 'Spot' : `${Math.round(share * 100)} % Spot`;
    add(
      `Fargate ${service.id}`,
      `${min}..${max} task(s) × (${amount(size.vcpu)} vCPU + ${amount(size.gb)} GB) ${arch} ${mix} × ${HOURS_PER_MONTH} h`,
      monthly(min),
      monthly(max),
    );
  }
  for (const r of ofType('AWS::ECS::TaskDefinition')) {
    if (!usedTaskDefinitions.has(r.id)) {
      notes.push(`Fargate task definition ${r.id} has no service: billed per run (e.g. migrations), not included`);
    }
  }
}

/**
 * The metrics Container Insights (standard) publishes on Fargate, by the CloudWatch user guide's
 * list for ECS: CPU and memory reserved and used, network received and sent, storage read and
 * written, ephemeral storage reserved and used at each level; the cluster also counts its tasks
 * and services, and each service its desired, running and pending tasks, deployments and task sets.
 */
const CONTAINER_INSIGHTS_METRICS = { cluster: 12, service: 15, taskFamily: 10 } as const;

/**
 * Container Insights bills its metrics as CloudWatch custom metrics; their performance log events
 * are part of the log ingestion assumption. Enhanced observability is billed per observation,
 * which the table does not price.
 */
function priceContainerInsights({ ofType, prices, add, notPriced }: RegionPricing): void {
  const services = ofType('AWS::ECS::Service');
  for (const cluster of ofType('AWS::ECS::Cluster')) {
    const settings = arrayOf(cluster.resource.Properties?.ClusterSettings).map(objectOf);
    // Without the setting, the account's default decides, which a template cannot tell; Berth
    // always sets it.
    const insights = settings.find((setting) => setting?.Name === 'containerInsights')?.Value;
    if (insights === undefined || insights === 'disabled') continue;
    if (insights !== 'enabled') {
      tally(notPriced, `Container Insights (${String(insights)}) on AWS::ECS::Cluster`);
      continue;
    }
    // The task families the services run; a task definition run without a service (a migration)
    // publishes only while it runs.
    const inCluster = services.filter((s) => referencesIn(s.resource.Properties?.Cluster).includes(cluster.id));
    const families = new Set(inCluster.flatMap((s) => referencesIn(s.resource.Properties?.TaskDefinition))).size;
    const { cluster: perCluster, service: perService, taskFamily: perFamily } = CONTAINER_INSIGHTS_METRICS;
    const metrics = perCluster + inCluster.length * perService + families * perFamily;
    add(
      `Container Insights ${cluster.id}`,
      `${metrics} metric(s) (assumed: ${perCluster} + ${inCluster.length} service(s) × ${perService} + ${families} task famil${families === 1 ? 'y' : 'ies'} × ${perFamily}) × ${usd(prices.customMetricMonth)}`,
      metrics * prices.customMetricMonth,
    );
  }
}

/** The cluster's default capacity provider strategy, for a service that names no launch type. */
function clusterDefaultStrategy(service: Located, noLaunchType: boolean): readonly unknown[] {
  if (!noLaunchType) return [];
  const clusters = referencesIn(service.resource.Properties?.Cluster);
  const association = Object.values(service.template).find(
    (r) =>
      r.Type === 'AWS::ECS::ClusterCapacityProviderAssociations' &&
      referencesIn(r.Properties?.Cluster).some((id) => clusters.includes(id)),
  );
  return arrayOf(association?.Properties?.DefaultCapacityProviderStrategy);
}

function priceDatabases({ ofType, prices, usage, add, notes, notPriced }: RegionPricing): void {
  for (const db of ofType('AWS::RDS::DBInstance')) {
    const p = db.resource.Properties ?? {};
    const instanceClass = String(p.DBInstanceClass ?? '').replace(/^db\./, '');
    const hourPrice = prices.rdsInstanceHour[instanceClass];
    if (p.DBClusterIdentifier !== undefined) {
      tally(notPriced, 'AWS::RDS::DBInstance (Aurora cluster member)');
      continue;
    }
    if (hourPrice === undefined) {
      tally(notPriced, `AWS::RDS::DBInstance (class db.${instanceClass} not in the price table)`);
      continue;
    }
    if (typeof p.Engine === 'string' && p.Engine !== 'postgres') {
      notes.push(`RDS ${db.id}: engine ${p.Engine} priced at PostgreSQL rates`);
    }
    const multiAz = p.MultiAZ === true || p.MultiAZ === 'true';
    if (p.MultiAZ !== undefined && !['true', 'false'].includes(String(p.MultiAZ)))
      notes.push(`RDS ${db.id}: MultiAZ is not a literal in the template (a token): assumed Single-AZ`);
    const copies = multiAz ? 2 : 1;
    const az = multiAz ? 'Multi-AZ' : 'Single-AZ';
    add(
      `RDS db.${instanceClass} ${az}`,
      `${copies} × ${HOURS_PER_MONTH} h × ${usd(hourPrice)}`,
      copies * HOURS_PER_MONTH * hourPrice,
    );
    const storage = literalNumber(p.AllocatedStorage, 20, `RDS ${db.id}: AllocatedStorage`, notes);
    const storageType = String(p.StorageType ?? 'gp2');
    if (!['gp2', 'gp3'].includes(storageType))
      notes.push(`RDS ${db.id}: ${storageType} storage priced as gp3, IOPS not included`);
    add(
      `RDS storage (${storageType})`,
      `${storage} GB × ${copies} × ${usd(prices.rdsGp3GbMonth)} (autoscaling may grow it)`,
      storage * copies * prices.rdsGp3GbMonth,
    );
    const retention = literalNumber(p.BackupRetentionPeriod, 1, `RDS ${db.id}: BackupRetentionPeriod`, notes);
    // Automated backups: a full copy (free up to the provisioned size) plus one day of changes per
    // retained day; only the changes exceed the free allowance.
    const backupGb = (storage * retention * usage.databaseDailyChangePercent) / 100;
    add(
      'RDS backup storage beyond free',
      `${storage} GB × ${retention} days × ${usage.databaseDailyChangePercent} % daily change (assumed) × ${usd(prices.rdsBackupGbMonth)}`,
      backupGb * prices.rdsBackupGbMonth,
    );
    if (p.EnablePerformanceInsights === true) {
      const days = numberOf(p.PerformanceInsightsRetentionPeriod) ?? 7;
      const vcpus = RDS_VCPUS_BY_SIZE[instanceClass.split('.')[1] ?? ''] ?? 2;
      if (days <= 7) add('Performance Insights', '7 days retention: free tier', 0);
      else {
        add(
          'Performance Insights',
          `${days} days retention: ${vcpus} vCPU × ${HOURS_PER_MONTH} h × ${usd(prices.performanceInsightsVcpuHour)}`,
          vcpus * HOURS_PER_MONTH * prices.performanceInsightsVcpuHour,
        );
      }
    }
  }
}

function priceProxy(proxy: Located, { prices, add, notPriced }: RegionPricing): void {
  const targetGroup = Object.values(proxy.template).find(
    (r) => r.Type === 'AWS::RDS::DBProxyTargetGroup' && referencesIn(r.Properties?.DBProxyName).includes(proxy.id),
  );
  const [instanceId] = referencesIn(targetGroup?.Properties?.DBInstanceIdentifiers);
  const instanceClass = String(proxy.template[instanceId ?? '']?.Properties?.DBInstanceClass ?? '').replace(
    /^db\./,
    '',
  );
  const vcpus = RDS_VCPUS_BY_SIZE[instanceClass.split('.')[1] ?? ''];
  if (vcpus === undefined) {
    tally(notPriced, 'AWS::RDS::DBProxy (target instance not found)');
    return;
  }
  add(
    'RDS Proxy',
    `${vcpus} vCPU × ${HOURS_PER_MONTH} h × ${usd(prices.rdsProxyVcpuHour)}`,
    vcpus * HOURS_PER_MONTH * prices.rdsProxyVcpuHour,
  );
}

function priceCaches({ ofType, prices, add, notes, notPriced }: RegionPricing): void {
  for (const cache of [...ofType('AWS::ElastiCache::ReplicationGroup'), ...ofType('AWS::ElastiCache::CacheCluster')]) {
    const { Type: type, Properties: p = {} } = cache.resource;
    const count = (field: string, fallback: number) =>
      literalNumber(p[field], fallback, `ElastiCache ${cache.id}: ${field}`, notes);
    const nodes =
      type === 'AWS::ElastiCache::CacheCluster'
        ? count('NumCacheNodes', 1)
        : p.NumNodeGroups !== undefined
          ? count('NumNodeGroups', 1) * (count('ReplicasPerNodeGroup', 0) + 1)
          : Array.isArray(p.NodeGroupConfiguration)
            ? p.NodeGroupConfiguration.reduce<number>(
                (sum, group, i) =>
                  sum +
                  1 +
                  literalNumber(
                    objectOf(group)?.ReplicaCount,
                    0,
                    `ElastiCache ${cache.id}: NodeGroupConfiguration[${i}].ReplicaCount`,
                    notes,
                  ),
                0,
              )
            : count('NumCacheClusters', 1);
    const nodeType = String(p.CacheNodeType ?? '');
    const listPrice = prices.elastiCacheNodeHour[nodeType];
    if (listPrice === undefined) {
      tally(notPriced, `${type} (node type ${nodeType} not in the price table)`);
      continue;
    }
    const valkey = String(p.Engine ?? '').toLowerCase() === 'valkey';
    const hourPrice = valkey ? listPrice * (1 - VALKEY_NODE_DISCOUNT) : listPrice;
    add(
      `ElastiCache ${nodeType}${valkey ? ' (Valkey, 20 % off)' : ''}`,
      `${nodes} node(s) × ${HOURS_PER_MONTH} h × ${usd(hourPrice)}`,
      nodes * HOURS_PER_MONTH * hourPrice,
    );
  }
}

/** Metrics an alarm evaluates (metric math counts each metric it reads) and whether any is high resolution. */
function alarmMetrics(alarm: CfnResource): { metrics: number; highRes: boolean } {
  const p = alarm.Properties ?? {};
  const queries = arrayOf(p.Metrics).map((q) => objectOf(q) ?? {});
  if (queries.length === 0) return { metrics: 1, highRes: (numberOf(p.Period) ?? 60) < 60 };
  const stats = queries.map((q) => objectOf(q.MetricStat)).filter((s) => s !== undefined);
  const anomaly = queries.some((q) => String(q.Expression ?? '').includes('ANOMALY_DETECTION_BAND'));
  return {
    metrics: Math.max(1, stats.length) * (anomaly ? 3 : 1),
    highRes: stats.some((s) => (numberOf(s.Period) ?? 60) < 60),
  };
}

/** Runs per 730-hour month of a `rate(...)` schedule; undefined for other expressions. */
export function runsPerMonth(expression: string): number | undefined {
  const match = /^rate\((\d+) (minute|minutes|hour|hours)\)$/.exec(expression.trim());
  if (!match) return undefined;
  const every = Number(match[1]) * (match[2]?.startsWith('hour') ? 60 : 1);
  if (every === 0) return 1;
  return Math.floor((HOURS_PER_MONTH * 60) / every);
}

/** The optional, separately billed features a Route 53 health check uses. */
function healthCheckFeatures(check: CfnResource): string[] {
  const config = objectOf(check.Properties?.HealthCheckConfig) ?? {};
  const type = String(config.Type ?? '');
  const features: string[] = [];
  if (type.startsWith('HTTPS')) features.push('HTTPS');
  if (type.endsWith('STR_MATCH')) features.push('string matching');
  if (numberOf(config.RequestInterval) === 10) features.push('fast interval');
  if (config.MeasureLatency === true) features.push('latency measurement');
  return features;
}
