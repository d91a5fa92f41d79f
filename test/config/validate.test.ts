import { composeApp } from '../../lib/app';
import { dev, environments, prod, staging } from '../../lib/config/environments';
import type { EnvironmentConfig } from '../../lib/config/types';
import {
  exitOnConfigError,
  maxConnectionsOf,
  proxyMaxConnectionsPercent,
  validateEnvironments,
} from '../../lib/config/validate';
import { testApp } from '../support/test-app';
import { problemsOf, variant } from '../support/variant';

describe('the example configuration', () => {
  test('is valid', () => {
    expect(problemsOf(...environments)).toEqual([]);
  });

  test('keeps 30 days of backups in every environment', () => {
    expect(environments.map((env) => env.database.backupRetentionDays)).toEqual([30, 30, 30]);
  });
});

describe('validateEnvironments rejects', () => {
  // Each row: what is wrong, the environment, and a fragment the single message must contain.
  const cases: [string, EnvironmentConfig, string][] = [
    ['a malformed name', variant(dev, { name: 'Dev_1' }), '[Dev_1] name must be lower-case letters'],
    [
      'a malformed account id',
      variant(dev, { account: '12345' }),
      "[dev] account must be a 12-digit AWS account id, got: '12345'",
    ],
    [
      'an unknown region',
      variant(dev, { region: 'eu-west-9', availabilityZones: ['eu-west-9a', 'eu-west-9b'] }),
      '[dev] region must be one of us-east-1',
    ],
    [
      'a single AZ',
      variant(dev, { availabilityZones: ['eu-west-1a'] }),
      '[dev] availabilityZones must be a list of 2 or 3 AZs, got: ["eu-west-1a"]',
    ],
    [
      'an AZ of another region',
      variant(dev, { availabilityZones: ['eu-west-1a', 'us-east-1b'] }),
      "[dev] availabilityZones[] must be an AZ of region eu-west-1 such as eu-west-1a, got: 'us-east-1b'",
    ],
    [
      'a repeated AZ',
      variant(dev, { availabilityZones: ['eu-west-1a', 'eu-west-1a'] }),
      '[dev] availabilityZones must be free of duplicates',
    ],
    [
      'a malformed CIDR',
      variant(dev, { network: { cidr: '10.0.0/16' } }),
      "[dev] network.cidr must be an IPv4 network in CIDR notation such as 10.0.0.0/16, got: '10.0.0/16'",
    ],
    [
      'a CIDR that is not a network address',
      variant(dev, { network: { cidr: '10.0.0.1/16' } }),
      '[dev] network.cidr must be an IPv4 network',
    ],
    [
      'a VPC too small for three subnet tiers',
      variant(dev, { network: { cidr: '10.0.0.0/24' } }),
      '[dev] network.cidr must be a block from /16 to /20',
    ],
    [
      'no NAT gateway',
      variant(dev, { network: { natGateways: 0 } }),
      '[dev] network.natGateways must be an integer in 1..2, got: 0',
    ],
    [
      'a shared NAT gateway in prod',
      variant(prod, { network: { natGateways: 1 } }),
      "[prod] network.natGateways must be one per AZ (3) in a production environment, or waive 'network.natGatewayPerAz', got: 1",
    ],
    [
      'an unsupported flow-log retention',
      variant(dev, { network: { flowLogRetentionDays: 10 } }),
      '[dev] network.flowLogRetentionDays must be one of 1, 3, 5, 7, 14',
    ],
    [
      'an unknown interface endpoint',
      variant(dev, { network: { interfaceEndpoints: ['dynamodb' as never] } }),
      '[dev] network.interfaceEndpoints[] must be one of ecr.api',
    ],
    [
      'an old PostgreSQL major',
      variant(dev, { database: { postgresVersion: '12.5' } }),
      "[dev] database.postgresVersion must be a PostgreSQL MAJOR.MINOR version of a supported major (16, 17 or 18), e.g. 18.3, got: '12.5'",
    ],
    [
      'an unknown instance class',
      variant(dev, { database: { instanceClass: 'db.t4g.medium' } }),
      "[dev] database.instanceClass must be an RDS class without the 'db.' prefix",
    ],
    [
      'storage autoscaling with no room to grow',
      variant(dev, { database: { maxAllocatedStorageGiB: 20 } }),
      "[dev] database.maxAllocatedStorageGiB must be an integer from 22 (allocatedStorageGiB 20 + 10 %, RDS's minimum for storage autoscaling) to 65536, got: 20",
    ],
    [
      'a storage maximum less than 10 % above the allocation, which RDS refuses',
      variant(dev, { database: { allocatedStorageGiB: 100, maxAllocatedStorageGiB: 109 } }),
      "[dev] database.maxAllocatedStorageGiB must be an integer from 110 (allocatedStorageGiB 100 + 10 %, RDS's minimum for storage autoscaling) to 65536, got: 109",
    ],
    [
      'too little storage',
      variant(dev, { database: { allocatedStorageGiB: 10 } }),
      '[dev] database.allocatedStorageGiB must be an integer in 20..65536, got: 10',
    ],
    [
      'backup retention above 35 days',
      variant(dev, { database: { backupRetentionDays: 40 } }),
      '[dev] database.backupRetentionDays must be an integer in 1..35, got: 40',
    ],
    [
      'backups switched off',
      variant(dev, { database: { backupRetentionDays: 0 } }),
      '[dev] database.backupRetentionDays must be an integer in 1..35, got: 0',
    ],
    [
      'a malformed backup window',
      variant(dev, { database: { backupWindow: '3am-4am' } }),
      "[dev] database.backupWindow must be a UTC window 'hh:mm-hh:mm', got: '3am-4am'",
    ],
    [
      'a backup window under 30 minutes',
      variant(dev, { database: { backupWindow: '03:00-03:15' } }),
      '[dev] database.backupWindow must be at least 30 minutes long',
    ],
    [
      'a malformed maintenance window',
      variant(dev, { database: { maintenanceWindow: 'sunday 4am' } }),
      "[dev] database.maintenanceWindow must be a UTC window 'ddd:hh:mm-ddd:hh:mm'",
    ],
    [
      'a maintenance window overlapping the backups',
      variant(dev, { database: { maintenanceWindow: 'tue:03:30-tue:04:30' } }),
      '[dev] database.maintenanceWindow must be clear of the daily backup window (03:00-04:00)',
    ],
    [
      'a single-AZ database in prod',
      variant(prod, { database: { multiAz: false } }),
      "[prod] database.multiAz must be true in a production environment, or waive 'database.multiAz', got: false",
    ],
    [
      'an unprotected database in prod',
      variant(prod, { database: { deletionProtection: false } }),
      '[prod] database.deletionProtection must be true in a production environment',
    ],
    [
      'a Performance Insights retention RDS rejects',
      variant(dev, { database: { performanceInsightsRetentionDays: 30 } }),
      '[dev] database.performanceInsightsRetentionDays must be 7 (free tier) or a multiple of 31 from 31 to 731, got: 30',
    ],
    [
      'an enhanced-monitoring interval RDS rejects',
      variant(dev, { database: { monitoringIntervalSeconds: 20 } }),
      '[dev] database.monitoringIntervalSeconds must be one of 1, 5, 10, 15, 30, 60, got: 20',
    ],
    [
      'a credential rotation beyond a year',
      variant(dev, { database: { credentialRotationDays: 400 } }),
      '[dev] database.credentialRotationDays must be an integer in 1..365, got: 400',
    ],
    [
      'a reserved database name',
      variant(dev, { database: { databaseName: 'postgres' } }),
      '[dev] database.databaseName must be a lower-case PostgreSQL identifier',
    ],
    [
      'an overcommitted connection budget',
      variant(prod, { service: { maxTasks: 20 } }),
      '[prod] database.connectionBudget must be within max_connections 450 of db.t4g.medium: (poolSize + maxOverflow) × service.maxTasks + headroom = (10 + 20) × 20 + 10; lower the pool, lower maxTasks, choose a larger class or put an RDS Proxy in front (database.proxy: true), got: 610',
    ],
    [
      'a proxy switch that is not a boolean',
      variant(dev, { database: { proxy: 'yes' as never } }),
      "[dev] database.proxy must be true or false, got: 'yes'",
    ],
    [
      'a proxy left no connection by the headroom',
      variant(dev, { database: { proxy: true, maxConnections: 100, connectionBudget: { headroom: 100 } } }),
      '[dev] database.connectionBudget.headroom must be below max_connections 100 of db.t4g.micro by at least 1 %, so that the proxy may open connections, got: 100',
    ],
    [
      'max_connections above the RDS cap',
      variant(dev, { database: { maxConnections: 6000 } }),
      '[dev] database.maxConnections must be an integer in 25..5000, got: 6000',
    ],
    [
      'a Redis version under Valkey',
      variant(dev, { cache: { engine: 'valkey', engineVersion: '6.2' } }),
      "[dev] cache.engineVersion must be a Valkey version 7.2 or 8.x, got: '6.2'",
    ],
    [
      'an unknown cache node type',
      variant(dev, { cache: { nodeType: 't4g.micro' } }),
      "[dev] cache.nodeType must be an ElastiCache node type such as 'cache.t4g.micro'",
    ],
    [
      'a Multi-AZ cache without a replica',
      variant(dev, { cache: { multiAz: true, replicas: 0 } }),
      '[dev] cache.replicas must be at least 1 when cache.multiAz is true (failover needs a replica), got: 0',
    ],
    [
      'a single-AZ cache in prod',
      variant(prod, { cache: { multiAz: false } }),
      "[prod] cache.multiAz must be true in a production environment, or waive 'cache.multiAz', got: false",
    ],
    [
      'a snapshot retention above 35 days',
      variant(dev, { cache: { snapshotRetentionDays: 36 } }),
      '[dev] cache.snapshotRetentionDays must be an integer in 0..35, got: 36',
    ],
    [
      'an unknown eviction policy',
      variant(dev, { cache: { evictionPolicy: 'lru' as never } }),
      '[dev] cache.evictionPolicy must be one of volatile-lru',
    ],
    [
      'a secret name that is no environment variable',
      variant(dev, { secrets: { thirdParty: ['sentry-dsn'] } }),
      "[dev] secrets.thirdParty[] must be an environment variable name in UPPER_SNAKE_CASE, got: 'sentry-dsn'",
    ],
    [
      'a secret named like a composed connection string',
      variant(dev, { secrets: { generatedKeys: ['DATABASE_URL'] } }),
      '[dev] secrets.generatedKeys[] must be a name other than DATABASE_URL and REDIS_URL (Berth composes those)',
    ],
    [
      'a secret listed twice',
      variant(dev, { secrets: { generatedKeys: ['SECRET_KEY'], thirdParty: ['SECRET_KEY'] } }),
      '[dev] secrets must be a list where each name appears once across generatedKeys and thirdParty, got: ["SECRET_KEY"]',
    ],
    [
      'min tasks above max tasks',
      variant(dev, { service: { minTasks: 3, maxTasks: 2 } }),
      '[dev] service.minTasks must be at most service.maxTasks (2), got: 3',
    ],
    [
      'a single task in prod',
      variant(prod, { service: { minTasks: 1 } }),
      '[prod] service.minTasks must be an integer in 2..1000, got: 1',
    ],
    [
      'an unknown waiver',
      variant(prod, { waivers: ['database.backups' as never] }),
      '[prod] waivers[] must be one of database.multiAz',
    ],
    [
      'a waiver outside production',
      variant(dev, { waivers: ['database.multiAz'] }),
      '[dev] waivers must be empty outside production',
    ],
    [
      'an unsupported log retention',
      variant(dev, { logRetentionDays: 45 }),
      '[dev] logRetentionDays must be one of 1, 3, 5',
    ],
    // Service tier
    [
      'a CPU size Fargate does not offer',
      variant(dev, { service: { cpu: 300 } }),
      '[dev] service.cpu must be one of 256, 512, 1024',
    ],
    [
      'a memory size that does not fit the CPU',
      variant(dev, { service: { cpu: 512, memoryMiB: 512 } }),
      '[dev] service.memoryMiB must be a Fargate memory size for cpu 512: 1024..4096 in steps of 1024, got: 512',
    ],
    [
      'Fargate Spot in prod',
      variant(prod, { service: { spot: true, cpuArchitecture: 'X86_64' } }),
      '[prod] service.spot must be false in a production environment',
    ],
    [
      'a NAT instance in prod',
      variant(prod, { network: { natProvider: 'instance' } }),
      "[prod] network.natProvider must be 'gateway' in a production environment (a NAT instance has no failover), got: 'instance'",
    ],
    [
      'ECS Exec given as a string',
      variant(prod, { service: { ecsExec: 'no' as unknown as boolean } }),
      "[prod] service.ecsExec must be true or false, got: 'no'",
    ],
    [
      'Container Insights given as a string',
      variant(dev, { service: { containerInsights: 'yes' as unknown as boolean } }),
      "[dev] service.containerInsights must be true or false, got: 'yes'",
    ],
    [
      'the latest tag',
      variant(dev, { service: { image: { tag: 'latest' } } }),
      "[dev] service.image.tag must be a pinned image tag (letters, digits, '_', '.', '-'; up to 128; not 'latest'), got: 'latest'",
    ],
    [
      'a malformed image tag',
      variant(dev, { service: { image: { tag: 'v1 beta' } } }),
      '[dev] service.image.tag must be a pinned image tag',
    ],
    [
      'both a repository and a URI',
      variant(dev, { service: { image: { tag: '1', repositoryName: 'api', uri: 'ghcr.io/a/b' } } }),
      '[dev] service.image must be at most one of repositoryName and uri',
    ],
    [
      'an image URI with a tag in it',
      variant(dev, { service: { image: { tag: '1', uri: 'ghcr.io/a/b:2' } } }),
      '[dev] service.image.uri must be an image reference without tag',
    ],
    [
      'a container port out of range',
      variant(dev, { service: { containerPort: 70000 } }),
      '[dev] service.containerPort must be an integer in 1..65535, got: 70000',
    ],
    [
      'a health path without a leading slash',
      variant(dev, { service: { healthCheckPath: 'health' } }),
      "[dev] service.healthCheckPath must be a URL path starting with '/'",
    ],
    [
      'a plain variable named like a secret',
      variant(dev, { service: { environment: { STRIPE_API_KEY: 'x' } } }),
      '[dev] service.environment.STRIPE_API_KEY must be a non-secret value; put credentials in secrets.thirdParty',
    ],
    [
      'a plain variable holding a credential',
      variant(dev, { service: { environment: { BILLING: 'sk_live_abc123' } } }),
      "got: '<a value that looks like a credential>'",
    ],
    [
      'a connection string with a password as a plain variable',
      variant(dev, { service: { environment: { UPSTREAM: 'postgres://u:p@db:5432/x' } } }),
      '[dev] service.environment.UPSTREAM must be a non-secret value',
    ],
    [
      'a plain variable Berth sets itself',
      variant(dev, { service: { environment: { DB_HOST: 'localhost' } } }),
      '[dev] service.environment.DB_HOST must be a name Berth does not set itself',
    ],
    [
      'a secret the data tier does not define',
      variant(dev, { service: { secrets: ['STRIPE_KEY'] } }),
      '[dev] service.secrets[] must be a secret the data tier defines (DB_USER, DB_PASSWORD, REDIS_AUTH_TOKEN',
    ],
    [
      'running as root',
      variant(dev, { service: { user: '0' } }),
      "[dev] service.user must be a numeric non-root 'uid' or 'uid:gid'",
    ],
    [
      'a CPU target above 95 %',
      variant(dev, { service: { scaling: { cpuTargetPercent: 99 } } }),
      '[dev] service.scaling.cpuTargetPercent must be an integer in 10..95, got: 99',
    ],
    // Edge
    [
      'plain HTTP in prod',
      variant(prod, { edge: { tls: { mode: 'plain-http-dev-only' } } }),
      "[prod] edge.tls.mode must be 'dns-validated' or 'existing-certificate' in a production environment (TLS is required)",
    ],
    [
      'no hosted zone for DNS validation',
      variant(prod, { edge: { tls: { mode: 'dns-validated', hostedZone: undefined } as never } }),
      '[prod] edge.tls.hostedZone must be a hosted zone { id, name } for DNS validation',
    ],
    [
      'a certificate from another region',
      variant(prod, {
        edge: {
          tls: {
            mode: 'existing-certificate',
            certificateArn: 'arn:aws:acm:us-east-1:333333333333:certificate/12345678-1234-1234-1234-123456789012',
          },
        },
      }),
      '[prod] edge.tls.certificateArn must be an ACM certificate ARN of account 333333333333 in region eu-west-1',
    ],
    [
      'a malformed certificate ARN',
      variant(prod, { edge: { tls: { mode: 'existing-certificate', certificateArn: 'my-cert' } } }),
      "got: 'my-cert'",
    ],
    [
      'a malformed hosted zone id',
      variant(prod, { edge: { tls: { mode: 'dns-validated', hostedZone: { id: 'abc', name: 'example.com' } } } }),
      '[prod] edge.tls.hostedZone.id must be a Route 53 zone id',
    ],
    [
      'a host name outside the zone',
      variant(prod, { edge: { hostNames: ['api.example.org'] } }),
      "[prod] edge.hostNames[] must be a name inside the hosted zone example.com, got: 'api.example.org'",
    ],
    [
      'no host name',
      variant(prod, { edge: { hostNames: [] } }),
      '[prod] edge.hostNames must be a list of 1 to 5 host names',
    ],
    [
      'a short HSTS max-age in prod',
      variant(prod, { edge: { securityHeaders: { strictTransportSecurity: 'max-age=300' } } }),
      'with at least one year (31536000) in production',
    ],
    [
      'a rate-limit window WAF does not offer',
      variant(dev, { edge: { waf: { rateLimitWindowSeconds: 90 } } }),
      '[dev] edge.waf.rateLimitWindowSeconds must be one of 60, 120, 300, 600, got: 90',
    ],
    [
      'a rate limit below the WAF minimum',
      variant(dev, { edge: { waf: { rateLimitRequests: 5 } } }),
      '[dev] edge.waf.rateLimitRequests must be an integer in 10..2000000000, got: 5',
    ],
    [
      'a managed rule group that is not AWS managed',
      variant(dev, { edge: { waf: { managedRuleGroups: [{ name: 'MyRules' }] } } }),
      '[dev] edge.waf.managedRuleGroups[].name must be an AWS managed rule group name',
    ],
    [
      'an unknown override action',
      variant(dev, {
        edge: {
          waf: {
            managedRuleGroups: [
              { name: 'AWSManagedRulesCommonRuleSet', overrides: [{ rule: 'X', action: 'drop' as never }] },
            ],
          },
        },
      }),
      "[dev] edge.waf.managedRuleGroups[AWSManagedRulesCommonRuleSet].overrides[].action must be one of count, block, allow, got: 'drop'",
    ],
  ];

  test.each(cases)('%s', (_what, env, expected) => {
    const problems = problemsOf(env);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(expected);
  });

  test('missing sections by name, instead of failing on the first one it reads', () => {
    const { database: _database, edge: _edge, ...rest } = dev;
    const incomplete = { ...rest, availabilityZones: 'eu-west-1a' } as unknown as EnvironmentConfig;
    expect(problemsOf(incomplete)).toEqual([
      '[dev] database must be an object, got: undefined',
      '[dev] edge must be an object, got: undefined',
      "[dev] availabilityZones must be a list of 2 or 3 AZs, got: 'eu-west-1a'",
    ]);
    expect(() => validateEnvironments([incomplete, prod])).toThrow(/^Berth configuration has 3 problem/);
  });

  test('a missing service section by name, also when -c imageTag overrides the tag (as CI deploys)', () => {
    const { service: _service, ...withoutService } = dev;
    expect(() => composeApp(testApp(), [withoutService as unknown as EnvironmentConfig], { imageTag: 'v2' })).toThrow(
      '[dev] service must be an object, got: undefined',
    );
  });

  test('two environments with the same name', () => {
    expect(problemsOf(dev, variant(staging, { name: 'dev' }))).toEqual([
      `[app] environment names must be unique, got: ["dev"] more than once`,
    ]);
  });

  test('environments sharing an account whose budgets would each count the whole account', () => {
    const shared = variant(staging, { account: dev.account });
    expect(problemsOf(dev, shared, prod)).toEqual([
      "[dev] cost.budgetScope must be 'environment' when staging shares account 111111111111 (an account-wide budget counts their costs too), got: nothing (default 'account')",
      "[staging] cost.budgetScope must be 'environment' when dev shares account 111111111111 (an account-wide budget counts their costs too), got: nothing (default 'account')",
    ]);
    const scoped = (env: EnvironmentConfig) => variant(env, { cost: { budgetScope: 'environment' } });
    expect(problemsOf(scoped(dev), scoped(shared), prod)).toEqual([]);
  });

  test('environments of different accounts writing records into one hosted zone', () => {
    const prodZone = prod.edge.tls.mode === 'dns-validated' ? prod.edge.tls.hostedZone : undefined;
    if (!prodZone) throw new Error('the example prod validates its certificate through a hosted zone');
    const sharing = variant(staging, {
      edge: { hostNames: ['api-staging.example.com'], tls: { mode: 'dns-validated', hostedZone: prodZone } },
    });
    expect(problemsOf(dev, sharing, prod)).toEqual([
      "[staging] edge.tls.hostedZone.id must be a zone of account 222222222222, not one prod (account 333333333333) also uses: CloudFormation writes records only into zones of the stack's own account (give each account its own zone, e.g. staging.example.com delegated from example.com), got: 'Z0123456789ABCDEFGHIJ'",
      "[prod] edge.tls.hostedZone.id must be a zone of account 333333333333, not one staging (account 222222222222) also uses: CloudFormation writes records only into zones of the stack's own account (give each account its own zone, e.g. prod.example.com delegated from example.com), got: 'Z0123456789ABCDEFGHIJ'",
    ]);
    // One account may well serve several environments from one zone.
    expect(
      problemsOf(
        dev,
        variant(sharing, { account: prod.account, cost: { budgetScope: 'environment' } }),
        variant(prod, { cost: { budgetScope: 'environment' } }),
      ),
    ).toEqual([]);
  });

  test('a budget scope that is neither account nor environment', () => {
    const bad = variant(dev, { cost: { budgetScope: 'team' as 'account' } });
    expect(problemsOf(bad)).toEqual(["[dev] cost.budgetScope must be one of account, environment, got: 'team'"]);
  });

  test('an empty list of environments', () => {
    expect(problemsOf()).toEqual(['[app] environments must list at least one environment, got: []']);
  });

  test('with every problem of every environment in one error', () => {
    const badDev = variant(dev, { account: 'x', database: { backupRetentionDays: 99 } });
    const badProd = variant(prod, { database: { multiAz: false } });
    expect(() => validateEnvironments([badDev, badProd])).toThrow(
      /3 problem\(s\):\n {2}- \[dev\] account[^\n]*\n {2}- \[dev\] database\.backupRetentionDays[^\n]*\n {2}- \[prod\] database\.multiAz/,
    );
  });
});

