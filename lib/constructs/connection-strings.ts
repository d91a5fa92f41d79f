import { type CfnResource, CustomResource, Duration, type RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { acknowledge } from '../nag';
import { HandlerFunction, HandlerProvider } from './handler-function';

/** Keys of the connection-strings secret, for `ecs.Secret.fromSecretsManager(secret, key)`. */
export const CONNECTION_STRING_KEYS = ['DATABASE_URL', 'REDIS_URL'] as const;

/** How long strings can stay stale when no rotation event arrives (the longest a task then fails). */
export const SCHEDULED_CHECK_INTERVAL = Duration.minutes(15);

export interface ConnectionStringsProps {
  /** The RDS secret (JSON `username`, `password`, `host`, `port`), e.g. `Database.secret`. */
  readonly databaseSecret: secretsmanager.ISecret;
  /** The database `DATABASE_URL` names, e.g. the instance's `databaseName`. */
  readonly databaseName: string;
  /**
   * Host of `DATABASE_URL` instead of the secret's `host`, e.g. an RDS Proxy's endpoint.
   * @default - the `host` field of `databaseSecret`
   */
  readonly databaseHost?: string;
  /** The cache AUTH token secret (JSON), e.g. `Cache.authToken`. */
  readonly cacheTokenSecret: secretsmanager.ISecret;
  /**
   * JSON key of the token in `cacheTokenSecret`.
   * @default 'token'
   */
  readonly cacheTokenKey?: string;
  /** Primary endpoint of the cache, e.g. `replicationGroup.attrPrimaryEndPointAddress`. */
  readonly cacheHost: string;
  /** Port of the cache, e.g. `replicationGroup.attrPrimaryEndPointPort`. */
  readonly cachePort: string;
  /** Encrypts the connection-strings secret and the log groups; also decrypts the sources. */
  readonly encryptionKey: kms.IKey;
  /** Of the connection-strings secret: it is derived and rewritten on every release, so DESTROY is safe. */
  readonly removalPolicy: RemovalPolicy;
  readonly logRetentionDays: number;
  readonly logRemovalPolicy: RemovalPolicy;
}

/**
 * `DATABASE_URL` (`postgresql://user:pass@host:port/db`) and `REDIS_URL`
 * (`rediss://:token@host:port/0`), URL-encoded, composed from the generated secrets into one
 * KMS-encrypted JSON secret: written on deploy (before anything that depends on `resource`
 * starts), again on every release given to `recomposeOnRelease`, and after every successful
 * rotation of a source secret, after which the service given to `redeployOnRotation` is
 * redeployed.
 */
export class ConnectionStrings extends Construct {
  /** JSON secret with the keys in `CONNECTION_STRING_KEYS`. */
  readonly secret: secretsmanager.Secret;
  /** The custom resource that writes the secret on deploy; consumers should depend on it. */
  readonly resource: CustomResource;
  /** Rewrites after a successful rotation of either source secret. */
  readonly rotationRule: events.Rule;
  /** Rewrites, every `SCHEDULED_CHECK_INTERVAL`, strings a missed or absent event left stale. */
  readonly scheduledCheck: events.Rule;
  /** Writes the strings on deploy (the custom resource's handler). */
  readonly composeFunction: HandlerFunction;
  /**
   * Rewrites the strings after a rotation and redeploys the service. A function of its own: the
   * service depends on `resource`, so the deploy-time function must not reference the service.
   */
  readonly rotationFunction: HandlerFunction;

  constructor(scope: Construct, id: string, props: ConnectionStringsProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.secret = new secretsmanager.Secret(this, 'Secret', {
      description: 'DATABASE_URL and REDIS_URL, composed by Berth from the generated credentials',
      encryptionKey: props.encryptionKey,
      removalPolicy: props.removalPolicy,
    });
    acknowledge(
      this.secret,
      'AwsSolutions-SMG4',
      'Derived secret: rewritten by Berth whenever a source secret rotates, so it follows their rotation instead of having its own.',
    );

    const sources = {
      DatabaseSecretArn: props.databaseSecret.secretArn,
      DatabaseName: props.databaseName,
      CacheSecretArn: props.cacheTokenSecret.secretArn,
      CacheTokenKey: props.cacheTokenKey ?? 'token',
      CacheHost: props.cacheHost,
      CachePort: Token.asString(props.cachePort),
      TargetSecretArn: this.secret.secretArn,
      ...(props.databaseHost === undefined ? {} : { DatabaseHost: props.databaseHost }),
    };
    const common = {
      encryptionKey: props.encryptionKey,
      logRetentionDays: props.logRetentionDays,
      logRemovalPolicy: props.logRemovalPolicy,
      handlerDir: 'connection-strings',
      exportName: 'handler',
      timeout: Duration.seconds(30),
    };
    const grantSources = (fn: HandlerFunction) => {
      fn.allow(
        new iam.PolicyStatement({
          actions: ['secretsmanager:GetSecretValue'],
          resources: [sources.DatabaseSecretArn, sources.CacheSecretArn, sources.TargetSecretArn],
        }),
      );
      fn.allow(
        new iam.PolicyStatement({ actions: ['secretsmanager:PutSecretValue'], resources: [sources.TargetSecretArn] }),
      );
      fn.allow(
        new iam.PolicyStatement({
          actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
          resources: [props.encryptionKey.keyArn],
          conditions: { StringEquals: { 'kms:ViaService': `secretsmanager.${stack.region}.amazonaws.com` } },
        }),
      );
      return fn;
    };
    this.composeFunction = grantSources(
      new HandlerFunction(this, 'Compose', {
        ...common,
        description: 'Berth connection strings: composes DATABASE_URL and REDIS_URL on deploy',
      }),
    );
    this.rotationFunction = grantSources(
      new HandlerFunction(this, 'Rotate', {
        ...common,
        description: 'Berth connection strings: rewrites them after a rotation and redeploys the service',
        environment: {
          DATABASE_SECRET_ARN: sources.DatabaseSecretArn,
          DATABASE_NAME: sources.DatabaseName,
          CACHE_SECRET_ARN: sources.CacheSecretArn,
          CACHE_TOKEN_KEY: sources.CacheTokenKey,
          CACHE_HOST: sources.CacheHost,
          CACHE_PORT: sources.CachePort,
          TARGET_SECRET_ARN: sources.TargetSecretArn,
          ...(sources.DatabaseHost === undefined ? {} : { DATABASE_HOST: sources.DatabaseHost }),
        },
      }),
    );

    const provider = new HandlerProvider(this, 'Provider', {
      onEvent: this.composeFunction,
      encryptionKey: props.encryptionKey,
      logRetentionDays: props.logRetentionDays,
      logRemovalPolicy: props.logRemovalPolicy,
    });
    this.resource = new CustomResource(this, 'Resource', {
      serviceToken: provider.serviceToken,
      resourceType: 'Custom::BerthConnectionStrings',
      properties: sources,
    });

    // Secrets Manager records a successful rotation as a CloudTrail service event, which AWS
    // delivers to EventBridge on a best-effort basis: the schedule below catches what it misses.
    this.rotationRule = new events.Rule(this, 'OnRotation', {
      description: 'Rewrites DATABASE_URL and REDIS_URL after a source secret rotates',
      eventPattern: {
        source: ['aws.secretsmanager'],
        detailType: ['AWS Service Event via CloudTrail'],
        detail: {
          eventSource: ['secretsmanager.amazonaws.com'],
          eventName: ['RotationSucceeded'],
          additionalEventData: { SecretId: [sources.DatabaseSecretArn, sources.CacheSecretArn] },
        },
      },
    });
    const rotationTarget = new targets.LambdaFunction(this.rotationFunction.function, {
      retryAttempts: 4,
      maxEventAge: Duration.hours(2),
    });
    this.rotationRule.addTarget(rotationTarget);
    // Idempotent: it writes (and redeploys) only when the strings changed, and each check reads
    // three secrets (~9,000 calls a month at 15 minutes: ~$0.04).
    this.scheduledCheck = new events.Rule(this, 'Scheduled', {
      description: 'Rewrites DATABASE_URL and REDIS_URL if a source secret changed without a rotation event',
      schedule: events.Schedule.rate(SCHEDULED_CHECK_INTERVAL),
    });
    this.scheduledCheck.addTarget(rotationTarget);
  }

  /** One key of the composed strings, for a container's `secrets` (e.g. `{ DATABASE_URL: ... }`). */
  ecsSecret(key: (typeof CONNECTION_STRING_KEYS)[number]): ecs.Secret {
    return ecs.Secret.fromSecretsManager(this.secret, key);
  }

  /**
   * Recompose the strings whenever `release` changes (e.g. the image name), not only when a source
   * changes: a release then also heals strings left stale by a rotation event that never arrived.
   * Call once the release's image is known (the strings are needed before the task definition).
   */
  recomposeOnRelease(release: string): void {
    (this.resource.node.defaultChild as CfnResource).addPropertyOverride('Release', release);
  }

  /**
   * After a rotation rewrites the strings, force a new deployment of `service` so no task keeps
   * stale credentials. Call once the service exists.
   */
  redeployOnRotation(service: ecs.IBaseService): void {
    this.rotationFunction.function.addEnvironment('REDEPLOY_CLUSTER', service.cluster.clusterArn);
    this.rotationFunction.function.addEnvironment('REDEPLOY_SERVICE', service.serviceName);
    this.rotationFunction.allow(
      new iam.PolicyStatement({
        actions: ['ecs:DescribeServices', 'ecs:UpdateService'],
        resources: [service.serviceArn],
      }),
    );
  }
}
