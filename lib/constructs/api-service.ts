import { Annotations, Duration, type RemovalPolicy, Size, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as logs from 'aws-cdk-lib/aws-logs';
import { Construct, Dependable, type IDependable } from 'constructs';
import type { ScalingConfig } from '../config/service';
import { acknowledge, wildcardFinding } from '../nag';
import { encryptedLogGroup } from './log-group';

export interface ApiServiceProps {
  readonly vpc: ec2.IVpc;
  /** Encrypts the container logs and ECS Exec sessions. */
  readonly encryptionKey: kms.IKey;
  readonly image: ecs.ContainerImage;
  /** Fargate CPU units. */
  readonly cpu: number;
  readonly memoryLimitMiB: number;
  readonly cpuArchitecture: ecs.CpuArchitecture;
  /** Run on Fargate Spot instead of on-demand Fargate. */
  readonly spot: boolean;
  readonly containerPort: number;
  readonly healthCheckPath: string;
  readonly healthCheckGracePeriod: Duration;
  /** Plain environment variables: never secrets. */
  readonly environment: Readonly<Record<string, string>>;
  /** Environment variables ECS fills from Secrets Manager when a task starts. */
  readonly secrets: Readonly<Record<string, ecs.Secret>>;
  /**
   * `uid[:gid]` the container runs as.
   * @default - the image's USER
   */
  readonly user?: string;
  /**
   * Read-only root filesystem; `/tmp` (and, with `ecsExec`, the ECS Exec agent's paths) stay writable.
   * @default false
   */
  readonly readonlyRootFilesystem?: boolean;
  /**
   * CloudWatch Container Insights on the cluster.
   * @default true
   */
  readonly containerInsights?: boolean;
  /**
   * ECS Exec into the service's tasks, encrypted with `encryptionKey` and logged to a log group of
   * its own.
   * @default true
   */
  readonly ecsExec?: boolean;
  readonly logRetentionDays: number;
  readonly logRemovalPolicy: RemovalPolicy;
}

/** Name of the application container in the service task definition. */
export const CONTAINER_NAME = 'api';

/**
 * Writable paths on a read-only root filesystem: scratch space, and, with ECS Exec, what its agent
 * writes (its binaries' directory, its state and its logs; AWS documents no read-only root support
 * for ECS Exec, and these three are the workaround in aws/containers-roadmap#1359). Fargate creates
 * each volume owned by root with mode 0755: a non-root `user` can write to one only if the image
 * declares the path as a VOLUME it owns (README: "Read-only root filesystem").
 */
const SCRATCH_PATHS: readonly [string, string][] = [['tmp', '/tmp']];
const ECS_EXEC_PATHS: readonly [string, string][] = [
  ['ecs-exec-agent', '/managed-agents'],
  ['ssm-state', '/var/lib/amazon/ssm'],
  ['ssm-logs', '/var/log/amazon/ssm'],
];

/**
 * The application on Fargate: a cluster with (by default) logged, encrypted ECS Exec and
 * Container Insights; a task definition with the image, environment and secrets; a service in the private subnets
 * without public IPs, rolling deployments at 100 % minimum healthy with the circuit breaker
 * rolling back failed releases; and its target group checked on `healthCheckPath` every 30 s.
 */
export class ApiService extends Construct {
  readonly cluster: ecs.Cluster;
  readonly taskDefinition: ecs.FargateTaskDefinition;
  readonly container: ecs.ContainerDefinition;
  readonly service: ecs.FargateService;
  readonly targetGroup: elbv2.ApplicationTargetGroup;
  readonly logGroup: logs.LogGroup;
  readonly securityGroup: ec2.SecurityGroup;

  constructor(scope: Construct, id: string, props: ApiServiceProps) {
    super(scope, id);
    const ecsExec = props.ecsExec ?? true;
    const execLogs = ecsExec
      ? encryptedLogGroup(this, 'ExecLogs', {
          encryptionKey: props.encryptionKey,
          retentionDays: props.logRetentionDays,
          removalPolicy: props.logRemovalPolicy,
        })
      : undefined;
    this.cluster = new ecs.Cluster(this, 'Cluster', {
      vpc: props.vpc,
      containerInsightsV2:
        (props.containerInsights ?? true) ? ecs.ContainerInsights.ENABLED : ecs.ContainerInsights.DISABLED,
      enableFargateCapacityProviders: true,
      executeCommandConfiguration: execLogs && {
        kmsKey: props.encryptionKey,
        logging: ecs.ExecuteCommandLogging.OVERRIDE,
        logConfiguration: { cloudWatchLogGroup: execLogs, cloudWatchEncryptionEnabled: true },
      },
    });
    if (props.containerInsights === false) {
      acknowledge(
        this.cluster,
        'AwsSolutions-ECS4',
        'Container Insights is turned off in this environment (service.containerInsights) to save its custom-metric charges; the alarms and the dashboard read the free ALB and ECS metrics.',
      );
    }

    this.logGroup = encryptedLogGroup(this, 'Logs', {
      encryptionKey: props.encryptionKey,
      retentionDays: props.logRetentionDays,
      removalPolicy: props.logRemovalPolicy,
    });

    this.taskDefinition = new ecs.FargateTaskDefinition(this, 'TaskDefinition', {
      cpu: props.cpu,
      memoryLimitMiB: props.memoryLimitMiB,
      runtimePlatform: {
        cpuArchitecture: props.cpuArchitecture,
        operatingSystemFamily: ecs.OperatingSystemFamily.LINUX,
      },
    });
    this.container = this.taskDefinition.addContainer(CONTAINER_NAME, {
      image: props.image,
      portMappings: [{ containerPort: props.containerPort, name: 'http' }],
      environment: { ...props.environment },
      secrets: { ...props.secrets },
      user: props.user,
      readonlyRootFilesystem: props.readonlyRootFilesystem ?? false,
      logging: ecs.LogDrivers.awsLogs({
        logGroup: this.logGroup,
        streamPrefix: 'service',
        // A slow log pipeline must not stall request handling.
        mode: ecs.AwsLogDriverMode.NON_BLOCKING,
        maxBufferSize: Size.mebibytes(25),
      }),
    });
    if (props.readonlyRootFilesystem) {
      for (const [name, containerPath] of [...SCRATCH_PATHS, ...(ecsExec ? ECS_EXEC_PATHS : [])]) {
        this.taskDefinition.addVolume({ name });
        this.container.addMountPoints({ sourceVolume: name, containerPath, readOnly: false });
      }
    }
    acknowledge(
      this.taskDefinition,
      'AwsSolutions-ECS2',
      'Only non-secret settings are plain environment variables (config validation rejects credential-like names and values); every secret comes from Secrets Manager.',
    );

    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: 'API tasks: ingress only from the load balancer on the container port',
    });

    this.service = new ecs.FargateService(this, 'Service', {
      cluster: this.cluster,
      taskDefinition: this.taskDefinition,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      assignPublicIp: false,
      securityGroups: [this.securityGroup],
      // Capacity providers rather than a launch type, so switching Spot on or off is an update,
      // not a replacement of the service.
      capacityProviderStrategies: [{ capacityProvider: props.spot ? 'FARGATE_SPOT' : 'FARGATE', weight: 1 }],
      minHealthyPercent: 100,
      maxHealthyPercent: 200,
      circuitBreaker: { enable: true, rollback: true },
      healthCheckGracePeriod: props.healthCheckGracePeriod,
      enableExecuteCommand: ecsExec,
      propagateTags: ecs.PropagatedTagSource.SERVICE,
      enableECSManagedTags: true,
    });
    this.service.node.addDependency(capacityProviderAssociation(this.cluster));

    if (execLogs) {
      const { partition, region, account } = Stack.of(this);
      acknowledge(
        this.taskDefinition.taskRole,
        'AwsSolutions-IAM5[Resource::*]',
        'ECS Exec: ssmmessages:* channels and logs:DescribeLogGroups have no resource-level permissions.',
      );
      acknowledge(
        this.taskDefinition.taskRole,
        wildcardFinding(this, `arn:${partition}:logs:${region}:${account}:log-group:${execLogs.logGroupName}:*`),
        'ECS Exec writes session logs to log streams it creates in its own log group; stream names are not known in advance.',
      );
    }
    acknowledge(
      this.taskDefinition.obtainExecutionRole(),
      'AwsSolutions-IAM5[Resource::*]',
      'ecr:GetAuthorizationToken has no resource-level permissions; image pulls are scoped to the repository.',
    );
    // All outbound traffic is allowed (third-party APIs, SMTP, AWS APIs through NAT), so the egress
    // half of the database and cache grants is redundant by design.
    Annotations.of(this.securityGroup).acknowledgeWarning(
      '@aws-cdk/aws-ec2:ipv4IgnoreEgressRule',
      'Tasks may call any outbound destination; ingress is what is restricted.',
    );

    this.targetGroup = new elbv2.ApplicationTargetGroup(this, 'TargetGroup', {
      vpc: props.vpc,
      port: props.containerPort,
      protocol: elbv2.ApplicationProtocol.HTTP,
      targetType: elbv2.TargetType.IP,
      targets: [this.service.loadBalancerTarget({ containerName: CONTAINER_NAME, containerPort: props.containerPort })],
      deregistrationDelay: Duration.seconds(30),
      healthCheck: {
        path: props.healthCheckPath,
        interval: Duration.seconds(30),
        timeout: Duration.seconds(5),
        healthyThresholdCount: 2,
        unhealthyThresholdCount: 3,
        healthyHttpCodes: '200',
      },
    });
  }

  /**
   * Scales between `minTasks` and `maxTasks` on CPU, memory and ALB requests per target. Call
   * after the target group is attached to a listener (request-count scaling needs the ALB).
   */
  autoscale(minTasks: number, maxTasks: number, scaling: ScalingConfig): void {
    const capacity = this.service.autoScaleTaskCount({ minCapacity: minTasks, maxCapacity: maxTasks });
    const cooldowns = {
      scaleInCooldown: Duration.seconds(scaling.scaleInCooldownSeconds),
      scaleOutCooldown: Duration.seconds(scaling.scaleOutCooldownSeconds),
    };
    capacity.scaleOnCpuUtilization('Cpu', { targetUtilizationPercent: scaling.cpuTargetPercent, ...cooldowns });
    capacity.scaleOnMemoryUtilization('Memory', {
      targetUtilizationPercent: scaling.memoryTargetPercent,
      ...cooldowns,
    });
    capacity.scaleOnRequestCount('Requests', {
      requestsPerTarget: scaling.requestsPerTarget,
      targetGroup: this.targetGroup,
      ...cooldowns,
    });
  }
}

/**
 * The cluster's capacity provider association, which CDK adds in an aspect at synth, so it can
 * only be found lazily. A service must depend on it: deleted before the service, it fails with
 * "The specified capacity provider is in use" and `cdk destroy` stops half-way. (Depending on the
 * whole cluster would do that too, but adds a DependsOn on the cluster that its Ref already
 * implies, which cfn-lint reports as W3005.)
 */
function capacityProviderAssociation(cluster: ecs.Cluster): IDependable {
  const association: IDependable = {};
  Dependable.implement(association, {
    get dependencyRoots() {
      return cluster.node.children.filter((child) => child instanceof ecs.CfnClusterCapacityProviderAssociations);
    },
  });
  return association;
}
