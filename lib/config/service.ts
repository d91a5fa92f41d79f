import type { ProblemList } from './problems';
import type { EnvironmentConfig } from './types';

/** Secret keys Berth composes itself from the generated credentials. */
export const COMPOSED_SECRET_KEYS: readonly string[] = ['DATABASE_URL', 'REDIS_URL'];

/** Where the container image comes from. Exactly one of `repositoryName` and `uri`, or neither. */
export interface ImageConfig {
  /**
   * An existing ECR repository of the environment's account and region.
   * @default - Berth creates a repository in the Data stack (immutable tags, scan on push, lifecycle)
   */
  readonly repositoryName?: string;
  /**
   * An image outside ECR, without the tag, e.g. `ghcr.io/acme/api`.
   * @default - an ECR repository (see `repositoryName`)
   */
  readonly uri?: string;
  /** The image tag to run, pinned; `cdk deploy -c imageTag=...` overrides it. Never `latest`. */
  readonly tag: string;
}

/** Target tracking and cooldowns of the service's autoscaling. */
export interface ScalingConfig {
  /** Average CPU the service scales to keep, percent (the seeds use 70). */
  readonly cpuTargetPercent: number;
  /** Average memory the service scales to keep, percent. */
  readonly memoryTargetPercent: number;
  /** ALB requests per target per minute the service scales to keep. */
  readonly requestsPerTarget: number;
  readonly scaleOutCooldownSeconds: number;
  readonly scaleInCooldownSeconds: number;
}

export interface ServiceConfig {
  /** Lowest task count autoscaling may reach. */
  readonly minTasks: number;
  /** Highest task count autoscaling may reach; sizes the database connection budget. */
  readonly maxTasks: number;
  /** Fargate task CPU units: 256, 512, 1024, 2048, 4096, 8192 or 16384 (seed: 512). */
  readonly cpu: number;
  /** Fargate task memory in MiB, a combination Fargate allows for `cpu` (seed: 1024). */
  readonly memoryMiB: number;
  /** Graviton (ARM64) is about 20 % cheaper; the image must be built for it. */
  readonly cpuArchitecture: 'ARM64' | 'X86_64';
  /**
   * Run tasks on Fargate Spot (interruptible, about 70 % cheaper), X86_64 or ARM64 (since
   * September 2024, on platform version 1.4.0, which Berth uses). Not allowed in production.
   */
  readonly spot: boolean;
  readonly image: ImageConfig;
  /** Port the container listens on. */
  readonly containerPort: number;
  /** Path the target group checks every 30 s; must answer 200 without authentication. */
  readonly healthCheckPath: string;
  /** Seconds a new task may fail health checks while it starts. */
  readonly healthCheckGracePeriodSeconds: number;
  /** Plain environment variables (`DEBUG`, `LOG_LEVEL`, `CORS_ORIGINS`, ...). Never secrets. */
  readonly environment: Readonly<Record<string, string>>;
  /**
   * Data-tier secrets injected as environment variables, by name.
   * @default - every secret of the data tier
   */
  readonly secrets?: readonly string[];
  /**
   * Run the container as this user (`uid:gid`); the image must own its writable paths for it.
   * @default - the image's own USER
   */
  readonly user?: string;
  /**
   * Mount the root filesystem read-only; `/tmp` (and ECS Exec's paths, with `ecsExec`) stay
   * writable through task volumes, which Fargate creates owned by root: with a non-root user, the
   * image must declare `/tmp` as a VOLUME that user can write (README: "Read-only root filesystem").
   * @default false
   */
  readonly readonlyRootFilesystem?: boolean;
  /**
   * ECS Exec into running tasks (`aws ecs execute-command`), encrypted and logged. Turn it off where
   * no one may open a shell in a task: a shell there reads every secret the task holds.
   * @default true
   */
  readonly ecsExec?: boolean;
  /**
   * CloudWatch Container Insights on the service's cluster: per-service and per-task-family CPU,
   * memory, network and storage metrics, and task counts. CloudWatch bills them as custom metrics
   * (~37 for one service, ~$11 a month); no alarm depends on them.
   * @default true
   */
  readonly containerInsights?: boolean;
  readonly scaling: ScalingConfig;
}

