/**
 * On-demand list prices, in USD, for the resources the cost estimate prices. Plain data, one entry
 * per region; add a region by copying one and filling in its figures from the pricing pages.
 *
 * Source: the AWS public pricing pages (aws.amazon.com/<service>/pricing: VPC/NAT gateway, Elastic
 * Load Balancing, Fargate, RDS for PostgreSQL, ElastiCache, WAF, Secrets Manager, KMS, CloudWatch,
 * Route 53, PrivateLink, ECR, Amazon VPC public IPv4). Compiled offline in November 2026 from the
 * list prices as last published to the compiler's knowledge (2025): verify them before relying on
 * a figure, and update `PRICES_AS_OF` when you do.
 *
 * Cross-checked on 22 November 2026 against secondary sources that quote the AWS pages (no AWS
 * pricing page was reachable offline): the us-east-1 NAT gateway hour and GB, ALB hour and LCU, and
 * Fargate x86 and ARM vCPU/GB hours match 2026 transcriptions of those pages; WAF's $5 ACL, $1 rule
 * and $0.60 per million requests match, and an AWS blog states WAF prices are the same in every
 * region; KMS's $1 a key matches. Every other figure is unchecked.
 */

/** When the table was compiled; printed with every estimate. */
export const PRICES_AS_OF = 'November 2026 (list prices as of 2025, verify)';
/** Where the figures come from; printed with every estimate. */
export const PRICES_SOURCE = 'AWS public on-demand pricing pages (aws.amazon.com/<service>/pricing)';
/** Hours in a billing month, as the AWS pricing pages count them. */
export const HOURS_PER_MONTH = 730;

/** The prices of one region. Per-hour figures are per hour; per-month figures per 730 hours. */
export interface RegionPrices {
  /** NAT gateway: per gateway-hour and per GB processed. */
  readonly natGatewayHour: number;
  readonly natGatewayGb: number;
  /** Application Load Balancer: per ALB-hour and per LCU-hour. */
  readonly albHour: number;
  readonly albLcuHour: number;
  /** Fargate Linux, per vCPU-hour and per GB-hour, by CPU architecture; Spot is x86 only. */
  readonly fargate: {
    readonly x86: { readonly vcpuHour: number; readonly gbHour: number };
    readonly arm64: { readonly vcpuHour: number; readonly gbHour: number };
    /** Fargate Spot varies with capacity; this is a typical figure (about 70 % off on-demand). */
    readonly spot: { readonly vcpuHour: number; readonly gbHour: number };
  };
  /** RDS for PostgreSQL Single-AZ instance-hour by class (without `db.`); Multi-AZ is twice. */
  readonly rdsInstanceHour: Readonly<Record<string, number>>;
  /** RDS gp3 storage per GB-month, Single-AZ (Multi-AZ is twice). */
  readonly rdsGp3GbMonth: number;
  /** RDS backup storage beyond the free allowance (100 % of provisioned storage), per GB-month. */
  readonly rdsBackupGbMonth: number;
  /** Performance Insights beyond the free 7 days (Database Insights Advanced), per vCPU-hour. */
  readonly performanceInsightsVcpuHour: number;
  /** ElastiCache node-hour for Redis OSS by node type (with `cache.`); Valkey is 20 % less. */
  readonly elastiCacheNodeHour: Readonly<Record<string, number>>;
  /** WAFv2: per web ACL-month, per rule or rule group-month, per million requests. */
  readonly wafWebAclMonth: number;
  readonly wafRuleMonth: number;
  readonly wafMillionRequests: number;
  /** Secrets Manager per secret-month. */
  readonly secretMonth: number;
  /** KMS customer managed key per key-month. */
  readonly kmsKeyMonth: number;
  /** CloudWatch: standard and high-resolution alarm per metric-month, composite alarm, dashboard. */
  readonly alarmMetricMonth: number;
  readonly alarmHighResMetricMonth: number;
  readonly compositeAlarmMonth: number;
  readonly dashboardMonth: number;
  /** CloudWatch Logs ingestion per GB. */
  readonly logIngestionGb: number;
  /** CloudWatch custom metric per metric-month (first 10,000 metrics), as Container Insights bills. */
  readonly customMetricMonth: number;
  /** CloudWatch Synthetics per canary run. */
  readonly canaryRun: number;
  /** Route 53: health check of an AWS endpoint per month, plus per optional feature; hosted zone. */
  readonly healthCheckMonth: number;
  readonly healthCheckFeatureMonth: number;
  readonly hostedZoneMonth: number;
  /** Interface VPC endpoint per AZ-hour and per GB processed. */
  readonly interfaceEndpointAzHour: number;
  readonly interfaceEndpointGb: number;
  /** Public IPv4 address per hour (in use or idle). */
  readonly publicIpv4Hour: number;
  /** ECR private repository storage per GB-month. */
  readonly ecrGbMonth: number;
  /** RDS Proxy per vCPU-hour of the database behind it. */
  readonly rdsProxyVcpuHour: number;
  /** EC2 Linux on-demand instance-hour by type (e.g. a NAT instance); EBS volumes not included. */
  readonly ec2InstanceHour: Readonly<Record<string, number>>;
}