describe('the image tag override', () => {
  test('is validated like the pinned tag', () => {
    const app = testApp();
    expect(() => composeApp(app, [dev], { imageTag: 'latest' })).toThrow(
      "[dev] service.image.tag must be a pinned image tag (letters, digits, '_', '.', '-'; up to 128; not 'latest'), got: 'latest'",
    );
  });
});

describe('production waivers', () => {
  test('accept a single-AZ prod database when waived explicitly', () => {
    expect(problemsOf(variant(prod, { database: { multiAz: false }, waivers: ['database.multiAz'] }))).toEqual([]);
  });

  test('accept one shared NAT gateway in prod when waived explicitly', () => {
    expect(problemsOf(variant(prod, { network: { natGateways: 1 }, waivers: ['network.natGatewayPerAz'] }))).toEqual(
      [],
    );
  });
});

describe('maxConnectionsOf', () => {
  test('follows the RDS formula for the class', () => {
    // LEAST(DBInstanceClassMemory / 9531392, 5000) with 1, 2 and 4 GiB.
    expect([dev, staging, prod].map(maxConnectionsOf)).toEqual([112, 225, 450]);
  });

  test('is capped at 5000 on large classes', () => {
    expect(maxConnectionsOf(variant(prod, { database: { instanceClass: 'r7g.4xlarge' } }))).toBe(5000);
  });

  test('uses an explicit max_connections when configured', () => {
    expect(maxConnectionsOf(variant(prod, { database: { maxConnections: 300 } }))).toBe(300);
  });
});

