/**
 * Composes `DATABASE_URL` and `REDIS_URL` from the generated credentials and keeps them in one
 * JSON secret that ECS injects key by key. Runs on deploy (custom resource) and after a successful
 * rotation of a source secret (EventBridge), after which it redeploys the service so that no task
 * keeps stale credentials. Values are never logged or returned.
 */
import { DescribeServicesCommand, type ECSClient, UpdateServiceCommand } from '@aws-sdk/client-ecs';
import {
  GetSecretValueCommand,
  PutSecretValueCommand,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';

/** Where the parts come from and where the composed strings go. */
export interface ConnectionSources {
  /** RDS secret: JSON with `username`, `password`, `host`, `port`. */
  readonly DatabaseSecretArn: string;
  /**
   * The database `DATABASE_URL` names (the instance's `DBName`). Not the secret's `dbname`: the
   * secret's attachment to the instance documents no such field, and a URL without its database
   * would fail the deploy.
   */
  readonly DatabaseName: string;
  /** Cache AUTH token secret: JSON with the token under `CacheTokenKey`. */
  readonly CacheSecretArn: string;
  readonly CacheTokenKey: string;
  readonly CacheHost: string;
  readonly CachePort: string;
  /** The secret that receives `{"DATABASE_URL": ..., "REDIS_URL": ...}`. */
  readonly TargetSecretArn: string;
  /**
   * Host of `DATABASE_URL` instead of the RDS secret's `host` (an RDS Proxy's endpoint).
   * @default - the RDS secret's `host`
   */
  readonly DatabaseHost?: string;
}

/** The service to redeploy after a rotation; unset until the service exists. */
export interface RedeployTarget {
  readonly cluster: string;
  readonly service: string;
}

export interface ConnectionStrings {
  readonly DATABASE_URL: string;
  readonly REDIS_URL: string;
}

/** Percent-encodes everything outside RFC 3986 unreserved characters, as userinfo and paths need. */
export function encodePart(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function field(json: Record<string, unknown>, key: string, secret: string): string {
  const value = json[key];
  if (typeof value === 'string' && value !== '') return value;
  if (typeof value === 'number') return String(value);
  throw new Error(`secret ${secret} has no '${key}' field`);
}

function parseJson(text: string | undefined, secret: string): Record<string, unknown> {
  try {
    const parsed: unknown = JSON.parse(text ?? '');
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed))
      return parsed as Record<string, unknown>;
  } catch {
    // Reported below without echoing the text: it may hold a credential.
  }
  throw new Error(`secret ${secret} does not hold a JSON object`);
}

/**
 * `postgresql://user:pass@host:port/dbname` from an RDS secret and the database name, user,
 * password and name encoded; `host` replaces the secret's own when given.
 */
export function databaseUrl(
  rdsSecret: Record<string, unknown>,
  arn: string,
  databaseName: string,
  host?: string,
): string {
  const user = encodePart(field(rdsSecret, 'username', arn));
  const password = encodePart(field(rdsSecret, 'password', arn));
  const hostName = host ?? field(rdsSecret, 'host', arn);
  const port = field(rdsSecret, 'port', arn);
  return `postgresql://${user}:${password}@${hostName}:${port}/${encodePart(databaseName)}`;
}

/** `rediss://:token@host:port/0`: TLS, AUTH token only (no ACL user), database 0. */
export function redisUrl(token: string, host: string, port: string): string {
  return `rediss://:${encodePart(token)}@${host}:${port}/0`;
}

/** A secret's current value as JSON, and when that version was created. */
async function readSecret(
  client: SecretsManagerClient,
  arn: string,
): Promise<{ json: Record<string, unknown>; created?: Date }> {
  const result = await client.send(new GetSecretValueCommand({ SecretId: arn }));
  return { json: parseJson(result.SecretString, arn), created: result.CreatedDate };
}

async function secretJson(client: SecretsManagerClient, arn: string): Promise<Record<string, unknown>> {
  return (await readSecret(client, arn)).json;
}

/** Reads the sources and composes both strings. */
export async function compose(sources: ConnectionSources, client: SecretsManagerClient): Promise<ConnectionStrings> {
  const [rds, cache] = await Promise.all([
    secretJson(client, sources.DatabaseSecretArn),
    secretJson(client, sources.CacheSecretArn),
  ]);
  return {
    DATABASE_URL: databaseUrl(rds, sources.DatabaseSecretArn, sources.DatabaseName, sources.DatabaseHost),
    REDIS_URL: redisUrl(
      field(cache, sources.CacheTokenKey, sources.CacheSecretArn),
      sources.CacheHost,
      sources.CachePort,
    ),
  };
}

/** What `refresh` did: whether it wrote, and since when the target has held the strings it holds. */
export interface Refreshed {
  readonly written: boolean;
  readonly since?: Date;
}

/**
 * Composes the strings and writes them when they differ from what the target holds (so repeated
 * events add no secret versions).
 */
