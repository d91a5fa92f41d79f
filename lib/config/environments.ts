import type { AlarmsConfig } from './alarms';
import type { EdgeConfig } from './edge';
import type { ServiceConfig } from './service';
import type { EnvironmentConfig } from './types';

/**
 * The example environments. Replace the account ids, regions and AZs with your own; every other
 * value is a production-minded default you can tune per environment.
 *
 * Sizes follow the seeds' "small scale (10k DAU)" guidance for prod, on Graviton classes, and the
 * cheapest sensible footprint for dev.
 */

const SECRETS = {
  generatedKeys: ['SECRET_KEY', 'JWT_SECRET_KEY'],
  thirdParty: ['CLERK_SECRET_KEY', 'OPENAI_API_KEY', 'SENTRY_DSN'],
} as const;

/**
 * Replace with your own public hosted zones (Route 53 console: zone name and id), one in each
 * environment's account: a stack writes DNS records only into zones of its own account. Here prod
 * owns `example.com`, and dev and staging own the subdomains it delegates to them.
 */
const HOSTED_ZONES = {
  dev: { id: 'Z0DEV456789ABCDEFGHIJ', name: 'dev.example.com' },
  staging: { id: 'Z0STAGING9ABCDEFGHIJ', name: 'staging.example.com' },
  prod: { id: 'Z0123456789ABCDEFGHIJ', name: 'example.com' },
} as const;

/** The seeds' edge: rate limit 100 requests per IP per minute, a year of HSTS. */
const EDGE: EdgeConfig = {
  hostNames: ['api.example.com'],
  tls: { mode: 'dns-validated', hostedZone: HOSTED_ZONES.prod },
  securityHeaders: {
    strictTransportSecurity: 'max-age=31536000; includeSubDomains',
    frameOptions: 'DENY',
    contentTypeOptionsNoSniff: true,
  },
  waf: {
    rateLimitRequests: 100,
    rateLimitWindowSeconds: 60,
    managedRuleGroups: [
      // SizeRestrictions_BODY blocks request bodies over 8 KB, which JSON APIs routinely send.
      { name: 'AWSManagedRulesCommonRuleSet', overrides: [{ rule: 'SizeRestrictions_BODY', action: 'count' }] },
      { name: 'AWSManagedRulesKnownBadInputsRuleSet' },
      { name: 'AWSManagedRulesAmazonIpReputationList' },
    ],
    logRetentionDays: 30,
  },
  accessLogRetentionDays: 90,
  idleTimeoutSeconds: 60,
};

/** The seeds' FastAPI service: 0.5 vCPU / 1 GiB on Graviton, /health every 30 s, CPU target 70 %. */
const SERVICE: ServiceConfig = {
  minTasks: 2,
  maxTasks: 10,
  cpu: 512,
  memoryMiB: 1024,
  cpuArchitecture: 'ARM64',
  spot: false,
  image: { tag: '1.0.0' },
  containerPort: 8000,
  healthCheckPath: '/health',
  healthCheckGracePeriodSeconds: 60,
  environment: { DEBUG: 'false', LOG_LEVEL: 'info', CORS_ORIGINS: 'https://app.example.com' },
  readonlyRootFilesystem: true,
  user: '1000:1000',
  scaling: {
    cpuTargetPercent: 70,
    memoryTargetPercent: 80,
    requestsPerTarget: 1000,
    scaleOutCooldownSeconds: 60,
    scaleInCooldownSeconds: 300,
  },
};

/** The seeds' FastAPI apps migrate with Alembic; the timeout leaves room for a large backfill. */
const RELEASE = {
  migrationCommand: ['alembic', 'upgrade', 'head'],
  migrationTimeoutMinutes: 30,
} as const;

/**
 * The GitHub repository that deploys Berth, as its OIDC tokens name it: replace it with yours
 * (README, "CI/CD", one-time setup step 2, says how to read its IDs and when it is `owner/name`).
 */
