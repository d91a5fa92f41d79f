import type { AlarmsConfig } from './alarms';
import type { CiConfig } from './ci';
import type { CostConfig } from './cost';
import type { EdgeConfig } from './edge';
import type { ReleaseConfig } from './release';
import type { ServiceConfig } from './service';

/**
 * The typed shape of one Berth environment. Plain data: `validateEnvironments` checks it once at
 * the edge (bin/app.ts), and constructs only ever see values that passed.
 */

/** Interface VPC endpoints Berth knows how to create; each saves NAT traffic for private tasks. */
export type InterfaceEndpointName =
  | 'ecr.api'
  | 'ecr.dkr'
  | 'logs'
  | 'secretsmanager'
  | 'kms'
  | 'ssmmessages'
  | 'monitoring'
  | 'sts';

/**
 * Production guardrails an environment may explicitly opt out of. Each waiver names exactly one
 * check, so a reviewer sees in the diff which safety net was removed.
 */
export type ProductionWaiver =
  | 'database.multiAz'
  | 'database.deletionProtection'
  | 'cache.multiAz'
  | 'network.natGatewayPerAz';

/** ElastiCache eviction policies (`maxmemory-policy`). */
export type EvictionPolicy =
  | 'volatile-lru'
  | 'allkeys-lru'
  | 'volatile-lfu'
  | 'allkeys-lfu'
  | 'volatile-random'
  | 'allkeys-random'
  | 'volatile-ttl'
  | 'noeviction';

export interface NetworkConfig {
  /** IPv4 CIDR of the VPC, a /16 to /20 block, e.g. `10.0.0.0/16`. */
  readonly cidr: string;
  /** NAT gateways: one per AZ in prod (unless waived), at least one anywhere. */
  readonly natGateways: number;
  /**
   * What provides NAT: managed NAT gateways, or a `t4g.nano` NAT instance per gateway slot
   * (about $3 instead of $33 a month, no hourly data charge, but a single instance without
   * failover: dev and test only).
   * @default 'gateway'
   */
  readonly natProvider?: 'gateway' | 'instance';
  /** Retention of the VPC flow-log group, in days (a CloudWatch Logs retention value). */
  readonly flowLogRetentionDays: number;
  /** Interface endpoints to create in the private subnets. The S3 gateway endpoint is always on. */
  readonly interfaceEndpoints: readonly InterfaceEndpointName[];
}

/** What the application's connection pool may open, per task (the seeds' SQLAlchemy settings). */
export interface ConnectionBudget {
  /** Persistent connections per task (`DB_POOL_SIZE`). */
  readonly poolSize: number;
  /** Extra connections per task at peak (`DB_MAX_OVERFLOW`). */
  readonly maxOverflow: number;
  /** Connections kept free for migrations, rotation and operators (the seeds' `+ 10`). */
  readonly headroom: number;
}

export interface DatabaseConfig {
  /** PostgreSQL engine version, `MAJOR.MINOR` (e.g. `18.3`). */
  readonly postgresVersion: string;
  /** RDS instance class without the `db.` prefix, e.g. `t4g.medium`. */
  readonly instanceClass: string;
  readonly allocatedStorageGiB: number;
  /** Upper bound for storage autoscaling: at least 10 % above `allocatedStorageGiB` (RDS's minimum). */
  readonly maxAllocatedStorageGiB: number;
  readonly multiAz: boolean;
  /** Automated backup retention in days, 1..35 (the seeds keep 30). */
  readonly backupRetentionDays: number;
  /** Daily backup window, `hh:mm-hh:mm` UTC, at least 30 minutes. */
  readonly backupWindow: string;
  /** Weekly maintenance window, `ddd:hh:mm-ddd:hh:mm` UTC, not overlapping the backup window. */
  readonly maintenanceWindow: string;
  readonly deletionProtection: boolean;
  /** Performance Insights retention in days: 7 (free tier) or a multiple of 31 up to 731. */
  readonly performanceInsightsRetentionDays: number;
  /** Enhanced monitoring interval in seconds: 1, 5, 10, 15, 30 or 60. */
  readonly monitoringIntervalSeconds: number;
  /** Days between automatic rotations of the master credentials, 1..365. */
  readonly credentialRotationDays: number;
  /** Statements slower than this are logged (`log_min_duration_statement`), in ms. */
  readonly slowQueryThresholdMs: number;
  /** Name of the application database created with the instance. */
  readonly databaseName: string;
  /**
   * `max_connections` set in the parameter group.
   * @default - RDS's own formula for the class, `LEAST(memory / 9531392, 5000)`
   */
  readonly maxConnections?: number;
  readonly connectionBudget: ConnectionBudget;
  /**
   * An RDS Proxy in front of the instance, for loads whose connection pools would not fit in
   * `max_connections`: the tasks connect to the proxy (TLS required), which shares at most
   * `max_connections - connectionBudget.headroom` connections to the database among them and
   * queues the rest. The pool check against `max_connections` then no longer applies.
   * @default false
   */
  readonly proxy?: boolean;
}

export interface CacheConfig {
  readonly engine: 'redis' | 'valkey';
  /** Engine version, `MAJOR.MINOR`: Redis 7.x or Valkey 7.2/8.x. */
  readonly engineVersion: string;
  /** ElastiCache node type, e.g. `cache.t4g.micro`. */
  readonly nodeType: string;
  /** Read replicas besides the primary, 0..5. Automatic failover needs at least one. */
  readonly replicas: number;
  readonly multiAz: boolean;
  /** Daily snapshots kept, in days (0 turns snapshots off; 1..35). */
  readonly snapshotRetentionDays: number;
  readonly evictionPolicy: EvictionPolicy;
}

export interface SecretsConfig {
  /** Keys of the app secret whose values Berth generates, e.g. `SECRET_KEY`. */
  readonly generatedKeys: readonly string[];
  /** Third-party secrets created empty for the operator to fill in, e.g. `SENTRY_DSN`. */
  readonly thirdParty: readonly string[];
}

/** One environment: an account/region pair, its sizes, windows, retention and switches. */
export interface EnvironmentConfig {
  /** Stage name, used in `cdk deploy '<name>/*'`: lower case letters, digits and dashes. */
  readonly name: string;
  /** 12-digit AWS account id. */
  readonly account: string;
  /** AWS region, e.g. `eu-west-1`. */
  readonly region: string;
  /** Two or three AZs of `region`, spelled out so that synth needs no lookup. */
  readonly availabilityZones: readonly string[];
  /** Production environments get the production guardrails (see `ProductionWaiver`). */
  readonly production: boolean;
  /**
   * Production checks this environment explicitly gives up.
   * @default - none: every production guardrail applies
   */
  readonly waivers?: readonly ProductionWaiver[];
  /** Retention of application and service log groups, in days. */
  readonly logRetentionDays: number;
  readonly network: NetworkConfig;
  readonly database: DatabaseConfig;
  readonly cache: CacheConfig;
  readonly secrets: SecretsConfig;
  readonly service: ServiceConfig;
  readonly edge: EdgeConfig;
  /** The release gate: migrations that run before each rollout (see lib/config/release.ts). */
  readonly release: ReleaseConfig;
  /**
   * GitHub Actions access (see `CiConfig`).
   * @default - no CI access stack covers this environment
   */
  readonly ci?: CiConfig;
  readonly alarms: AlarmsConfig;
  /** Monthly budget and the usage assumptions of the cost estimate (see lib/config/cost.ts). */
  readonly cost: CostConfig;
}
