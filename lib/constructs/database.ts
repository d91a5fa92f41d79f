import { Duration, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as sam from 'aws-cdk-lib/aws-sam';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { acknowledge, wildcardFinding } from '../nag';
import { dropRedundantDependency } from '../redundant-dependency';
import { trustForOwnResourcesOnly } from './service-role';

export interface DatabaseProps {
  readonly vpc: ec2.IVpc;
  /** Encrypts storage, Performance Insights, and the credentials secret. */
  readonly encryptionKey: kms.IKey;
  /** PostgreSQL `MAJOR.MINOR`, e.g. `18.3`. */
  readonly postgresVersion: string;
  /** RDS class without the `db.` prefix, e.g. `t4g.medium`. */
  readonly instanceClass: string;
  readonly allocatedStorageGiB: number;
  readonly maxAllocatedStorageGiB: number;
  readonly multiAz: boolean;
  readonly backupRetentionDays: number;
  /** `hh:mm-hh:mm` UTC. */
  readonly backupWindow: string;
  /** `ddd:hh:mm-ddd:hh:mm` UTC. */
  readonly maintenanceWindow: string;
  readonly deletionProtection: boolean;
  /**
   * Production keeps a final snapshot and the automated backups when the instance is deleted.
   * Elsewhere both go with the stack so a torn-down dev environment leaves nothing billable.
   */
  readonly production: boolean;
  readonly performanceInsightsRetentionDays: number;
  readonly monitoringIntervalSeconds: number;
  readonly credentialRotationDays: number;
  readonly slowQueryThresholdMs: number;
  readonly databaseName: string;
  /** Written into the parameter group, so alarms and the connection budget share one number. */
  readonly maxConnections: number;
  /** Retention of the exported `postgresql` and `upgrade` logs. */
  readonly logRetentionDays: number;
}

/** Construct id CDK gives its per-stack LogRetention singleton (aws-logs `LogRetention`). */
const LOG_RETENTION_SINGLETON_ID = 'LogRetentionaae0aa3c5b4d4f87b02d85b201efdd8a';

export const POSTGRES_PORT = 5432;

/** Where the tasks connect to PostgreSQL: the instance itself, or a proxy in front of it. */
export interface DatabaseEndpoint {
  /** Host name the tasks connect to. */
  readonly host: string;
  /** Port the tasks connect to, as a string for environment variables. */
  readonly port: string;
  /** Admits `peer` to `host:port`. */
  allowFrom(peer: ec2.IConnectable, description: string): void;
}

/** The master user; the application receives its credentials through Secrets Manager only. */
const MASTER_USERNAME = 'berth_admin';

/**
 * RDS for PostgreSQL in the isolated subnets: encrypted gp3 storage that grows on its own,
 * automated backups with point-in-time recovery, a parameter group that forces TLS, logs slow
 * queries and loads `pg_stat_statements`, and credentials generated into Secrets Manager and
 * rotated on a schedule. Nothing but the rotation function can connect until `allowFrom` is called
 * or an RDS Proxy targets the instance (`ProxyTarget.fromInstance` admits the proxy).
 */
export class Database extends Construct implements DatabaseEndpoint {
  readonly instance: rds.DatabaseInstance;
  /** JSON secret with `username`, `password`, `host`, `port`, `engine` (its attachment adds the connection fields). */
  readonly secret: secretsmanager.ISecret;
  readonly securityGroup: ec2.SecurityGroup;
  readonly maxConnections: number;
  readonly host: string;
  readonly port: string;

  constructor(scope: Construct, id: string, props: DatabaseProps) {
    super(scope, id);
    this.maxConnections = props.maxConnections;
    const major = props.postgresVersion.split('.')[0] ?? props.postgresVersion;
    const engine = rds.DatabaseInstanceEngine.postgres({
      version: rds.PostgresEngineVersion.of(props.postgresVersion, major),
    });

    const parameterGroup = new rds.ParameterGroup(this, 'Parameters', {
      engine,
      description: `PostgreSQL ${major}: TLS only, slow-query log, pg_stat_statements`,
      parameters: {
        'rds.force_ssl': '1',
        log_min_duration_statement: String(props.slowQueryThresholdMs),
        shared_preload_libraries: 'pg_stat_statements',
        'pg_stat_statements.track': 'all',
        max_connections: String(props.maxConnections),
        log_disconnections: '1',
        log_lock_waits: '1',
        idle_in_transaction_session_timeout: '300000',
      },
    });

    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: 'PostgreSQL: ingress only from what is granted explicitly',
      allowAllOutbound: false,
    });

    this.instance = new rds.DatabaseInstance(this, 'Instance', {
      engine,
      instanceType: new ec2.InstanceType(props.instanceClass),
      vpc: props.vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      securityGroups: [this.securityGroup],
      publiclyAccessible: false,
      port: POSTGRES_PORT,
      credentials: rds.Credentials.fromGeneratedSecret(MASTER_USERNAME, {
        encryptionKey: props.encryptionKey,
      }),
      databaseName: props.databaseName,
      parameterGroup,
      storageType: rds.StorageType.GP3,
      allocatedStorage: props.allocatedStorageGiB,
      maxAllocatedStorage: props.maxAllocatedStorageGiB,
      storageEncrypted: true,
      storageEncryptionKey: props.encryptionKey,
      multiAz: props.multiAz,
      backupRetention: Duration.days(props.backupRetentionDays),
      preferredBackupWindow: props.backupWindow,
      preferredMaintenanceWindow: props.maintenanceWindow,
      copyTagsToSnapshot: true,
      deleteAutomatedBackups: !props.production,
      deletionProtection: props.deletionProtection,
      removalPolicy: props.production ? RemovalPolicy.SNAPSHOT : RemovalPolicy.DESTROY,
      autoMinorVersionUpgrade: true,
      caCertificate: rds.CaCertificate.RDS_CA_RSA2048_G1,
      enablePerformanceInsights: true,
      performanceInsightRetention: props.performanceInsightsRetentionDays as rds.PerformanceInsightRetention,
      performanceInsightEncryptionKey: props.encryptionKey,
      monitoringInterval: Duration.seconds(props.monitoringIntervalSeconds),
      cloudwatchLogsExports: ['postgresql', 'upgrade'],
      cloudwatchLogsRetention: props.logRetentionDays as logs.RetentionDays,
      iamAuthentication: true,
    });
    const monitoringRole = this.instance.node.findChild('MonitoringRole') as iam.Role;
    const { account, partition, region } = Stack.of(this);
    trustForOwnResourcesOnly(monitoringRole, `arn:${partition}:rds:${region}:${account}:db:*`);
    acknowledge(
      monitoringRole,
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole]',
      'AmazonRDSEnhancedMonitoringRole is the AWS-maintained policy for exactly this service role; it only writes RDSOSMetrics logs.',
    );
    // biome-ignore lint/style/noNonNullAssertion: fromGeneratedSecret always attaches a secret.
    this.secret = this.instance.secret!;
    this.host = this.instance.dbInstanceEndpointAddress;
    this.port = this.instance.dbInstanceEndpointPort;
    // A snapshot restores with the master password it was taken with: keep the secret with it.
    // (`instance.secret` is the target attachment; the generated secret is the child `Secret`.)
    (this.instance.node.findChild('Secret') as secretsmanager.Secret).applyRemovalPolicy(
      props.production ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    );
    // The groups hold no data, but restoring the final snapshot wants the same parameters, and
    // a retained old group cannot fail a replacement's cleanup while the instance still uses it.
    if (props.production) {
      parameterGroup.applyRemovalPolicy(RemovalPolicy.RETAIN);
      (this.instance.node.findChild('SubnetGroup') as rds.SubnetGroup).applyRemovalPolicy(RemovalPolicy.RETAIN);
    }

    const rotation = this.instance.addRotationSingleUser({
      automaticallyAfter: Duration.days(props.credentialRotationDays),
      // The rotation Lambda calls the Secrets Manager API, which isolated subnets cannot reach.
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
    });
    this.logRotation(rotation, props);
    acknowledge(
      rotation,
      'AwsSolutions-SMG4',
      'False positive: this construct is the rotation schedule of the master secret.',
    );

    if (!props.multiAz) {
      acknowledge(
        this.instance,
        'AwsSolutions-RDS3',
        'Single-AZ only outside production (or with the explicit database.multiAz waiver); config validation enforces Multi-AZ in prod.',
      );
    }
    if (!props.deletionProtection) {
      acknowledge(
        this.instance,
        'AwsSolutions-RDS10',
        'Deletion protection off only outside production so that cdk destroy can tear dev down; validation enforces it in prod.',
      );
    }
    // CDK adds one LogRetention function per stack to set retention on the log groups RDS creates
    // itself (their names exist only once the instance does).
    const logRetention = Stack.of(this).node.tryFindChild(LOG_RETENTION_SINGLETON_ID);
    if (logRetention) {
      dropRedundantDependency(logRetention, 'Resource', 'ServiceRole');
      acknowledge(
        logRetention,
        'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
        "CDK's LogRetention function: aws-cdk-lib gives it AWSLambdaBasicExecutionRole, which may create log groups and write log events in any of the account's log groups (not read them), the logging grant AWS documents for every Lambda function.",
      );
      acknowledge(
        logRetention,
        'AwsSolutions-IAM5[Resource::*]',
        "CDK's LogRetention function sets retention on log groups RDS names at creation time, so they cannot be listed up front.",
      );
    }
    acknowledge(
      this.instance,
      'AwsSolutions-RDS11',
      'Keeps 5432: the instance sits in isolated subnets behind a no-ingress security group, and apps and tools expect the standard port.',
    );
  }

  /**
   * The rotation function comes from a Serverless Application Repository app that names it but
   * creates no log group, so Lambda creates `/aws/lambda/<name>` on the first rotation and keeps
   * it forever. CDK's LogRetention (already in this stack for the RDS logs) sets the retention by
   * name, creating the group when it is missing and taking it over when an earlier deploy's first
   * rotation already created it; a plain log group of that name would fail there with "already
   * exists". The group stays encrypted with CloudWatch Logs' own key: LogRetention sets no KMS key.
   */
  private logRotation(rotation: secretsmanager.SecretRotation, props: DatabaseProps): void {
    const application = rotation.node.findChild('Resource');
    const parameters = application instanceof sam.CfnApplication ? application.parameters : undefined;
    const functionName = Token.isUnresolved(parameters)
      ? undefined
      : (parameters as Record<string, string> | undefined)?.functionName;
    if (!functionName || Token.isUnresolved(functionName)) {
      throw new Error(`${rotation.node.path}: CDK no longer names the rotation function in its application`);
    }
    const retention = new logs.LogRetention(this, 'RotationLogRetention', {
      logGroupName: `/aws/lambda/${functionName}`,
      retention: props.logRetentionDays as logs.RetentionDays,
      removalPolicy: props.production ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    application.node.addDependency(retention);
    if (!props.production) {
      const { partition, region, account } = Stack.of(this);
      acknowledge(
        Stack.of(this).node.findChild(LOG_RETENTION_SINGLETON_ID),
        wildcardFinding(this, `arn:${partition}:logs:${region}:${account}:log-group:/aws/lambda/${functionName}:*`),
        "Deleting the rotation function's log group with the stack: a log group's ARN ends in ':*'; the group is named exactly.",
      );
    }
  }

  /**
   * Admits `peer` to the PostgreSQL port. The rule is created from the peer's side, so it lives
   * in the peer's stack and the data stack never references a stateless stack.
   */
  allowFrom(peer: ec2.IConnectable, description: string): void {
    peer.connections.allowTo(this.instance, ec2.Port.tcp(POSTGRES_PORT), description);
  }
}