const US_EAST_1: RegionPrices = {
  natGatewayHour: 0.045,
  natGatewayGb: 0.045,
  albHour: 0.0225,
  albLcuHour: 0.008,
  fargate: {
    x86: { vcpuHour: 0.04048, gbHour: 0.004445 },
    arm64: { vcpuHour: 0.03238, gbHour: 0.00356 },
    spot: { vcpuHour: 0.01214, gbHour: 0.00133 },
  },
  rdsInstanceHour: {
    't4g.micro': 0.016,
    't4g.small': 0.032,
    't4g.medium': 0.065,
    't4g.large': 0.129,
    't4g.xlarge': 0.258,
    't4g.2xlarge': 0.517,
    't3.micro': 0.018,
    't3.small': 0.036,
    't3.medium': 0.072,
    't3.large': 0.145,
    't3.xlarge': 0.29,
    'm6g.large': 0.152,
    'm6g.xlarge': 0.304,
    'm6g.2xlarge': 0.608,
    'm7g.large': 0.168,
    'm7g.xlarge': 0.337,
    'm5.large': 0.178,
    'm5.xlarge': 0.356,
    'm6i.large': 0.178,
    'r6g.large': 0.225,
    'r6g.xlarge': 0.45,
    'r6g.2xlarge': 0.899,
    'r7g.large': 0.239,
    'r7g.xlarge': 0.478,
    'r5.large': 0.25,
    'r5.xlarge': 0.5,
    'r6i.large': 0.25,
  },
  rdsGp3GbMonth: 0.115,
  rdsBackupGbMonth: 0.095,
  performanceInsightsVcpuHour: 0.0125,
  elastiCacheNodeHour: {
    'cache.t4g.micro': 0.016,
    'cache.t4g.small': 0.032,
    'cache.t4g.medium': 0.065,
    'cache.t3.micro': 0.017,
    'cache.t3.small': 0.034,
    'cache.t3.medium': 0.068,
    'cache.m6g.large': 0.149,
    'cache.m7g.large': 0.158,
    'cache.m5.large': 0.156,
    'cache.r6g.large': 0.206,
    'cache.r7g.large': 0.219,
    'cache.r5.large': 0.216,
  },
  wafWebAclMonth: 5,
  wafRuleMonth: 1,
  wafMillionRequests: 0.6,
  secretMonth: 0.4,
  kmsKeyMonth: 1,
  alarmMetricMonth: 0.1,
  alarmHighResMetricMonth: 0.3,
  compositeAlarmMonth: 0.5,
  dashboardMonth: 3,
  logIngestionGb: 0.5,
  customMetricMonth: 0.3,
  canaryRun: 0.0012,
  healthCheckMonth: 0.5,
  healthCheckFeatureMonth: 1,
  hostedZoneMonth: 0.5,
  interfaceEndpointAzHour: 0.01,
  interfaceEndpointGb: 0.01,
  publicIpv4Hour: 0.005,
  ecrGbMonth: 0.1,
  rdsProxyVcpuHour: 0.015,
  ec2InstanceHour: {
    't4g.nano': 0.0042,
    't4g.micro': 0.0084,
    't4g.small': 0.0168,
    't3.nano': 0.0052,
    't3.micro': 0.0104,
    't3.small': 0.0208,
  },
};

