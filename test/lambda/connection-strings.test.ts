import { DescribeServicesCommand, ECSClient, UpdateServiceCommand } from '@aws-sdk/client-ecs';
import { GetSecretValueCommand, PutSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import {
  type ConnectionSources,
  configFromEnv,
  databaseUrl,
  onDeploy,
  onRotation,
  type RotationEvent,
  redisUrl,
} from '../../lambda/connection-strings/core';

const smMock = mockClient(SecretsManagerClient);
const ecsMock = mockClient(ECSClient);
const secrets = new SecretsManagerClient({});
const ecs = new ECSClient({});

const sources: ConnectionSources = {
  DatabaseSecretArn: 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:db-AbCdEf',
  DatabaseName: 'app',
  CacheSecretArn: 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:cache-AbCdEf',
  CacheTokenKey: 'token',
  CacheHost: 'master.berth.cache.amazonaws.com',
  CachePort: '6379',
  TargetSecretArn: 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:urls-AbCdEf',
};
const rds = (password: string) =>
  JSON.stringify({
    username: 'berth_admin',
    password,
    host: 'db.abc.eu-west-1.rds.amazonaws.com',
    port: 5432,
    engine: 'postgres',
  });

/** The service's PRIMARY deployment started at `createdAt` (an older one is still draining). */
function primaryDeployment(createdAt: Date): void {
  ecsMock.on(DescribeServicesCommand).resolves({
    services: [
      {
        deployments: [
          { status: 'ACTIVE', createdAt: new Date('2026-01-01T00:00:00Z') },
          { status: 'PRIMARY', createdAt },
        ],
      },
    ],
  });
}

function sourceValues(password: string, target?: string, targetCreated?: Date): void {
  smMock.on(GetSecretValueCommand, { SecretId: sources.DatabaseSecretArn }).resolves({ SecretString: rds(password) });
  smMock
    .on(GetSecretValueCommand, { SecretId: sources.CacheSecretArn })
    .resolves({ SecretString: JSON.stringify({ token: 'tok3n' }) });
  smMock
    .on(GetSecretValueCommand, { SecretId: sources.TargetSecretArn })
    .resolves({ SecretString: target ?? 'initial', CreatedDate: targetCreated });
  smMock.on(PutSecretValueCommand).resolves({});
}

function written(): Record<string, string> {
  const [call] = smMock.commandCalls(PutSecretValueCommand);
  expect(call.args[0].input.SecretId).toBe(sources.TargetSecretArn);
  return JSON.parse(call.args[0].input.SecretString ?? '{}');
}

/** The strings composed from the fixture sources with database password `password`. */
const currentStrings = (password: string) => ({
  DATABASE_URL: `postgresql://berth_admin:${password}@db.abc.eu-west-1.rds.amazonaws.com:5432/app`,
  REDIS_URL: 'rediss://:tok3n@master.berth.cache.amazonaws.com:6379/0',
});

const rotation = (secretId: string, eventName = 'RotationSucceeded'): RotationEvent => ({
  'detail-type': 'AWS Service Event via CloudTrail',
  detail: { eventName, additionalEventData: { SecretId: secretId } },
});

beforeEach(() => {
  smMock.reset();
  ecsMock.reset();
});

describe('composing', () => {
  test('URL-encodes user, password and database name', () => {
    expect(
      databaseUrl({ username: 'app user', password: 'p@ss:w/rd?#%!*', host: 'h', port: 5432 }, 'arn', 'my app'),
    ).toBe('postgresql://app%20user:p%40ss%3Aw%2Frd%3F%23%25%21%2A@h:5432/my%20app');
    expect(redisUrl('a/b+c=', 'h', '6379')).toBe('rediss://:a%2Fb%2Bc%3D@h:6379/0');
  });

  test("uses the given host instead of the secret's (an RDS Proxy in front of the instance)", () => {
    const secret = { username: 'u', password: 'pw', host: 'db.rds', port: 5432, dbname: 'app' };
    expect(databaseUrl(secret, 'arn', 'app', 'proxy.rds')).toBe('postgresql://u:pw@proxy.rds:5432/app');
    expect(databaseUrl(secret, 'arn', 'app')).toBe('postgresql://u:pw@db.rds:5432/app');
  });

  test('names the secret and field that is missing, never the value', () => {
    const missingHost = () => databaseUrl({ username: 'u', password: 'hunter2', port: 5432 }, 'arn:db', 'app');
    expect(missingHost).toThrow("secret arn:db has no 'host' field");
    expect(missingHost).not.toThrow(/hunter2/);
  });
});

describe('on deploy', () => {
  test('writes DATABASE_URL and REDIS_URL as one JSON secret', async () => {
    sourceValues('p@ss/word');
    await expect(onDeploy({ RequestType: 'Create', ResourceProperties: sources }, secrets)).resolves.toEqual({
      PhysicalResourceId: 'berth-connection-strings',
      Data: { Written: 'true' },
    });
    expect(written()).toEqual({
      DATABASE_URL: 'postgresql://berth_admin:p%40ss%2Fword@db.abc.eu-west-1.rds.amazonaws.com:5432/app',
      REDIS_URL: 'rediss://:tok3n@master.berth.cache.amazonaws.com:6379/0',
    });
  });

  test('points DATABASE_URL at the proxy when one is given', async () => {
    sourceValues('pw');
    const proxyHost = 'berth.proxy-abc.eu-west-1.rds.amazonaws.com';
    await onDeploy({ RequestType: 'Update', ResourceProperties: { ...sources, DatabaseHost: proxyHost } }, secrets);
    expect(written().DATABASE_URL).toBe(`postgresql://berth_admin:pw@${proxyHost}:5432/app`);
  });

  test('adds no secret version when the strings are unchanged', async () => {
    sourceValues('pw', JSON.stringify(currentStrings('pw')));
    await onDeploy({ RequestType: 'Update', ResourceProperties: sources }, secrets);
    expect(smMock.commandCalls(PutSecretValueCommand)).toHaveLength(0);
  });

  test('leaves everything alone on Delete', async () => {
    await onDeploy({ RequestType: 'Delete', ResourceProperties: sources }, secrets);
    expect(smMock.calls()).toHaveLength(0);
  });
});

describe('after a rotation', () => {
  const service = { cluster: 'arn:aws:ecs:eu-west-1:111111111111:cluster/berth', service: 'api' };

  test('rewrites the strings and forces a new deployment of the service', async () => {
    sourceValues('rotated&new', JSON.stringify({ DATABASE_URL: 'postgresql://old', REDIS_URL: 'rediss://old' }));
    ecsMock.on(UpdateServiceCommand).resolves({});
    await expect(onRotation(rotation(sources.DatabaseSecretArn), sources, service, secrets, ecs)).resolves.toEqual({
      written: true,
      redeployed: true,
    });
    expect(written().DATABASE_URL).toBe(
      'postgresql://berth_admin:rotated%26new@db.abc.eu-west-1.rds.amazonaws.com:5432/app',
    );
    expect(ecsMock.commandCalls(UpdateServiceCommand)[0].args[0].input).toEqual({
      cluster: service.cluster,
      service: 'api',
      forceNewDeployment: true,
    });
  });

  test('rewrites but redeploys nothing before a service is attached', async () => {
    sourceValues('rotated');
    await expect(onRotation(rotation(sources.DatabaseSecretArn), sources, undefined, secrets, ecs)).resolves.toEqual({
      written: true,
      redeployed: false,
    });
    expect(ecsMock.calls()).toHaveLength(0);
  });

  test('redeploys on a rotation event even when the strings are current (written earlier, redeploy lost)', async () => {
    sourceValues('pw', JSON.stringify(currentStrings('pw')));
    ecsMock.on(UpdateServiceCommand).resolves({});
    await expect(onRotation(rotation(sources.CacheSecretArn), sources, service, secrets, ecs)).resolves.toEqual({
      written: false,
      redeployed: true,
    });
    expect(smMock.commandCalls(PutSecretValueCommand)).toHaveLength(0);
  });

  test('ignores rotations of other secrets and other events', async () => {
    for (const event of [
      rotation('arn:aws:secretsmanager:eu-west-1:111111111111:secret:other-AbCdEf'),
      rotation(sources.DatabaseSecretArn, 'RotationFailed'),
    ]) {
      await expect(onRotation(event, sources, service, secrets, ecs)).resolves.toEqual({
        written: false,
        redeployed: false,
      });
    }
    expect(smMock.calls()).toHaveLength(0);
    expect(ecsMock.calls()).toHaveLength(0);
  });
});

describe('on the schedule', () => {
  const service = { cluster: 'arn:aws:ecs:eu-west-1:111111111111:cluster/berth', service: 'api' };
  const scheduled: RotationEvent = { 'detail-type': 'Scheduled Event', detail: {} };

  test('rewrites strings a rotation left stale and redeploys the service', async () => {
    sourceValues('rotated', JSON.stringify(currentStrings('old')));
    ecsMock.on(UpdateServiceCommand).resolves({});
    await expect(onRotation(scheduled, sources, service, secrets, ecs)).resolves.toEqual({
      written: true,
      redeployed: true,
    });
    expect(written()).toEqual(currentStrings('rotated'));
  });

  test('redeploys a service deployed before the strings it should hold (written earlier, redeploy lost)', async () => {
    sourceValues('pw', JSON.stringify(currentStrings('pw')), new Date('2026-11-30T12:00:00Z'));
    primaryDeployment(new Date('2026-11-30T11:00:00Z'));
    ecsMock.on(UpdateServiceCommand).resolves({});
    await expect(onRotation(scheduled, sources, service, secrets, ecs)).resolves.toEqual({
      written: false,
      redeployed: true,
    });
    expect(ecsMock.commandCalls(DescribeServicesCommand)[0].args[0].input).toEqual({
      cluster: service.cluster,
      services: ['api'],
    });
  });

  test('writes and redeploys nothing while the strings are current and deployed', async () => {
    sourceValues('pw', JSON.stringify(currentStrings('pw')), new Date('2026-11-30T12:00:00Z'));
    primaryDeployment(new Date('2026-11-30T12:05:00Z'));
    await expect(onRotation(scheduled, sources, service, secrets, ecs)).resolves.toEqual({
      written: false,
      redeployed: false,
    });
    expect(smMock.commandCalls(PutSecretValueCommand)).toHaveLength(0);
    expect(ecsMock.commandCalls(UpdateServiceCommand)).toHaveLength(0);
  });
});

test('reads sources and the optional service from the environment', () => {
  const env = {
    DATABASE_SECRET_ARN: sources.DatabaseSecretArn,
    DATABASE_NAME: 'app',
    CACHE_SECRET_ARN: sources.CacheSecretArn,
    CACHE_TOKEN_KEY: 'token',
    CACHE_HOST: sources.CacheHost,
    CACHE_PORT: '6379',
    TARGET_SECRET_ARN: sources.TargetSecretArn,
  };
  expect(configFromEnv(env)).toEqual({ sources });
  expect(configFromEnv({ ...env, DATABASE_HOST: 'proxy.rds' }).sources).toEqual({
    ...sources,
    DatabaseHost: 'proxy.rds',
  });
  expect(configFromEnv({ ...env, REDEPLOY_CLUSTER: 'c', REDEPLOY_SERVICE: 's' }).redeploy).toEqual({
    cluster: 'c',
    service: 's',
  });
  expect(() => configFromEnv({})).toThrow('environment variable DATABASE_SECRET_ARN is not set');
});
