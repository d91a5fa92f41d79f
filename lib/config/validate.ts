export { ConfigError, exitOnConfigError, ProblemList } from './problems';

import { checkAlarms } from './alarms';
import { KNOWN_REGIONS, LOG_RETENTION_DAYS } from './aws-values';
import { checkCi, ciAccountProblems } from './ci';
import { checkCost, sharedAccountBudgetProblems } from './cost';
import { checkEdge, sharedHostedZoneProblems } from './edge';
import {
  defaultMaxConnections,
  instanceMemoryGiB,
  knownInstanceFamilies,
  RDS_CONNECTION_CAP,
} from './instance-classes';
import { ConfigError, ProblemList, show } from './problems';
import { checkRelease } from './release';
import { COMPOSED_SECRET_KEYS, checkService } from './service';
import type { EnvironmentConfig, EvictionPolicy, InterfaceEndpointName, ProductionWaiver } from './types';

const INTERFACE_ENDPOINTS: readonly InterfaceEndpointName[] = [
  'ecr.api',
  'ecr.dkr',
  'logs',
  'secretsmanager',
  'kms',
  'ssmmessages',
  'monitoring',
  'sts',
];

const WAIVERS: readonly ProductionWaiver[] = [
  'database.multiAz',
  'database.deletionProtection',
  'cache.multiAz',
  'network.natGatewayPerAz',
];

const EVICTION_POLICIES: readonly EvictionPolicy[] = [
  'volatile-lru',
  'allkeys-lru',
  'volatile-lfu',
  'allkeys-lfu',
  'volatile-random',
  'allkeys-random',
  'volatile-ttl',
  'noeviction',
];

const MONITORING_INTERVALS = [1, 5, 10, 15, 30, 60];
/** Names RDS reserves or PostgreSQL creates itself. */
const RESERVED_DATABASE_NAMES = ['postgres', 'template0', 'template1', 'rdsadmin'];

const ENV_VAR_NAME = /^[A-Z][A-Z0-9_]*$/;
const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

/** Minutes since midnight for `hh:mm`, or undefined when malformed. */
function minutesOf(clock: string): number | undefined {
  const match = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(clock);
  return match ? Number(match[1]) * 60 + Number(match[2]) : undefined;
}

/** Minutes since Monday 00:00 for `ddd:hh:mm`, or undefined when malformed. */
function weekMinutesOf(moment: string): number | undefined {
  const day = DAYS.indexOf(moment.slice(0, 3).toLowerCase());
  const minutes = minutesOf(moment.slice(4));
  if (day < 0 || moment[3] !== ':' || minutes === undefined) return undefined;
  return day * 24 * 60 + minutes;
}

/** Splits `a-b`, returning the two halves when both parse. */
function windowOf<T>(text: string, parse: (part: string) => T | undefined): [T, T] | undefined {
  const parts = text.split('-');
  if (parts.length !== 2) return undefined;
  const [start, end] = parts.map(parse);
  return start === undefined || end === undefined ? undefined : [start, end];
}

/** True when two cyclic intervals `[start, end)` on a clock of `period` minutes overlap. */
function overlaps(a: [number, number], b: [number, number], period: number): boolean {
  const covered = (window: [number, number]): Set<number> => {
    const minutes = new Set<number>();
    for (let m = window[0]; m !== window[1]; m = (m + 1) % period) minutes.add(m);
    return minutes;
  };
  const first = covered(a);
  return [...covered(b)].some((minute) => first.has(minute));
}

function durationMinutes(window: [number, number], period: number): number {
  return (window[1] - window[0] + period) % period;
}

function isCidr(cidr: string): boolean {
  const match = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(cidr);
  if (!match) return false;
  const octets = match.slice(1, 5).map(Number);
  const prefix = Number(match[5]);
  if (octets.some((octet) => octet > 255) || prefix > 32) return false;
  const address = octets.reduce((acc, octet) => acc * 256 + octet, 0);
  // The address must be the network address of its block, as EC2 requires.
  return address % 2 ** (32 - prefix) === 0;
}

