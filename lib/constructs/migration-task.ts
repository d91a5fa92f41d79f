import * as ecs from 'aws-cdk-lib/aws-ecs';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { acknowledge } from '../nag';

/** Everything the migration runner needs to know about the task it runs. */
export interface MigrationTarget {
  readonly taskDefinition: ecs.FargateTaskDefinition;
  readonly containerName: string;
  /** The image as the container runs it (`repository:tag`); a change re-runs migrations. */
  readonly imageName: string;
  /** The migration command; a change re-runs migrations. */
  readonly command: readonly string[];
  readonly logGroup: logs.ILogGroup;
  /** awslogs stream prefix: streams are `<prefix>/<containerName>/<taskId>`. */
  readonly logStreamPrefix: string;
}

export interface MigrationTaskDefinitionProps {
  /** The service's image, by reference (e.g. `ecs.ContainerImage.fromEcrRepository(repo, tag)`). */
  readonly image: ecs.ContainerImage;
  /** The migration command, e.g. `['alembic', 'upgrade', 'head']` (config: `release.migrationCommand`). */
  readonly command: readonly string[];
  /**
   * Plain environment variables, the same as the service container's.
   * @default - none
   */
  readonly environment?: Record<string, string>;
  /**
   * Secrets ECS injects, the same as the service container's (e.g. `DATABASE_URL`).
   * @default - none
   */
  readonly secrets?: Record<string, ecs.Secret>;
  /**
   * Fargate CPU units.
   * @default 512
   */
  readonly cpu?: number;
  /**
   * Fargate memory.
   * @default 1024
   */
  readonly memoryLimitMiB?: number;
  /** The service's log group; the migration logs to it under its own stream prefix. */
  readonly logGroup: logs.ILogGroup;
  /**
   * awslogs stream prefix of the migration container.
   * @default 'migrate'
   */
  readonly logStreamPrefix?: string;
  /**
   * CPU architecture and OS; must match the image.
   * @default - ECS's default, Linux on X86_64
   */
  readonly runtimePlatform?: ecs.RuntimePlatform;
  /**
   * Role the migration code runs with, for migrations that call AWS APIs.
   * @default - a new role with no permissions
   */
  readonly taskRole?: iam.IRole;
  /**
   * Name of the container.
   * @default 'migrate'
   */
  readonly containerName?: string;
  /**
   * `uid[:gid]` the migration runs as; pass the service's, so both run as the same user.
   * @default - the image's USER
   */
  readonly user?: string;
}

/**
 * A second Fargate task definition next to the service's: the same image, environment and
 * secrets, the migration command, and its own log stream prefix. It only ever runs as a one-off
 * task (by the migration runner during deploy, or by hand with `npm run migrate`).
 */
export class MigrationTaskDefinition extends Construct implements MigrationTarget {
  readonly taskDefinition: ecs.FargateTaskDefinition;
  readonly container: ecs.ContainerDefinition;
  readonly containerName: string;
  readonly imageName: string;
  readonly command: readonly string[];
  readonly logGroup: logs.ILogGroup;
  readonly logStreamPrefix: string;

  constructor(scope: Construct, id: string, props: MigrationTaskDefinitionProps) {
    super(scope, id);
    if (props.command.length === 0) throw new Error(`${this.node.path}: command must not be empty`);
    this.containerName = props.containerName ?? 'migrate';
    this.command = [...props.command];
    this.logGroup = props.logGroup;
    this.logStreamPrefix = props.logStreamPrefix ?? 'migrate';
    this.taskDefinition = new ecs.FargateTaskDefinition(this, 'TaskDefinition', {
      cpu: props.cpu ?? 512,
      memoryLimitMiB: props.memoryLimitMiB ?? 1024,
      runtimePlatform: props.runtimePlatform,
      taskRole: props.taskRole,
    });
    this.container = this.taskDefinition.addContainer(this.containerName, {
      image: props.image,
      command: [...props.command],
      environment: props.environment,
      secrets: props.secrets,
      essential: true,
      // Migration tools (Alembic, Prisma) write caches and temp files; the service may stay read-only.
      readonlyRootFilesystem: false,
      user: props.user,
      logging: ecs.LogDrivers.awsLogs({ logGroup: props.logGroup, streamPrefix: this.logStreamPrefix }),
    });
    this.imageName = this.container.imageName;
    acknowledge(
      this.taskDefinition.obtainExecutionRole(),
      'AwsSolutions-IAM5[Resource::*]',
      'ecr:GetAuthorizationToken, which ECS needs to pull the image, supports no resource-level permissions.',
    );
    if (Object.keys(props.environment ?? {}).length > 0) {
      acknowledge(
        this.taskDefinition,
        'AwsSolutions-ECS2',
        'Plain settings only (environment name, log level, CORS origins); every credential is injected from Secrets Manager.',
      );
    }
  }
}