export async function refresh(sources: ConnectionSources, client: SecretsManagerClient): Promise<Refreshed> {
  const wanted = await compose(sources, client);
  let current: Record<string, unknown> | undefined;
  let since: Date | undefined;
  try {
    ({ json: current, created: since } = await readSecret(client, sources.TargetSecretArn));
  } catch {
    current = undefined; // First write: the target holds CloudFormation's initial random string.
  }
  if (current && current.DATABASE_URL === wanted.DATABASE_URL && current.REDIS_URL === wanted.REDIS_URL) {
    return { written: false, since };
  }
  await client.send(
    new PutSecretValueCommand({ SecretId: sources.TargetSecretArn, SecretString: JSON.stringify(wanted) }),
  );
  return { written: true, since: new Date() };
}

/** The physical id of the custom resource, which never changes. */
export const CONNECTION_STRINGS_ID = 'berth-connection-strings';

export interface CustomResourceEvent {
  readonly RequestType: 'Create' | 'Update' | 'Delete';
  readonly ResourceProperties: ConnectionSources;
}

/** onEvent: (re)writes the strings on Create and Update; Delete leaves the secret to CloudFormation. */
export async function onDeploy(
  event: CustomResourceEvent,
  client: SecretsManagerClient,
): Promise<{ PhysicalResourceId: string; Data: { Written: string } }> {
  const written = event.RequestType === 'Delete' ? false : (await refresh(event.ResourceProperties, client)).written;
  return { PhysicalResourceId: CONNECTION_STRINGS_ID, Data: { Written: String(written) } };
}

/**
 * An EventBridge event for the rotation function (the fields read): a CloudTrail
 * `RotationSucceeded` entry, or the schedule's `Scheduled Event`.
 */
export interface RotationEvent {
  readonly 'detail-type': string;
  readonly detail: {
    readonly eventName?: string;
    readonly additionalEventData?: { readonly SecretId?: string };
  };
}

/** Whether `event` is the schedule's periodic check, which catches rotations no event reported. */
export function isScheduledCheck(event: RotationEvent): boolean {
  return event['detail-type'] === 'Scheduled Event';
}

/** Whether `event` is a successful rotation of one of the source secrets. */
export function isSourceRotation(event: RotationEvent, sources: ConnectionSources): boolean {
  const secretId = event.detail?.additionalEventData?.SecretId;
  return (
    event.detail?.eventName === 'RotationSucceeded' &&
    (secretId === sources.DatabaseSecretArn || secretId === sources.CacheSecretArn)
  );
}

/**
 * Whether the service's current (PRIMARY) deployment started before `time`, so that its tasks may
 * hold what the strings were before then.
 */
export async function deployedBefore(ecs: ECSClient, target: RedeployTarget, time: Date): Promise<boolean> {
  const { services } = await ecs.send(
    new DescribeServicesCommand({ cluster: target.cluster, services: [target.service] }),
  );
  const primary = services?.[0]?.deployments?.find((deployment) => deployment.status === 'PRIMARY');
  return primary?.createdAt !== undefined && primary.createdAt < time;
}

/**
 * After a source rotation, or on the schedule: rewrite the strings and, when a service is attached,
 * force a new deployment so every task starts with the new credentials. It redeploys when it wrote,
 * on every rotation event, and when the service's deployment is older than the strings it should
 * hold: an earlier attempt may have written them and failed to redeploy.
 */
export async function onRotation(
  event: RotationEvent,
  sources: ConnectionSources,
  redeploy: RedeployTarget | undefined,
  secrets: SecretsManagerClient,
  ecs: ECSClient,
): Promise<{ written: boolean; redeployed: boolean }> {
  const rotation = isSourceRotation(event, sources);
  if (!rotation && !isScheduledCheck(event)) return { written: false, redeployed: false };
  const { written, since } = await refresh(sources, secrets);
  if (!redeploy) return { written, redeployed: false };
  const stale = written || rotation || (since !== undefined && (await deployedBefore(ecs, redeploy, since)));
  if (!stale) return { written, redeployed: false };
  await ecs.send(
    new UpdateServiceCommand({ cluster: redeploy.cluster, service: redeploy.service, forceNewDeployment: true }),
  );
  return { written, redeployed: true };
}

/** Sources and the optional redeploy target from the environment the construct sets. */
export function configFromEnv(env: NodeJS.ProcessEnv): { sources: ConnectionSources; redeploy?: RedeployTarget } {
  const required = (name: string): string => {
    const value = env[name];
    if (!value) throw new Error(`environment variable ${name} is not set`);
    return value;
  };
  const sources: ConnectionSources = {
    DatabaseSecretArn: required('DATABASE_SECRET_ARN'),
    DatabaseName: required('DATABASE_NAME'),
    CacheSecretArn: required('CACHE_SECRET_ARN'),
    CacheTokenKey: required('CACHE_TOKEN_KEY'),
    CacheHost: required('CACHE_HOST'),
    CachePort: required('CACHE_PORT'),
    TargetSecretArn: required('TARGET_SECRET_ARN'),
    ...(env.DATABASE_HOST ? { DatabaseHost: env.DATABASE_HOST } : {}),
  };
  const cluster = env.REDEPLOY_CLUSTER;
  const service = env.REDEPLOY_SERVICE;
  return cluster && service ? { sources, redeploy: { cluster, service } } : { sources };
}
