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
  service: { minTasks: 1, maxTasks: 2 },
  // The usage assumptions default to a small team's dev month (see DEFAULT_USAGE).
  cost: { monthlyBudgetUsd: 100 },
};

export const staging: EnvironmentConfig = {
  ...dev,
  name: 'staging',
  account: '222222222222',
  logRetentionDays: 30,
  network: { ...dev.network, cidr: '10.20.0.0/16', flowLogRetentionDays: 30 },
  database: {
    ...dev.database,
    instanceClass: 't4g.small',
    connectionBudget: { poolSize: 10, maxOverflow: 10, headroom: 10 },
  },
  cache: { ...dev.cache, snapshotRetentionDays: 3 },
  service: { minTasks: 1, maxTasks: 4 },
  cost: { monthlyBudgetUsd: 150, usage: { requestsPerMonth: 3_000_000 } },
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
  service: { minTasks: 2, maxTasks: 10 },
  cost: {
    monthlyBudgetUsd: 600,
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