/** CPU units and the memory sizes (MiB) Fargate allows with each. */
const FARGATE_SIZES: ReadonlyMap<number, readonly number[]> = new Map([
  [256, [512, 1024, 2048]],
  [512, [1024, 2048, 3072, 4096]],
  [1024, range(2048, 8192, 1024)],
  [2048, range(4096, 16384, 1024)],
  [4096, range(8192, 30720, 1024)],
  [8192, range(16384, 61440, 4096)],
  [16384, range(32768, 122880, 8192)],
]);

function range(from: number, to: number, step: number): number[] {
  return Array.from({ length: (to - from) / step + 1 }, (_, i) => from + i * step);
}

/** Environment variable names Berth sets itself. */
export const RESERVED_ENVIRONMENT = [
  'ENVIRONMENT',
  'PORT',
  'DB_HOST',
  'DB_PORT',
  'DB_NAME',
  'DB_POOL_SIZE',
  'DB_MAX_OVERFLOW',
  'REDIS_HOST',
  'REDIS_PORT',
];
/** Secret-bearing variables Berth injects from the data tier besides the configured secrets. */
export const DATA_TIER_SECRETS = ['DB_USER', 'DB_PASSWORD', 'REDIS_AUTH_TOKEN', ...COMPOSED_SECRET_KEYS];

/** Names that say "I am a credential": those belong in Secrets Manager, not in plain config. */
const SECRET_LIKE_NAME = /(SECRET|PASSWORD|PASSWD|TOKEN|API_?KEY|PRIVATE_?KEY|CREDENTIAL|_DSN$|^DSN$)/;
/** Values that are credentials whatever their name (Stripe/Clerk keys, AWS access keys, URLs with a password). */
const SECRET_LIKE_VALUE = /^(sk_(live|test)_|AKIA[0-9A-Z]{16}|ghp_)|:\/\/[^/\s:@]+:[^/\s@]+@/;

const DOCKER_TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

/** Every data-tier secret name an environment defines. */
export function dataTierSecretNames(env: EnvironmentConfig): string[] {
  return [...DATA_TIER_SECRETS, ...env.secrets.generatedKeys, ...env.secrets.thirdParty];
}

