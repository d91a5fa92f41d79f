import { ArnFormat, CfnOutput, CustomResource, Duration, Fn, type RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { DEFAULT_MIGRATION_TIMEOUT_MINUTES, MAX_MIGRATION_TIMEOUT_MINUTES } from '../config/release';
import { acknowledge, wildcardFinding } from '../nag';
import { HandlerFunction, HandlerProvider } from './handler-function';
import type { MigrationTarget } from './migration-task';

/** Key of the stack output `npm run migrate` reads to run the migration task by hand. */
export const MIGRATION_OUTPUT_KEY = 'BerthMigrationTask';

/** The JSON value of the `BerthMigrationTask` output. */
export interface MigrationTaskOutput {
  readonly cluster: string;
  readonly taskDefinitionFamily: string;
  readonly containerName: string;
  /** The service whose network configuration (subnets, security groups) the task shares. */
  readonly service: string;
  readonly logGroup: string;
  readonly logStreamPrefix: string;
}

/** Minutes the provider keeps waiting past the runner's own timeout, so the runner reports first. */
const PROVIDER_GRACE_MINUTES = 3;

export interface MigrationRunnerProps {
  readonly cluster: ecs.ICluster;
  /** The task to run (a `MigrationTaskDefinition`). */
  readonly migration: MigrationTarget;
  /** Subnets of `cluster.vpc` the task runs in (private, with a route to the database). */
  readonly subnets: ec2.SubnetSelection;
  /** Security groups of the task; the database and cache must admit them. */
  readonly securityGroups: readonly ec2.ISecurityGroup[];
  /** Encrypts the handlers' log groups. */
  readonly encryptionKey: kms.IKey;
  readonly logRetentionDays: number;
  readonly logRemovalPolicy: RemovalPolicy;
  /**
   * How long a migration may run before the deploy stops it and fails; at most 55 minutes, since
   * CloudFormation waits at most an hour for a custom resource.
   * @default 30 minutes
   */
  readonly timeout?: Duration;
  /**
   * How often the runner checks the task.
   * @default 15 seconds
   */
  readonly pollInterval?: Duration;
}

/**
 * Runs the migration task during `cdk deploy`, before the service rolls out, and fails the deploy
 * with the task's exit code, stop reason and last log lines when it does not exit 0.
 *
 * Two custom resources: `run` starts the task (RunTask) and follows it (DescribeTasks) until it
 * stops or times out; it re-runs only when the image or the command changes, and never during a
 * stack rollback. `gate` fails with the run's report when the migration failed; make the service
 * depend on it (`gateRollout(service)`) so a new image only rolls out after a migration exited 0.
 */
export class MigrationRunner extends Construct {
  readonly run: CustomResource;
  readonly gate: CustomResource;
  readonly startFunction: HandlerFunction;
  readonly checkFunction: HandlerFunction;
  readonly gateFunction: HandlerFunction;
  private readonly taskOutput: Omit<MigrationTaskOutput, 'service'>;

  constructor(scope: Construct, id: string, props: MigrationRunnerProps) {
    super(scope, id);
    const timeout = props.timeout ?? Duration.minutes(DEFAULT_MIGRATION_TIMEOUT_MINUTES);
    const timeoutMinutes = timeout.toMinutes({ integral: false });
    if (timeoutMinutes < 1 || timeoutMinutes > MAX_MIGRATION_TIMEOUT_MINUTES) {
      throw new Error(
        `${this.node.path}: timeout must be 1..${MAX_MIGRATION_TIMEOUT_MINUTES} minutes (CloudFormation waits at most an hour for a custom resource), got: ${timeoutMinutes}`,
      );
    }
    const stack = Stack.of(this);
    const { cluster, migration } = props;
    const taskDefinition = migration.taskDefinition;
    const subnetIds = cluster.vpc.selectSubnets(props.subnets).subnetIds;
    const securityGroupIds = props.securityGroups.map((sg) => sg.securityGroupId);
    const common = {
      encryptionKey: props.encryptionKey,
      logRetentionDays: props.logRetentionDays,
      logRemovalPolicy: props.logRemovalPolicy,
    };
    const environment = {
      CLUSTER_ARN: cluster.clusterArn,
      SUBNETS: Fn.join(',', subnetIds),
      SECURITY_GROUPS: Fn.join(',', securityGroupIds),
      LOG_GROUP: migration.logGroup.logGroupName,
      LOG_STREAM_PREFIX: migration.logStreamPrefix,
      TIMEOUT_SECONDS: String(timeout.toSeconds()),
    };
    const onCluster = { ArnEquals: { 'ecs:cluster': cluster.clusterArn } };

    this.startFunction = new HandlerFunction(this, 'Start', {
      ...common,
      handlerDir: 'migration-runner',
      exportName: 'onEvent',
      description: 'Berth migration runner: starts the migration task (ECS RunTask)',
      environment,
    });
    const revisions = stack.formatArn({
      service: 'ecs',
      resource: 'task-definition',
      resourceName: `${taskDefinition.family}:*`,
    });
    this.startFunction.allow(
      new iam.PolicyStatement({ actions: ['ecs:RunTask'], resources: [revisions], conditions: onCluster }),
    );
    this.startFunction.allow(new iam.PolicyStatement({ actions: ['ecs:DescribeTaskDefinition'], resources: ['*'] }));
    this.startFunction.allow(
      new iam.PolicyStatement({
        actions: ['iam:PassRole'],
        resources: [taskDefinition.taskRole.roleArn, taskDefinition.obtainExecutionRole().roleArn],
        conditions: { StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } },
      }),
    );
    acknowledge(
      this.startFunction.role,
      'AwsSolutions-IAM5[Resource::*]',
      'ecs:DescribeTaskDefinition supports no resource-level permissions; it reads which image the latest revision runs (rollback detection).',
    );
    acknowledge(
      this.startFunction.role,
      wildcardFinding(this, revisions),
      'RunTask of any revision of the migration family only (revisions are numbered at deploy time), and only on this cluster.',
    );

    this.checkFunction = new HandlerFunction(this, 'Check', {
      ...common,
      handlerDir: 'migration-runner',
      exportName: 'isComplete',
      description: 'Berth migration runner: follows the migration task and reports its outcome',
      environment,
    });
    const tasks = stack.formatArn({ service: 'ecs', resource: 'task', resourceName: `${cluster.clusterName}/*` });
    const logStreams = stack.formatArn({
      service: 'logs',
      resource: 'log-group',
      resourceName: `${migration.logGroup.logGroupName}:log-stream:${migration.logStreamPrefix}/${migration.containerName}/*`,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    this.checkFunction.allow(
      new iam.PolicyStatement({
        actions: ['ecs:DescribeTasks', 'ecs:StopTask'],
        resources: [tasks],
        conditions: onCluster,
      }),
    );
    this.checkFunction.allow(new iam.PolicyStatement({ actions: ['logs:GetLogEvents'], resources: [logStreams] }));
    acknowledge(
      this.checkFunction.role,
      wildcardFinding(this, tasks),
      'Task ids exist only once the migration runs: DescribeTasks/StopTask on tasks of this one cluster.',
    );
    acknowledge(
      this.checkFunction.role,
      wildcardFinding(this, logStreams),
      "Log streams are named after the task id: GetLogEvents on the migration container's streams of one log group only.",
    );

    const runProvider = new HandlerProvider(this, 'RunProvider', {
      ...common,
      onEvent: this.startFunction,
      isComplete: this.checkFunction,
      queryInterval: props.pollInterval ?? Duration.seconds(15),
      totalTimeout: timeout.plus(Duration.minutes(PROVIDER_GRACE_MINUTES)),
    });
    // Properties are exactly what triggers a run: a change to anything else in the task
    // definition registers a new revision but runs no migration.
    this.run = new CustomResource(this, 'Run', {
      serviceToken: runProvider.serviceToken,
      resourceType: 'Custom::BerthMigration',
      properties: {
        TaskDefinitionFamily: taskDefinition.family,
        ContainerName: migration.containerName,
        Image: migration.imageName,
        Command: [...migration.command],
      },
    });
    // The revision to run must exist before the run resource is created or updated.
    this.run.node.addDependency(taskDefinition);

    this.gateFunction = new HandlerFunction(this, 'GateCheck', {
      ...common,
      handlerDir: 'migration-runner',
      exportName: 'onGate',
      description: 'Berth migration gate: fails the deploy with the report of a failed migration',
    });
    const gateProvider = new HandlerProvider(this, 'GateProvider', { ...common, onEvent: this.gateFunction });
    this.gate = new CustomResource(this, 'Gate', {
      serviceToken: gateProvider.serviceToken,
      resourceType: 'Custom::BerthMigrationGate',
      properties: {
        Outcome: this.run.getAttString('Outcome'),
        Report: this.run.getAttString('Report'),
      },
    });

    this.taskOutput = {
      cluster: cluster.clusterName,
      taskDefinitionFamily: taskDefinition.family,
      containerName: migration.containerName,
      logGroup: migration.logGroup.logGroupName,
      logStreamPrefix: migration.logStreamPrefix,
    };
  }

  /**
   * Makes `service` wait for a successful migration, and publishes how `npm run migrate` runs the
   * task by hand: in the service's cluster, with the service's subnets and security groups.
   */
  gateRollout(service: ecs.IBaseService): void {
    service.node.addDependency(this.gate);
    const output: MigrationTaskOutput = { ...this.taskOutput, service: service.serviceName };
    new CfnOutput(this, 'TaskOutput', {
      description: 'How `npm run migrate` runs the migration task by hand',
      value: Stack.of(this).toJsonString(output),
    }).overrideLogicalId(MIGRATION_OUTPUT_KEY);
  }

  /**
   * Failed migrations: the gate fails for a migration that ran and did not exit 0 (or timed out);
   * the start function fails when the task could not be started at all. For the alarms.
   */
  metricFailedMigrations(period: Duration = Duration.minutes(5)): cloudwatch.IMetric {
    return new cloudwatch.MathExpression({
      expression: 'FILL(gate, 0) + FILL(start, 0)',
      usingMetrics: {
        gate: this.gateFunction.function.metricErrors({ period, statistic: 'Sum' }),
        start: this.startFunction.function.metricErrors({ period, statistic: 'Sum' }),
      },
      label: 'Failed migrations',
      period,
    });
  }
}
