import { Arn, ArnFormat, CfnOutput, Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import type { Construct } from 'constructs';
import { budgetTagOf } from '../config/cost';
import { instanceMemoryGiB } from '../config/instance-classes';
import { migrationTimeoutMinutes } from '../config/release';
import type { EnvironmentConfig } from '../config/types';
import { AlarmTopic } from '../constructs/alarm-topic';
import { ApiService } from '../constructs/api-service';
import { Budget } from '../constructs/budget';
import { ConnectionStrings } from '../constructs/connection-strings';
import { DatabaseEvents } from '../constructs/database-events';
import { Edge } from '../constructs/edge';
import { logProviderSingleton } from '../constructs/log-group';
import { MigrationRunner } from '../constructs/migration-runner';
import { MigrationTaskDefinition } from '../constructs/migration-task';
import { SecretPreflight } from '../constructs/secret-preflight';
import { SecretReferences, type SecretSource } from '../constructs/secret-references';
import { ServiceAlarms } from '../constructs/service-alarms';
import { ServiceDashboard } from '../constructs/service-dashboard';
import { serviceMetrics } from '../constructs/service-metrics';
import { WebAcl } from '../constructs/web-acl';
import type { DataStack } from './data-stack';
import { EnvironmentStack, type EnvironmentStackProps } from './environment-stack';
import { UPTIME_REGION, uptimeAlarmName } from './uptime-stack';

export interface ServiceStackProps extends EnvironmentStackProps {
  /** The environment's stateful stack: network, key, database, cache, secrets, repository. */
  readonly data: DataStack;
}

/**
 * The stateless half of an environment: the ALB with TLS and WAF, and the Fargate service with
 * autoscaling. Safe to delete and recreate; everything it needs that holds data lives in `data`.
 */
export class ServiceStack extends EnvironmentStack {
  readonly api: ApiService;
  readonly edge: Edge;
  readonly webAcl: WebAcl;
  readonly migrations: MigrationRunner;
  /** Where every alarm of the environment notifies (ALARM and OK). */
  readonly alarmTopic: AlarmTopic;
  readonly alarms: ServiceAlarms;
  readonly dashboard: ServiceDashboard;

  constructor(scope: Construct, id: string, props: ServiceStackProps) {
    super(scope, id, props);
    const { config, data } = props;
    const service = config.service;
    const logRemovalPolicy = config.production ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
    const logRetentionDays = config.logRetentionDays;
    const handlerLogs = { encryptionKey: data.encryptionKey, logRetentionDays, logRemovalPolicy };

    // DATABASE_URL and REDIS_URL, composed from the generated credentials and rewritten after rotation.
    const connectionStrings = new ConnectionStrings(this, 'ConnectionStrings', {
      ...handlerLogs,
      databaseSecret: data.database.secret,
      databaseName: config.database.databaseName,
      // Only a proxy's: the secret's own host is the instance's, and passing that too would
      // update every deployed environment's custom resource for nothing.
      databaseHost: data.databaseProxy?.host,
      cacheTokenSecret: data.cache.authToken,
      cacheHost: data.cache.replicationGroup.attrPrimaryEndPointAddress,
      cachePort: data.cache.replicationGroup.attrPrimaryEndPointPort,
      // Derived data: recomposed on every release, so nothing is lost with the stack.
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const secrets = new SecretReferences(this, 'Secrets', {
      sources: this.injectedSecrets(config, data, connectionStrings),
      encryptionKey: data.encryptionKey,
    });
    const image = this.containerImage(config, data);
    const environment = {
      ENVIRONMENT: config.name,
      PORT: String(service.containerPort),
      DB_HOST: data.databaseEndpoint.host,
      DB_PORT: data.databaseEndpoint.port,
      DB_NAME: config.database.databaseName,
      REDIS_HOST: data.cache.replicationGroup.attrPrimaryEndPointAddress,
      REDIS_PORT: String(data.cache.port),
      // The pool the connection budget was checked with (the seeds' SQLAlchemy settings).
      DB_POOL_SIZE: String(config.database.connectionBudget.poolSize),
      DB_MAX_OVERFLOW: String(config.database.connectionBudget.maxOverflow),
      ...service.environment,
    };
    const cpuArchitecture =
      service.cpuArchitecture === 'ARM64' ? ecs.CpuArchitecture.ARM64 : ecs.CpuArchitecture.X86_64;

    this.api = new ApiService(this, 'Api', {
      vpc: data.vpc,
      encryptionKey: data.encryptionKey,
      image,
      cpu: service.cpu,
      memoryLimitMiB: service.memoryMiB,
      cpuArchitecture,
      spot: service.spot,
      containerPort: service.containerPort,
      healthCheckPath: service.healthCheckPath,
      healthCheckGracePeriod: Duration.seconds(service.healthCheckGracePeriodSeconds),
      environment,
      secrets: secrets.ecsSecrets,
      user: service.user,
      readonlyRootFilesystem: service.readonlyRootFilesystem,
      containerInsights: service.containerInsights,
      ecsExec: service.ecsExec,
      logRetentionDays,
      logRemovalPolicy,
    });
    secrets.grantDecrypt(this.api.taskDefinition.obtainExecutionRole());
    data.databaseEndpoint.allowFrom(this.api.service, 'API and migration tasks');
    data.cache.allowFrom(this.api.service, 'API and migration tasks');

    // The release gate: third-party secrets filled in, then the migration task exits 0, then the
    // service rolls out the new task definition.
    const migration = new MigrationTaskDefinition(this, 'MigrationTask', {
      image,
      command: config.release.migrationCommand,
      environment,
      secrets: secrets.ecsSecrets,
      cpu: service.cpu,
      memoryLimitMiB: service.memoryMiB,
      runtimePlatform: { cpuArchitecture, operatingSystemFamily: ecs.OperatingSystemFamily.LINUX },
      logGroup: this.api.logGroup,
      user: service.user,
    });
    secrets.grantDecrypt(migration.taskDefinition.obtainExecutionRole());
    const preflight = new SecretPreflight(this, 'SecretPreflight', {
      ...handlerLogs,
      secrets: data.appSecrets.thirdParty,
      trigger: migration.imageName,
    });
    this.migrations = new MigrationRunner(this, 'Migrations', {
      ...handlerLogs,
      cluster: this.api.cluster,
      migration,
      subnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      // The service's group: the one the database and cache admit.
      securityGroups: [this.api.securityGroup],
      timeout: Duration.minutes(migrationTimeoutMinutes(config.release)),
    });
    // The ingress rules that admit the tasks to the database and cache are children of the
    // service's security group: the first migration must not start before they exist.
    this.migrations.run.node.addDependency(preflight.resource, connectionStrings.resource, this.api.securityGroup);
    this.migrations.gateRollout(this.api.service);
    connectionStrings.recomposeOnRelease(migration.imageName);
    connectionStrings.redeployOnRotation(this.api.service);

    this.edge = new Edge(this, 'Edge', {
      vpc: data.vpc,
      hostNames: config.edge.hostNames,
      tls: config.edge.tls,
      securityHeaders: config.edge.securityHeaders,
      targetGroup: this.api.targetGroup,
      accessLogRetentionDays: config.edge.accessLogRetentionDays,
      idleTimeout: Duration.seconds(config.edge.idleTimeoutSeconds),
      production: config.production,
    });
    logProviderSingleton(this, 'Custom::S3AutoDeleteObjectsCustomResourceProvider', {
      encryptionKey: data.encryptionKey,
      retentionDays: logRetentionDays,
      removalPolicy: logRemovalPolicy,
    });
    this.api.autoscale(service.minTasks, service.maxTasks, service.scaling);

    this.webAcl = new WebAcl(this, 'Waf', {
      loadBalancerArn: this.edge.loadBalancer.loadBalancerArn,
      rateLimitRequests: config.edge.waf.rateLimitRequests,
      rateLimitWindowSeconds: config.edge.waf.rateLimitWindowSeconds,
      managedRuleGroups: config.edge.waf.managedRuleGroups,
      encryptionKey: data.encryptionKey,
      logRetentionDays: config.edge.waf.logRetentionDays,
      logRemovalPolicy,
    });

    this.alarmTopic = new AlarmTopic(this, 'Notifications', {
      encryptionKey: data.encryptionKey,
      emails: config.alarms.notificationEmails,
      displayName: `Berth ${config.name} alarms`,
    });
    new DatabaseEvents(this, 'DatabaseEvents', { database: data.database.instance, topic: this.alarmTopic.topic });
    // Spend alerts go where the alarms go: 80 % of the budget spent, or 100 % forecast.
    new Budget(this, 'Budget', {
      monthlyLimitUsd: config.cost.monthlyBudgetUsd,
      topic: this.alarmTopic.topic,
      budgetName: `berth-${config.name}`,
      costAllocationTag: budgetTagOf(config),
    });
    const metrics = serviceMetrics({
      loadBalancer: this.edge.loadBalancer,
      targetGroup: this.api.targetGroup,
      service: this.api.service,
      database: data.database.instance,
      cacheClusterIds: Array.from(
        { length: config.cache.replicas + 1 },
        (_, i) => `${data.cache.replicationGroup.ref}-${String(i + 1).padStart(3, '0')}`,
      ),
      webAclName: this.webAcl.webAclName,
      region: this.region,
      databaseProxyName: data.databaseProxy?.proxy.dbProxyName,
    });
    this.alarms = new ServiceAlarms(this, 'Alarms', {
      environmentName: config.name,
      metrics,
      thresholds: config.alarms,
      topic: this.alarmTopic.topic,
      minTasks: service.minTasks,
      maxConnections: data.database.maxConnections,
      allocatedStorageGiB: config.database.allocatedStorageGiB,
      // validateEnvironments has rejected any class whose memory is unknown.
      databaseMemoryGiB: instanceMemoryGiB(config.database.instanceClass) ?? 0,
      failedMigrations: this.migrations.metricFailedMigrations(),
    });
    const uptimeAlarm = cloudwatch.Alarm.fromAlarmArn(
      this,
      'UptimeAlarm',
      Arn.format(
        {
          service: 'cloudwatch',
          region: UPTIME_REGION,
          resource: 'alarm',
          resourceName: uptimeAlarmName(config.name),
          arnFormat: ArnFormat.COLON_RESOURCE_NAME,
        },
        this,
      ),
    );
    this.dashboard = new ServiceDashboard(this, 'Dashboard', {
      dashboardName: `berth-${config.name}`,
      metrics,
      alarms: this.alarms.alarms,
      remoteAlarms: [
        {
          alarm: uptimeAlarm,
          region: UPTIME_REGION,
          title: `Uptime (${UPTIME_REGION}): ${uptimeAlarmName(config.name)}`,
        },
      ],
    });

    new CfnOutput(this, 'Url', { value: this.edge.url, description: 'Public URL of the API' });
    new CfnOutput(this, 'LoadBalancerDns', {
      value: this.edge.loadBalancer.loadBalancerDnsName,
      description: 'Point DNS here when Berth does not manage the zone',
    });
    new CfnOutput(this, 'ClusterName', { value: this.api.cluster.clusterName });
    new CfnOutput(this, 'ServiceName', { value: this.api.service.serviceName });
    new CfnOutput(this, 'LogGroupName', { value: this.api.logGroup.logGroupName });
    new CfnOutput(this, 'AlarmTopicArn', {
      value: this.alarmTopic.topic.topicArn,
      description: 'SNS topic of every alarm; subscribe a pager or chat here',
    });
  }

  /** The pinned image: an external registry, an existing ECR repository, or Berth's own. */
  private containerImage(config: EnvironmentConfig, data: DataStack): ecs.ContainerImage {
    const { image } = config.service;
    if (image.uri !== undefined) return ecs.ContainerImage.fromRegistry(`${image.uri}:${image.tag}`);
    const repository =
      image.repositoryName !== undefined
        ? ecr.Repository.fromRepositoryName(this, 'Repository', image.repositoryName)
        : data.repository;
    if (!repository) throw new Error(`[${config.name}] the Data stack created no image repository`);
    return ecs.ContainerImage.fromEcrRepository(repository, image.tag);
  }

  /** Every data-tier secret, or the configured subset, by environment variable name. */
  private injectedSecrets(
    config: EnvironmentConfig,
    data: DataStack,
    connectionStrings: ConnectionStrings,
  ): Record<string, SecretSource> {
    const all: Record<string, SecretSource> = {
      DATABASE_URL: { secret: connectionStrings.secret, jsonKey: 'DATABASE_URL' },
      REDIS_URL: { secret: connectionStrings.secret, jsonKey: 'REDIS_URL' },
      DB_USER: { secret: data.database.secret, jsonKey: 'username' },
      DB_PASSWORD: { secret: data.database.secret, jsonKey: 'password' },
      REDIS_AUTH_TOKEN: { secret: data.cache.authToken, jsonKey: 'token' },
    };
    for (const [name, secret] of [...data.appSecrets.generated, ...data.appSecrets.thirdParty]) {
      all[name] = { secret };
    }
    const wanted = config.service.secrets;
    // validateEnvironments has checked that every wanted name is one of these.
    return wanted === undefined ? all : Object.fromEntries(wanted.map((name) => [name, all[name]]));
  }
}