/** Checks `env.service` and records each problem. */
export function checkService(env: EnvironmentConfig, problems: ProblemList): void {
  const service = env.service;
  const { minTasks, maxTasks } = service;
  problems.integer('service.minTasks', minTasks, env.production ? 2 : 1, 1000);
  problems.integer('service.maxTasks', maxTasks, 1, 1000);
  problems.check(minTasks <= maxTasks, 'service.minTasks', `at most service.maxTasks (${maxTasks})`, minTasks);

  const memories = FARGATE_SIZES.get(service.cpu);
  if (!memories) {
    problems.oneOf('service.cpu', service.cpu, [...FARGATE_SIZES.keys()]);
  } else {
    problems.check(
      memories.includes(service.memoryMiB),
      'service.memoryMiB',
      `a Fargate memory size for cpu ${service.cpu}: ${memories[0]}..${memories[memories.length - 1]} in steps of ${memories[1] - memories[0]}`,
      service.memoryMiB,
    );
  }
  problems.oneOf('service.cpuArchitecture', service.cpuArchitecture, ['ARM64', 'X86_64'] as const);
  problems.optionalBoolean('service.containerInsights', service.containerInsights);
  problems.optionalBoolean('service.ecsExec', service.ecsExec);
  problems.check(
    !(service.spot && env.production),
    'service.spot',
    'false in a production environment (Spot tasks can be interrupted at two minutes notice)',
    service.spot,
  );

  const image = service.image;
  problems.check(
    DOCKER_TAG.test(image.tag) && image.tag !== 'latest',
    'service.image.tag',
    "a pinned image tag (letters, digits, '_', '.', '-'; up to 128; not 'latest')",
    image.tag,
  );
  problems.check(
    !(image.repositoryName !== undefined && image.uri !== undefined),
    'service.image',
    'at most one of repositoryName and uri',
    { repositoryName: image.repositoryName, uri: image.uri },
  );
  if (image.repositoryName !== undefined) {
    problems.check(
      /^[a-z0-9]+(?:[._-][a-z0-9]+)*(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*$/.test(image.repositoryName) &&
        image.repositoryName.length >= 2 &&
        image.repositoryName.length <= 256,
      'service.image.repositoryName',
      'an ECR repository name (lower case, digits, . _ - and / separators, 2..256 characters)',
      image.repositoryName,
    );
  }
  if (image.uri !== undefined) {
    problems.check(
      /^[a-z0-9.-]+(:\d+)?\/[a-z0-9._/-]+$/.test(image.uri),
      'service.image.uri',
      "an image reference without tag, e.g. 'ghcr.io/acme/api'",
      image.uri,
    );
  }

  problems.integer('service.containerPort', service.containerPort, 1, 65535);
  problems.check(
    /^\/[A-Za-z0-9._~!$&'()*+,;=:@%/-]*$/.test(service.healthCheckPath) && service.healthCheckPath.length <= 1024,
    'service.healthCheckPath',
    "a URL path starting with '/', e.g. '/health'",
    service.healthCheckPath,
  );
  problems.integer('service.healthCheckGracePeriodSeconds', service.healthCheckGracePeriodSeconds, 0, 2_147_483_647);

  for (const [name, value] of Object.entries(service.environment)) {
    const field = `service.environment.${name}`;
    problems.check(/^[A-Za-z_][A-Za-z0-9_]*$/.test(name), field, 'a name of letters, digits and _', name);
    problems.check(
      !RESERVED_ENVIRONMENT.includes(name) && !dataTierSecretNames(env).includes(name),
      field,
      `a name Berth does not set itself (reserved: ${[...RESERVED_ENVIRONMENT, ...DATA_TIER_SECRETS].join(', ')})`,
      name,
    );
    problems.check(
      !SECRET_LIKE_NAME.test(name.toUpperCase()) && !SECRET_LIKE_VALUE.test(value),
      field,
      'a non-secret value; put credentials in secrets.thirdParty (or secrets.generatedKeys) so ECS injects them from Secrets Manager',
      SECRET_LIKE_VALUE.test(value) ? '<a value that looks like a credential>' : name,
    );
  }
  const known = dataTierSecretNames(env);
  for (const name of service.secrets ?? []) {
    problems.check(
      known.includes(name),
      'service.secrets[]',
      `a secret the data tier defines (${known.join(', ')})`,
      name,
    );
  }
  if (service.user !== undefined) {
    problems.check(
      /^\d+(:\d+)?$/.test(service.user) && service.user.split(':')[0] !== '0',
      'service.user',
      "a numeric non-root 'uid' or 'uid:gid', e.g. '1000:1000'",
      service.user,
    );
  }

  const scaling = service.scaling;
  problems.integer('service.scaling.cpuTargetPercent', scaling.cpuTargetPercent, 10, 95);
  problems.integer('service.scaling.memoryTargetPercent', scaling.memoryTargetPercent, 10, 95);
  problems.integer('service.scaling.requestsPerTarget', scaling.requestsPerTarget, 1, 1_000_000);
  problems.integer('service.scaling.scaleOutCooldownSeconds', scaling.scaleOutCooldownSeconds, 0, 3600);
  problems.integer('service.scaling.scaleInCooldownSeconds', scaling.scaleInCooldownSeconds, 0, 3600);
}
