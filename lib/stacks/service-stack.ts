import { Arn, ArnFormat, CfnOutput, Duration, Fn, RemovalPolicy } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import type { Construct } from 'constructs';
import { instanceMemoryGiB } from '../config/instance-classes';
import type { EnvironmentConfig } from '../config/types';
import { AlarmTopic } from '../constructs/alarm-topic';
import { ApiService } from '../constructs/api-service';
import { Edge } from '../constructs/edge';
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
  /**
   * Failed runs of the migration gate, alarmed on like the rest.
   * @default - no failed-migration alarm
   */
  readonly failedMigrations?: cloudwatch.IMetric;
}

/**
 * The stateless half of an environment: the ALB with TLS and WAF, and the Fargate service with
 * autoscaling. Safe to delete and recreate; everything it needs that holds data lives in `data`.
 */
export class ServiceStack extends EnvironmentStack {
  readonly api: ApiService;
  readonly edge: Edge;
  readonly webAcl: WebAcl;
  /** Where every alarm of the environment notifies (ALARM and OK). */
  readonly alarmTopic: AlarmTopic;
  readonly alarms: ServiceAlarms;
  readonly dashboard: ServiceDashboard;

  constructor(scope: Construct, id: string, props: ServiceStackProps) {
    super(scope, id, props);
    const { config, data } = props;
    const secrets = new SecretReferences(this, 'Secrets', {
      sources: this.injectedSecrets(config, data),
      encryptionKey: data.encryptionKey,
    });
    const service = config.service;
    const logRemovalPolicy = config.production ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;

    this.api = new ApiService(this, 'Api', {
      vpc: data.vpc,
      encryptionKey: data.encryptionKey,
      image: this.containerImage(config, data),
      cpu: service.cpu,
      memoryLimitMiB: service.memoryMiB,
      cpuArchitecture: service.cpuArchitecture === 'ARM64' ? ecs.CpuArchitecture.ARM64 : ecs.CpuArchitecture.X86_64,
      spot: service.spot,
      containerPort: service.containerPort,
      healthCheckPath: service.healthCheckPath,
      healthCheckGracePeriod: Duration.seconds(service.healthCheckGracePeriodSeconds),
      environment: {
        ENVIRONMENT: config.name,
        PORT: String(service.containerPort),
        DB_HOST: data.database.instance.dbInstanceEndpointAddress,
        DB_PORT: data.database.instance.dbInstanceEndpointPort,
        DB_NAME: config.database.databaseName,
        REDIS_HOST: data.cache.replicationGroup.attrPrimaryEndPointAddress,
        REDIS_PORT: String(data.cache.port),
        ...service.environment,
      },
      secrets: secrets.ecsSecrets,
      user: service.user,
      readonlyRootFilesystem: service.readonlyRootFilesystem,
      logRetentionDays: config.logRetentionDays,
      logRemovalPolicy,
    });
    secrets.grantDecrypt(this.api.taskDefinition.obtainExecutionRole());
    data.database.allowFrom(this.api.service, 'API tasks');
    data.cache.allowFrom(this.api.service, 'API tasks');

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
    const metrics = serviceMetrics({
      loadBalancer: this.edge.loadBalancer,
      targetGroup: this.api.targetGroup,
      service: this.api.service,
      database: data.database.instance,
      cacheClusterIds: Array.from(
        { length: config.cache.replicas + 1 },
        (_, i) => `${data.cache.replicationGroup.ref}-${String(i + 1).padStart(3, '0')}`,
      ),
      // A WAFv2 web ACL's Ref is `name|id|scope`.
      webAclName: Fn.select(0, Fn.split('|', this.webAcl.webAcl.ref)),
      region: this.region,
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
      failedMigrations: props.failedMigrations,
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
  private injectedSecrets(config: EnvironmentConfig, data: DataStack): Record<string, SecretSource> {
    const all: Record<string, SecretSource> = {
      DB_USER: { secret: data.database.secret, jsonKey: 'username' },
      DB_PASSWORD: { secret: data.database.secret, jsonKey: 'password' },
      REDIS_AUTH_TOKEN: { secret: data.cache.authToken, jsonKey: 'token' },
    };
    for (const [name, secret] of [...data.appSecrets.generated, ...data.appSecrets.thirdParty]) {
      all[name] = { secret };
    }
    const wanted = config.service.secrets;
    if (wanted === undefined) return all;
    const unknown = wanted.filter((name) => !(name in all));
    if (unknown.length > 0)
      throw new Error(`[${config.name}] service.secrets names secrets Berth does not inject: ${unknown.join(', ')}`);
    return Object.fromEntries(wanted.map((name) => [name, all[name]]));
  }
}