function checkNetwork(env: EnvironmentConfig, problems: ProblemList): void {
  const { network } = env;
  if (!isCidr(network.cidr)) {
    problems.add('network.cidr', 'an IPv4 network in CIDR notation such as 10.0.0.0/16', network.cidr);
  } else {
    const prefix = Number(network.cidr.split('/')[1]);
    problems.check(
      prefix >= 16 && prefix <= 20,
      'network.cidr',
      'a block from /16 to /20 (room for three subnet tiers in every AZ, ALB subnets of /26 or more)',
      network.cidr,
    );
  }
  const azCount = env.availabilityZones.length;
  problems.integer('network.natGateways', network.natGateways, 1, Math.max(azCount, 1));
  productionGuardrail(env, problems, {
    waiver: 'network.natGatewayPerAz',
    ok: network.natGateways >= azCount,
    field: 'network.natGateways',
    allowed: `one per AZ (${azCount})`,
    given: network.natGateways,
  });
  if (network.natProvider !== undefined) {
    problems.oneOf('network.natProvider', network.natProvider, ['gateway', 'instance'] as const);
  }
  problems.check(
    !(env.production && network.natProvider === 'instance'),
    'network.natProvider',
    "'gateway' in a production environment (a NAT instance has no failover)",
    network.natProvider,
  );
  problems.oneOf('network.flowLogRetentionDays', network.flowLogRetentionDays, LOG_RETENTION_DAYS);
  for (const endpoint of network.interfaceEndpoints) {
    problems.oneOf('network.interfaceEndpoints[]', endpoint, INTERFACE_ENDPOINTS);
  }
  const duplicates = network.interfaceEndpoints.filter((e, i, all) => all.indexOf(e) !== i);
  problems.check(duplicates.length === 0, 'network.interfaceEndpoints', 'free of duplicates', duplicates);
}