const EU_WEST_1: RegionPrices = {
  natGatewayHour: 0.048,
  natGatewayGb: 0.048,
  albHour: 0.0252,
  albLcuHour: 0.008,
  fargate: {
    x86: { vcpuHour: 0.04048, gbHour: 0.004445 },
    arm64: { vcpuHour: 0.03238, gbHour: 0.00356 },
    spot: { vcpuHour: 0.01268, gbHour: 0.00139 },
  },
  rdsInstanceHour: {
    't4g.micro': 0.017,
    't4g.small': 0.034,
    't4g.medium': 0.068,
    't4g.large': 0.136,
    't4g.xlarge': 0.272,
    't4g.2xlarge': 0.544,
    't3.micro': 0.019,
    't3.small': 0.038,
    't3.medium': 0.076,
    't3.large': 0.152,
    't3.xlarge': 0.304,
    'm6g.large': 0.168,
    'm6g.xlarge': 0.336,
    'm6g.2xlarge': 0.672,
    'm7g.large': 0.185,
    'm7g.xlarge': 0.37,
    'm5.large': 0.197,
    'm5.xlarge': 0.394,
    'm6i.large': 0.197,
    'r6g.large': 0.247,
    'r6g.xlarge': 0.494,
    'r6g.2xlarge': 0.988,
    'r7g.large': 0.263,
    'r7g.xlarge': 0.526,
    'r5.large': 0.275,
    'r5.xlarge': 0.55,
    'r6i.large': 0.275,
  },
  rdsGp3GbMonth: 0.127,
  rdsBackupGbMonth: 0.095,
  performanceInsightsVcpuHour: 0.0138,
  elastiCacheNodeHour: {
    'cache.t4g.micro': 0.0176,
    'cache.t4g.small': 0.035,
    'cache.t4g.medium': 0.07,
    'cache.t3.micro': 0.018,
    'cache.t3.small': 0.036,
    'cache.t3.medium': 0.073,
    'cache.m6g.large': 0.164,
    'cache.m7g.large': 0.174,
    'cache.m5.large': 0.171,
    'cache.r6g.large': 0.227,
    'cache.r7g.large': 0.241,
    'cache.r5.large': 0.238,
  },
  wafWebAclMonth: 5,
  wafRuleMonth: 1,
  wafMillionRequests: 0.6,
  secretMonth: 0.4,
  kmsKeyMonth: 1,
  alarmMetricMonth: 0.1,
  alarmHighResMetricMonth: 0.3,
  compositeAlarmMonth: 0.5,
  dashboardMonth: 3,
  logIngestionGb: 0.57,
  customMetricMonth: 0.3,
  canaryRun: 0.0012,
  healthCheckMonth: 0.5,
  healthCheckFeatureMonth: 1,
  hostedZoneMonth: 0.5,
  interfaceEndpointAzHour: 0.011,
  interfaceEndpointGb: 0.01,
  publicIpv4Hour: 0.005,
  ecrGbMonth: 0.1,
  rdsProxyVcpuHour: 0.0165,
  ec2InstanceHour: {
    't4g.nano': 0.0046,
    't4g.micro': 0.0092,
    't4g.small': 0.0184,
    't3.nano': 0.0057,
    't3.micro': 0.0114,
    't3.small': 0.0228,
  },
};

/** Prices by region. Regions missing here make the estimate fail with the list of these. */
export const PRICES: Readonly<Record<string, RegionPrices>> = {
  'us-east-1': US_EAST_1,
  'eu-west-1': EU_WEST_1,
};

/** vCPUs per RDS instance size, for Performance Insights and RDS Proxy (both priced per vCPU). */
export const RDS_VCPUS_BY_SIZE: Readonly<Record<string, number>> = {
  micro: 2,
  small: 2,
  medium: 2,
  large: 2,
  xlarge: 4,
  '2xlarge': 8,
  '4xlarge': 16,
  '8xlarge': 32,
};

/** Valkey nodes cost 20 % less than Redis OSS nodes of the same type. */
export const VALKEY_NODE_DISCOUNT = 0.2;