const CI = { repository: 'example-org@1234567/berth@987654321' } as const;
/**
 * The seeds' "Key Metrics to Monitor": p95 latency > 1 s, errors > 1 %, DB connections > 80 % of
 * max, CPU > 80 %, memory > 85 %, disk free < 20 %, Redis evictions > 0. Periods are one minute
 * unless the field says otherwise, so `evaluationPeriods: 5` means "sustained for five minutes".
 */
const ALARMS: AlarmsConfig = {
  notificationEmails: ['oncall@example.com'],
  api: {
    latencyP95Seconds: { threshold: 1, evaluationPeriods: 5 },
    errorRatePercent: { threshold: 1, evaluationPeriods: 5 },
    unhealthyTargets: { threshold: 0, evaluationPeriods: 3 },
    runningTasks: { evaluationPeriods: 5 },
    cpuPercent: { threshold: 80, evaluationPeriods: 10 },
    memoryPercent: { threshold: 85, evaluationPeriods: 5 },
  },
  database: {
    connectionsPercentOfMax: { threshold: 80, evaluationPeriods: 5 },
    freeStoragePercent: { threshold: 20, evaluationPeriods: 1 },
    cpuPercent: { threshold: 80, evaluationPeriods: 10 },
    freeableMemoryPercent: { threshold: 10, evaluationPeriods: 10 },
  },
  cache: {
    evictions: { threshold: 0, evaluationPeriods: 1 },
    memoryPercent: { threshold: 80, evaluationPeriods: 5 },
    engineCpuPercent: { threshold: 90, evaluationPeriods: 5 },
  },
  wafBlockedRequests: { threshold: 1000, evaluationPeriods: 1 },
  uptime: { evaluationPeriods: 2 },
};

/** Every example environment keeps 30 days of backups, the seeds' retention. */
const BACKUPS = {
  backupRetentionDays: 30,
  backupWindow: '03:00-04:00',
  maintenanceWindow: 'sun:04:30-sun:05:30',
} as const;

export const dev: EnvironmentConfig = {
  name: 'dev',
  account: '111111111111',
  region: 'eu-west-1',
  availabilityZones: ['eu-west-1a', 'eu-west-1b'],
  production: false,
  logRetentionDays: 14,
  network: {
    cidr: '10.10.0.0/16',
    natGateways: 1,
    // A t4g.nano NAT instance instead of a NAT gateway keeps dev under its $100 budget.
    natProvider: 'instance',
    flowLogRetentionDays: 14,
    interfaceEndpoints: [],
  },
  database: {
    postgresVersion: '18.3',
    instanceClass: 't4g.micro',
    allocatedStorageGiB: 20,
    maxAllocatedStorageGiB: 50,
    multiAz: false,
    ...BACKUPS,
    deletionProtection: false,
    performanceInsightsRetentionDays: 7,
    monitoringIntervalSeconds: 60,
    credentialRotationDays: 30,
    slowQueryThresholdMs: 500,
    databaseName: 'app',
    connectionBudget: { poolSize: 5, maxOverflow: 5, headroom: 10 },
  },
  cache: {
    engine: 'valkey',
    engineVersion: '8.0',
    nodeType: 'cache.t4g.micro',
    replicas: 0,
    multiAz: false,
    snapshotRetentionDays: 1,
    evictionPolicy: 'volatile-lru',
  },
  secrets: SECRETS,
  // The same ARM64 image as prod, so one build is promoted through every environment, on the
  // smallest task size. Not Spot: with one task, each interruption would take dev down for minutes.
  service: {
    ...SERVICE,
    minTasks: 1,
    maxTasks: 2,
    cpu: 256,
    memoryMiB: 512,
    // ~$11 a month of custom metrics that would take dev past its $100 budget; the alarms and
    // the dashboard read the load balancer's and ECS's free metrics.
    containerInsights: false,
    environment: { ...SERVICE.environment, LOG_LEVEL: 'debug', CORS_ORIGINS: 'https://dev.example.com' },
  },
  edge: {
    ...EDGE,
    hostNames: ['api.dev.example.com'],
    tls: { mode: 'dns-validated', hostedZone: HOSTED_ZONES.dev },
    waf: { ...EDGE.waf, logRetentionDays: 14 },
  },
  release: RELEASE,
  ci: CI,
  alarms: { ...ALARMS, notificationEmails: ['dev-alerts@example.com'] },
  // The usage assumptions default to a small team's dev month (see DEFAULT_USAGE).
  cost: { monthlyBudgetUsd: 100 },
};