function checkDatabase(env: EnvironmentConfig, problems: ProblemList): void {
  const db = env.database;
  problems.check(
    /^(16|17|18)\.\d+$/.test(db.postgresVersion),
    'database.postgresVersion',
    'a PostgreSQL MAJOR.MINOR version of a supported major (16, 17 or 18), e.g. 18.3',
    db.postgresVersion,
  );
  const memoryGiB = instanceMemoryGiB(db.instanceClass);
  problems.check(
    memoryGiB !== undefined,
    'database.instanceClass',
    `an RDS class without the 'db.' prefix, FAMILY.SIZE with FAMILY one of ${knownInstanceFamilies()}`,
    db.instanceClass,
  );
  problems.integer('database.allocatedStorageGiB', db.allocatedStorageGiB, 20, 65536);
  // RDS refuses a maximum storage threshold less than 10 % above the allocated storage.
  const minimumMaxStorage = Math.ceil((db.allocatedStorageGiB * 11) / 10);
  problems.check(
    Number.isInteger(db.maxAllocatedStorageGiB) &&
      db.maxAllocatedStorageGiB >= minimumMaxStorage &&
      db.maxAllocatedStorageGiB <= 65536,
    'database.maxAllocatedStorageGiB',
    `an integer from ${minimumMaxStorage} (allocatedStorageGiB ${db.allocatedStorageGiB} + 10 %, RDS's minimum for storage autoscaling) to 65536`,
    db.maxAllocatedStorageGiB,
  );
  problems.integer('database.backupRetentionDays', db.backupRetentionDays, 1, 35);

  const backup = windowOf(db.backupWindow, minutesOf);
  if (!backup) {
    problems.add('database.backupWindow', "a UTC window 'hh:mm-hh:mm'", db.backupWindow);
  } else {
    problems.check(
      durationMinutes(backup, 24 * 60) >= 30,
      'database.backupWindow',
      'at least 30 minutes long',
      db.backupWindow,
    );
  }
  const maintenance = windowOf(db.maintenanceWindow, weekMinutesOf);
  if (!maintenance) {
    problems.add(
      'database.maintenanceWindow',
      "a UTC window 'ddd:hh:mm-ddd:hh:mm' such as 'sun:04:30-sun:05:30'",
      db.maintenanceWindow,
    );
  } else {
    problems.check(
      durationMinutes(maintenance, 7 * 24 * 60) >= 30,
      'database.maintenanceWindow',
      'at least 30 minutes long',
      db.maintenanceWindow,
    );
    if (backup) {
      const day = 24 * 60;
      const daily = [0, 1, 2, 3, 4, 5, 6].some((d) =>
        overlaps(maintenance, [backup[0] + d * day, (backup[1] + d * day) % (7 * day)], 7 * day),
      );
      problems.check(
        !daily,
        'database.maintenanceWindow',
        `clear of the daily backup window (${db.backupWindow})`,
        db.maintenanceWindow,
      );
    }
  }

  trueInProduction(env, problems, 'database.multiAz', db.multiAz);
  trueInProduction(env, problems, 'database.deletionProtection', db.deletionProtection);
  problems.check(
    db.performanceInsightsRetentionDays === 7 ||
      (Number.isInteger(db.performanceInsightsRetentionDays) &&
        db.performanceInsightsRetentionDays % 31 === 0 &&
        db.performanceInsightsRetentionDays >= 31 &&
        db.performanceInsightsRetentionDays <= 731),
    'database.performanceInsightsRetentionDays',
    '7 (free tier) or a multiple of 31 from 31 to 731',
    db.performanceInsightsRetentionDays,
  );
  problems.oneOf('database.monitoringIntervalSeconds', db.monitoringIntervalSeconds, MONITORING_INTERVALS);
  problems.integer('database.credentialRotationDays', db.credentialRotationDays, 1, 365);
  problems.integer('database.slowQueryThresholdMs', db.slowQueryThresholdMs, 0, 3_600_000);
  problems.check(
    /^[a-z][a-z0-9_]{0,62}$/.test(db.databaseName) && !RESERVED_DATABASE_NAMES.includes(db.databaseName),
    'database.databaseName',
    `a lower-case PostgreSQL identifier (letter first, up to 63 of a-z, 0-9, _) other than ${RESERVED_DATABASE_NAMES.join(', ')}`,
    db.databaseName,
  );

  const budget = db.connectionBudget;
  problems.integer('database.connectionBudget.poolSize', budget.poolSize, 1, 1000);
  problems.integer('database.connectionBudget.maxOverflow', budget.maxOverflow, 0, 1000);
  problems.integer('database.connectionBudget.headroom', budget.headroom, 3, 1000);
  if (db.maxConnections !== undefined) {
    problems.integer('database.maxConnections', db.maxConnections, 25, RDS_CONNECTION_CAP);
  }
  problems.optionalBoolean('database.proxy', db.proxy);
  const maxConnections = maxConnectionsOf(env);
  if (maxConnections === undefined) return;
  if (db.proxy === true) {
    // The proxy queues what does not fit, so only its own share of the connections is checked.
    problems.check(
      (proxyMaxConnectionsPercent(env) ?? 0) >= 1,
      'database.connectionBudget.headroom',
      `below max_connections ${maxConnections} of db.${db.instanceClass} by at least 1 %, so that the proxy may open connections`,
      budget.headroom,
    );
    return;
  }
  const needed = (budget.poolSize + budget.maxOverflow) * env.service.maxTasks + budget.headroom;
  problems.check(
    needed <= maxConnections,
    'database.connectionBudget',
    `within max_connections ${maxConnections} of db.${db.instanceClass}: (poolSize + maxOverflow) × service.maxTasks + headroom = (${budget.poolSize} + ${budget.maxOverflow}) × ${env.service.maxTasks} + ${budget.headroom}; lower the pool, lower maxTasks, choose a larger class or put an RDS Proxy in front (database.proxy: true)`,
    needed,
  );
}

