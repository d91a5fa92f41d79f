import { RemovalPolicy } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elasticache from 'aws-cdk-lib/aws-elasticache';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import type { EvictionPolicy } from '../config/types';
import { acknowledge } from '../nag';
import { encryptedLogGroup } from './log-group';

export interface CacheProps {
  readonly vpc: ec2.IVpc;
  /** Encrypts data at rest, the AUTH token secret and the log groups. */
  readonly encryptionKey: kms.IKey;
  readonly engine: 'redis' | 'valkey';
  /** `MAJOR.MINOR`, e.g. `8.0`. */
  readonly engineVersion: string;
  readonly nodeType: string;
  /** Read replicas besides the primary; automatic failover is on whenever there is one. */
  readonly replicas: number;
  readonly multiAz: boolean;
  /** 0 turns daily snapshots off. */
  readonly snapshotRetentionDays: number;
  readonly evictionPolicy: EvictionPolicy;
  readonly logRetentionDays: number;
  /** Production keeps a final snapshot and the log groups when the stack is deleted. */
  readonly production: boolean;
}

/** Clear of the database's 03:00-04:00 backup and Sunday maintenance, so both never coincide. */
const SNAPSHOT_WINDOW = '05:00-06:00';
const MAINTENANCE_WINDOW = 'sun:06:30-sun:07:30';
const PORT = 6379;

/**
 * An ElastiCache replication group (Redis OSS or Valkey) in the isolated subnets: TLS in transit,
 * KMS encryption at rest, an AUTH token generated into Secrets Manager (the template holds only a
 * dynamic reference), failover when a replica exists, daily snapshots and slow/engine logs in
 * CloudWatch Logs. Nothing can connect until `allowFrom` is called.
 */
export class Cache extends Construct {
  readonly replicationGroup: elasticache.CfnReplicationGroup;
  /** JSON secret with the AUTH token under `token`. */
  readonly authToken: secretsmanager.Secret;
  readonly securityGroup: ec2.SecurityGroup;
  readonly port = PORT;

  constructor(scope: Construct, id: string, props: CacheProps) {
    super(scope, id);
    const logRemovalPolicy = props.production ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;

    this.authToken = new secretsmanager.Secret(this, 'AuthToken', {
      description: 'ElastiCache AUTH token',
      encryptionKey: props.encryptionKey,
      removalPolicy: props.production ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
      generateSecretString: {
        secretStringTemplate: '{}',
        generateStringKey: 'token',
        // AUTH tokens allow 16-128 printable characters but not @, " or /; letters and digits
        // also keep REDIS_URL free of characters that would need encoding.
        excludePunctuation: true,
        passwordLength: 64,
      },
    });
    acknowledge(
      this.authToken,
      'AwsSolutions-SMG4',
      'ElastiCache AUTH token rotation needs a coordinated ROTATE/SET on the replication group; rotate by hand with the README runbook.',
    );

    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: `${props.engine}: ingress only from what is granted explicitly`,
      allowAllOutbound: false,
    });

    const subnetGroup = new elasticache.CfnSubnetGroup(this, 'Subnets', {
      description: 'Isolated subnets of the cache',
      subnetIds: props.vpc.selectSubnets({ subnetType: ec2.SubnetType.PRIVATE_ISOLATED }).subnetIds,
    });

    const major = props.engineVersion.split('.')[0];
    const parameterGroup = new elasticache.CfnParameterGroup(this, 'Parameters', {
      cacheParameterGroupFamily: `${props.engine}${major}`,
      description: `${props.engine} ${props.engineVersion}: ${props.evictionPolicy} eviction`,
      properties: { 'maxmemory-policy': props.evictionPolicy },
    });
    // Like the database's groups: kept in production so that a replacement never deletes a group
    // still in use, and a restore from the final snapshot finds its settings.
    if (props.production) {
      subnetGroup.applyRemovalPolicy(RemovalPolicy.RETAIN);
      parameterGroup.applyRemovalPolicy(RemovalPolicy.RETAIN);
    }

    const logDestination = (logId: string, logType: string) => ({
      logType,
      logFormat: 'json',
      destinationType: 'cloudwatch-logs',
      destinationDetails: {
        cloudWatchLogsDetails: {
          logGroup: encryptedLogGroup(this, logId, {
            encryptionKey: props.encryptionKey,
            retentionDays: props.logRetentionDays,
            removalPolicy: logRemovalPolicy,
          }).logGroupName,
        },
      },
    });

    const failover = props.replicas > 0;
    this.replicationGroup = new elasticache.CfnReplicationGroup(this, 'ReplicationGroup', {
      replicationGroupDescription: `Berth ${props.engine} cache, session and rate-limit store`,
      engine: props.engine,
      engineVersion: props.engineVersion,
      cacheNodeType: props.nodeType,
      numCacheClusters: 1 + props.replicas,
      automaticFailoverEnabled: failover,
      multiAzEnabled: props.multiAz,
      port: PORT,
      cacheSubnetGroupName: subnetGroup.ref,
      cacheParameterGroupName: parameterGroup.ref,
      securityGroupIds: [this.securityGroup.securityGroupId],
      transitEncryptionEnabled: true,
      atRestEncryptionEnabled: true,
      kmsKeyId: props.encryptionKey.keyArn,
      authToken: this.authToken.secretValueFromJson('token').unsafeUnwrap(),
      snapshotRetentionLimit: props.snapshotRetentionDays,
      snapshotWindow: SNAPSHOT_WINDOW,
      preferredMaintenanceWindow: MAINTENANCE_WINDOW,
      autoMinorVersionUpgrade: true,
      logDeliveryConfigurations: [logDestination('SlowLogs', 'slow-log'), logDestination('EngineLogs', 'engine-log')],
    });
    this.replicationGroup.applyRemovalPolicy(props.production ? RemovalPolicy.SNAPSHOT : RemovalPolicy.DESTROY);

    if (!props.multiAz) {
      acknowledge(
        this.replicationGroup,
        'AwsSolutions-AEC4',
        'Single-AZ only outside production (or with the explicit cache.multiAz waiver); config validation enforces Multi-AZ in prod.',
      );
    }
    acknowledge(
      this.replicationGroup,
      'AwsSolutions-AEC5',
      'Keeps 6379: the cache sits in isolated subnets behind a no-ingress security group, and clients expect the standard port.',
    );
  }

  /**
   * Admits `peer` to the cache port. The only way anything reaches the cache. Like
   * `Database.allowFrom`, the rule lives in the peer's stack.
   */
  allowFrom(peer: ec2.IConnectable, description: string): void {
    peer.connections.allowTo(this.securityGroup, ec2.Port.tcp(PORT), description);
  }
}
