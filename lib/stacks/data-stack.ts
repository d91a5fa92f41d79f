import { CfnOutput, RemovalPolicy } from 'aws-cdk-lib';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as ecr from 'aws-cdk-lib/aws-ecr';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type { Construct } from 'constructs';
import { maxConnectionsOf, proxyMaxConnectionsPercent } from '../config/validate';
import { AppSecrets } from '../constructs/app-secrets';
import { Cache } from '../constructs/cache';
import { ContainerRepository } from '../constructs/container-repository';
import { Database, type DatabaseEndpoint } from '../constructs/database';
import { DatabaseProxy } from '../constructs/database-proxy';
import { EncryptionKey } from '../constructs/encryption-key';
import { logProviderSingleton } from '../constructs/log-group';
import { Network } from '../constructs/network';
import { EnvironmentStack, type EnvironmentStackProps } from './environment-stack';

/**
 * The stateful half of an environment: network, KMS key, database (with its RDS Proxy when
 * configured), cache, secrets and the image repository. Deployed before and changed far less
 * often than the service stack; termination-protected in production.
 *
 * Construct ids here are part of the logical ids of stateful resources: renaming one replaces
 * the resource, so `test/stacks/data-stack.test.ts` pins them.
 */
export class DataStack extends EnvironmentStack {
  readonly vpc: ec2.Vpc;
  readonly encryptionKey: kms.Key;
  readonly database: Database;
  /** The RDS Proxy in front of `database`, when the config asks for one. */
  readonly databaseProxy?: DatabaseProxy;
  /** Where the tasks connect: the proxy when there is one, else the instance. */
  readonly databaseEndpoint: DatabaseEndpoint;
  readonly cache: Cache;
  readonly appSecrets: AppSecrets;
  /** Berth's image repository, unless the config names an existing repository or registry. */
  readonly repository?: ecr.Repository;

  constructor(scope: Construct, id: string, props: EnvironmentStackProps) {
    super(scope, id, { terminationProtection: props.config.production, ...props });
    const { config } = props;
    const retainInProd = config.production ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;

    this.encryptionKey = new EncryptionKey(this, 'Encryption', {
      environmentName: config.name,
      removalPolicy: retainInProd,
    }).key;

    this.vpc = new Network(this, 'Network', {
      cidr: config.network.cidr,
      maxAzs: config.availabilityZones.length,
      natGateways: config.network.natGateways,
      natProvider: config.network.natProvider,
      flowLogRetentionDays: config.network.flowLogRetentionDays,
      interfaceEndpoints: config.network.interfaceEndpoints,
      encryptionKey: this.encryptionKey,
      logRemovalPolicy: retainInProd,
    }).vpc;
    logProviderSingleton(this, 'Custom::VpcRestrictDefaultSGCustomResourceProvider', {
      encryptionKey: this.encryptionKey,
      retentionDays: config.logRetentionDays,
      removalPolicy: retainInProd,
    });

    const db = config.database;
    this.database = new Database(this, 'Database', {
      vpc: this.vpc,
      encryptionKey: this.encryptionKey,
      postgresVersion: db.postgresVersion,
      instanceClass: db.instanceClass,
      allocatedStorageGiB: db.allocatedStorageGiB,
      maxAllocatedStorageGiB: db.maxAllocatedStorageGiB,
      multiAz: db.multiAz,
      backupRetentionDays: db.backupRetentionDays,
      backupWindow: db.backupWindow,
      maintenanceWindow: db.maintenanceWindow,
      deletionProtection: db.deletionProtection,
      production: config.production,
      performanceInsightsRetentionDays: db.performanceInsightsRetentionDays,
      monitoringIntervalSeconds: db.monitoringIntervalSeconds,
      credentialRotationDays: db.credentialRotationDays,
      slowQueryThresholdMs: db.slowQueryThresholdMs,
      databaseName: db.databaseName,
      // validateEnvironments has rejected any class whose max_connections is unknown.
      maxConnections: maxConnectionsOf(config) ?? 0,
      logRetentionDays: config.logRetentionDays,
    });
    if (db.proxy) {
      this.databaseProxy = new DatabaseProxy(this, 'DatabaseProxy', {
        vpc: this.vpc,
        database: this.database,
        // validateEnvironments has checked that it is known and at least 1.
        maxConnectionsPercent: proxyMaxConnectionsPercent(config) ?? 1,
      });
    }
    this.databaseEndpoint = this.databaseProxy ?? this.database;
    // Exported whether or not the Service stack imports them now: turning the proxy on stops their
    // import, and CloudFormation refuses to remove an export a deployed stack still imports; turning
    // it off imports them again before the proxy's exports go.
    for (const value of [this.database.host, this.database.port, this.database.securityGroup.securityGroupId]) {
      this.exportValue(value);
    }

    this.cache = new Cache(this, 'Cache', {
      vpc: this.vpc,
      encryptionKey: this.encryptionKey,
      ...config.cache,
      logRetentionDays: config.logRetentionDays,
      production: config.production,
    });

    this.appSecrets = new AppSecrets(this, 'AppSecrets', {
      encryptionKey: this.encryptionKey,
      generatedKeys: config.secrets.generatedKeys,
      thirdPartyKeys: config.secrets.thirdParty,
      removalPolicy: retainInProd,
    });

    // The operator fills these in after the first deploy of this stack (see the README runbook).
    for (const [name, secret] of this.appSecrets.thirdParty) {
      new CfnOutput(this, `${name.replace(/_/g, '')}SecretArn`, {
        value: secret.secretArn,
        description: `Third-party secret ${name}: set it with aws secretsmanager put-secret-value`,
      });
    }

    const { image } = config.service;
    if (image.repositoryName === undefined && image.uri === undefined) {
      this.repository = new ContainerRepository(this, 'Images', {
        encryptionKey: this.encryptionKey,
        production: config.production,
      }).repository;
      new CfnOutput(this, 'RepositoryUri', {
        value: this.repository.repositoryUri,
        description: 'Push release images here (docker push <uri>:<tag>)',
      });
    }
  }
}