function checkCache(env: EnvironmentConfig, problems: ProblemList): void {
  const cache = env.cache;
  problems.oneOf('cache.engine', cache.engine, ['redis', 'valkey'] as const);
  const versionPattern = cache.engine === 'valkey' ? /^(7\.2|8\.[0-9])$/ : /^7\.[0-9]$/;
  problems.check(
    versionPattern.test(cache.engineVersion),
    'cache.engineVersion',
    cache.engine === 'valkey' ? 'a Valkey version 7.2 or 8.x' : 'a Redis 7.x version such as 7.1',
    cache.engineVersion,
  );
  problems.check(
    /^cache\.(t3|t4g|m5|m6g|m7g|r5|r6g|r7g)\.(micro|small|medium|large|[0-9]*xlarge)$/.test(cache.nodeType),
    'cache.nodeType',
    "an ElastiCache node type such as 'cache.t4g.micro' (families t3, t4g, m5, m6g, m7g, r5, r6g, r7g)",
    cache.nodeType,
  );
  problems.integer('cache.replicas', cache.replicas, 0, 5);
  problems.check(
    !cache.multiAz || cache.replicas >= 1,
    'cache.replicas',
    'at least 1 when cache.multiAz is true (failover needs a replica)',
    cache.replicas,
  );
  trueInProduction(env, problems, 'cache.multiAz', cache.multiAz);
  problems.integer('cache.snapshotRetentionDays', cache.snapshotRetentionDays, 0, 35);
  problems.oneOf('cache.evictionPolicy', cache.evictionPolicy, EVICTION_POLICIES);
}

function checkSecrets(env: EnvironmentConfig, problems: ProblemList): void {
  const { generatedKeys, thirdParty } = env.secrets;
  const all = [...generatedKeys, ...thirdParty];
  for (const [field, names] of [
    ['secrets.generatedKeys[]', generatedKeys],
    ['secrets.thirdParty[]', thirdParty],
  ] as const) {
    for (const name of names) {
      problems.check(ENV_VAR_NAME.test(name), field, 'an environment variable name in UPPER_SNAKE_CASE', name);
      problems.check(
        !COMPOSED_SECRET_KEYS.includes(name),
        field,
        `a name other than ${COMPOSED_SECRET_KEYS.join(' and ')} (Berth composes those)`,
        name,
      );
    }
  }
  const duplicates = all.filter((name, i) => all.indexOf(name) !== i);
  problems.check(
    duplicates.length === 0,
    'secrets',
    'a list where each name appears once across generatedKeys and thirdParty',
    duplicates,
  );
}

/** A production check that `waiver` may lift: `<field> must be <allowed> in a production environment, or waive ...`. */
function productionGuardrail(
  env: EnvironmentConfig,
  problems: ProblemList,
  check: { waiver: ProductionWaiver; ok: boolean; field: string; allowed: string; given: unknown },
): void {
  if (!env.production || check.ok || env.waivers?.includes(check.waiver)) return;
  problems.add(check.field, `${check.allowed} in a production environment, or waive '${check.waiver}'`, check.given);
}

/** A production switch named like its waiver, which must be on unless waived. */
function trueInProduction(
  env: EnvironmentConfig,
  problems: ProblemList,
  field: 'database.multiAz' | 'database.deletionProtection' | 'cache.multiAz',
  value: boolean,
): void {
  productionGuardrail(env, problems, { waiver: field, ok: value, field, allowed: 'true', given: value });
}

/** The `max_connections` the database of this environment runs with, when its class is known. */
export function maxConnectionsOf(env: EnvironmentConfig): number | undefined {
  if (env.database.maxConnections !== undefined) return env.database.maxConnections;
  const memoryGiB = instanceMemoryGiB(env.database.instanceClass);
  return memoryGiB === undefined ? undefined : defaultMaxConnections(memoryGiB);
}

/**
 * The share of `max_connections` an RDS Proxy may open (its `MaxConnectionsPercent`): all but the
 * connection budget's headroom, which stays free for the credential rotation (it connects to the
 * instance, not the proxy). Undefined when `max_connections` is unknown.
 */
export function proxyMaxConnectionsPercent(env: EnvironmentConfig): number | undefined {
  const maxConnections = maxConnectionsOf(env);
  if (maxConnections === undefined) return undefined;
  return Math.floor((100 * (maxConnections - env.database.connectionBudget.headroom)) / maxConnections);
}