export const staging: EnvironmentConfig = {
  ...dev,
  name: 'staging',
  account: '222222222222',
  logRetentionDays: 30,
  // Staging keeps prod's kind of NAT, so what passes there behaves the same in prod.
  network: { ...dev.network, cidr: '10.20.0.0/16', flowLogRetentionDays: 30, natProvider: 'gateway' },
  database: {
    ...dev.database,
    instanceClass: 't4g.small',
    connectionBudget: { poolSize: 10, maxOverflow: 10, headroom: 10 },
  },
  cache: { ...dev.cache, snapshotRetentionDays: 3 },
  service: {
    ...SERVICE,
    minTasks: 1,
    maxTasks: 4,
    environment: { ...SERVICE.environment, CORS_ORIGINS: 'https://staging.example.com' },
  },
  edge: {
    ...EDGE,
    hostNames: ['api.staging.example.com'],
    tls: { mode: 'dns-validated', hostedZone: HOSTED_ZONES.staging },
  },
  // The estimate is ~$156 a month, ~$200 at max tasks: the 80 % alert fires past $200 of actual spend.
  cost: { monthlyBudgetUsd: 250, usage: { requestsPerMonth: 3_000_000 } },
};

export const prod: EnvironmentConfig = {
  name: 'prod',
  account: '333333333333',
  region: 'eu-west-1',
  availabilityZones: ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'],
  production: true,
  logRetentionDays: 90,
  network: {
    cidr: '10.30.0.0/16',
    natGateways: 3,
    flowLogRetentionDays: 90,
    interfaceEndpoints: ['ecr.api', 'ecr.dkr', 'logs', 'secretsmanager'],
  },
  database: {
    postgresVersion: '18.3',
    instanceClass: 't4g.medium',
    allocatedStorageGiB: 100,
    maxAllocatedStorageGiB: 500,
    multiAz: true,
    ...BACKUPS,
    deletionProtection: true,
    performanceInsightsRetentionDays: 7,
    monitoringIntervalSeconds: 30,
    credentialRotationDays: 30,
    slowQueryThresholdMs: 500,
    databaseName: 'app',
    connectionBudget: { poolSize: 10, maxOverflow: 20, headroom: 10 },
  },
  cache: {
    engine: 'valkey',
    engineVersion: '8.0',
    nodeType: 'cache.t4g.small',
    replicas: 1,
    multiAz: true,
    snapshotRetentionDays: 7,
    evictionPolicy: 'volatile-lru',
  },
  secrets: SECRETS,
  service: SERVICE,
  edge: { ...EDGE, waf: { ...EDGE.waf, logRetentionDays: 90 } },
  release: RELEASE,
  ci: CI,
  alarms: ALARMS,
  cost: {
    monthlyBudgetUsd: 700,
    // 10k daily users × ~100 requests a day; logs include flow logs of all traffic and WAF logs.
    usage: {
      requestsPerMonth: 30_000_000,
      albAverageLcu: 1,
      natDataGb: 100,
      logIngestionGb: 30,
      interfaceEndpointDataGb: 50,
    },
  },
};

/** The environments `bin/app.ts` synthesizes, in deploy order. */
export const environments: readonly EnvironmentConfig[] = [dev, staging, prod];