describe('with an RDS Proxy', () => {
  test('pools that would overcommit max_connections pass: the proxy queues what does not fit', () => {
    const heavy = variant(prod, { service: { maxTasks: 20 } });
    expect(problemsOf(heavy)).toHaveLength(1);
    expect(problemsOf(variant(heavy, { database: { proxy: true } }))).toEqual([]);
  });

  test('the proxy may open all of max_connections but the headroom, rounded down to a percent', () => {
    // prod: (450 - 10) / 450 = 97.8 %; dev: (112 - 10) / 112 = 91.1 %.
    expect(proxyMaxConnectionsPercent(prod)).toBe(97);
    expect(proxyMaxConnectionsPercent(dev)).toBe(91);
    expect(proxyMaxConnectionsPercent(variant(dev, { database: { instanceClass: 'x1.large' } }))).toBeUndefined();
  });
});

describe('exitOnConfigError, for the app and the scripts', () => {
  test('prints the problems of a ConfigError without a stack trace and exits 1', () => {
    const exit = jest.spyOn(process, 'exit').mockImplementation((code) => {
      throw new Error(`exit ${code}`);
    });
    const printed = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      expect(() => exitOnConfigError(() => validateEnvironments([{ ...dev, region: 'mars-1' }]))).toThrow('exit 1');
      expect(printed).toHaveBeenCalledTimes(1);
      expect(printed.mock.calls[0]?.[0]).toMatch(
        /^Berth configuration has 3 problem\(s\):\n {2}- \[dev\] region must be one of .*, got: 'mars-1'\n/,
      );
    } finally {
      exit.mockRestore();
      printed.mockRestore();
    }
  });

  test('passes a valid result through, and any other error on', () => {
    expect(exitOnConfigError(() => validateEnvironments([dev]))).toEqual([dev]);
    expect(() =>
      exitOnConfigError(() => {
        throw new TypeError('a bug');
      }),
    ).toThrow(TypeError);
  });
});