/**
 * Sections every other check reads. Synth strips TypeScript types without checking them, so a
 * section left out of the config reaches here as `undefined`.
 */
const REQUIRED_SECTIONS = [
  'network',
  'database',
  'cache',
  'secrets',
  'service',
  'edge',
  'release',
  'alarms',
  'cost',
] as const satisfies readonly (keyof EnvironmentConfig)[];

/** Problems with the shape of `env`: sections that are not objects, lists that are not lists. */
function shapeProblems(env: EnvironmentConfig, problems: ProblemList): void {
  for (const section of REQUIRED_SECTIONS) {
    const value: unknown = env[section];
    problems.check(typeof value === 'object' && value !== null && !Array.isArray(value), section, 'an object', value);
  }
  problems.check(
    Array.isArray(env.availabilityZones),
    'availabilityZones',
    'a list of 2 or 3 AZs',
    env.availabilityZones,
  );
}

/** Checks one environment and returns its problems (empty when it is valid). */
export function environmentProblems(env: EnvironmentConfig): readonly string[] {
  const problems = new ProblemList(env.name || '(unnamed)');
  shapeProblems(env, problems);
  // The checks below read into every section; report the missing ones instead of crashing.
  if (problems.list.length > 0) return problems.list;
  problems.check(
    /^[a-z][a-z0-9-]{0,19}$/.test(env.name),
    'name',
    'lower-case letters, digits and dashes, starting with a letter, at most 20 characters',
    env.name,
  );
  problems.check(/^\d{12}$/.test(env.account), 'account', 'a 12-digit AWS account id', env.account);
  problems.oneOf('region', env.region, KNOWN_REGIONS);
  const azs = env.availabilityZones;
  problems.check(azs.length >= 2 && azs.length <= 3, 'availabilityZones', 'a list of 2 or 3 AZs', azs);
  for (const az of azs) {
    problems.check(
      new RegExp(`^${env.region}[a-z]$`).test(az),
      'availabilityZones[]',
      `an AZ of region ${env.region} such as ${env.region}a`,
      az,
    );
  }
  problems.check(new Set(azs).size === azs.length, 'availabilityZones', 'free of duplicates', azs);
  for (const waiver of env.waivers ?? []) {
    problems.oneOf('waivers[]', waiver, WAIVERS);
  }
  if (!env.production && (env.waivers ?? []).length > 0) {
    problems.add(
      'waivers',
      'empty outside production (non-production environments have nothing to waive)',
      env.waivers,
    );
  }
  problems.oneOf('logRetentionDays', env.logRetentionDays, LOG_RETENTION_DAYS);
  checkNetwork(env, problems);
  checkDatabase(env, problems);
  checkCache(env, problems);
  checkSecrets(env, problems);
  checkService(env, problems);
  checkEdge(env, problems);
  checkRelease(env.release, problems);
  checkCi(env, problems);
  checkAlarms(env, problems);
  checkCost(env.cost, problems);
  return problems.list;
}

/**
 * Validates every environment and returns them unchanged, or throws one `ConfigError` listing
 * every problem of every environment.
 */
export function validateEnvironments(environments: readonly EnvironmentConfig[]): readonly EnvironmentConfig[] {
  const problems: string[] = [];
  if (environments.length === 0) {
    problems.push('[app] environments must list at least one environment, got: []');
  }
  const names = environments.map((env) => env.name);
  const repeated = names.filter((name, i) => names.indexOf(name) !== i);
  if (repeated.length > 0) {
    problems.push(`[app] environment names must be unique, got: ${show(repeated)} more than once`);
  }
  for (const env of environments) problems.push(...environmentProblems(env));
  problems.push(...ciAccountProblems(environments));
  problems.push(...sharedAccountBudgetProblems(environments));
  problems.push(...sharedHostedZoneProblems(environments));
  if (problems.length > 0) throw new ConfigError(problems);
  return environments;
}
