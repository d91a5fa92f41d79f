import { RemovalPolicy, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { AwsSolutionsChecks } from 'cdk-nag';
import { dev } from '../../lib/config/environments';
import { AppSecrets } from '../../lib/constructs/app-secrets';
import { ConnectionStrings } from '../../lib/constructs/connection-strings';
import { EncryptionKey } from '../../lib/constructs/encryption-key';
import { encryptedLogGroup } from '../../lib/constructs/log-group';
import { MigrationRunner } from '../../lib/constructs/migration-runner';
import { MigrationTaskDefinition } from '../../lib/constructs/migration-task';
import { Network } from '../../lib/constructs/network';
import { SecretPreflight } from '../../lib/constructs/secret-preflight';
import { EnvironmentStack } from '../../lib/stacks/environment-stack';
import type { TemplateFile } from './cfn-lint';
import { testApp } from './test-app';

export interface ReleaseStackOptions {
  /** Image tag of the release. */
  readonly tag?: string;
  readonly command?: readonly string[];
  /** Plain environment of the service and migration containers. */
  readonly environment?: Record<string, string>;
  /** Registers cdk-nag's AWS Solutions pack, so synth throws on an unacknowledged finding. */
  readonly nag?: boolean;
  /** Bundles the handlers with esbuild (off for tests that only compare properties). */
  readonly bundle?: boolean;
}

export interface ReleaseStack {
  readonly stack: EnvironmentStack;
  readonly template: Template;
  readonly runner: MigrationRunner;
  readonly preflight: SecretPreflight;
  readonly connectionStrings: ConnectionStrings;
  readonly migration: MigrationTaskDefinition;
  readonly service: ecs.FargateService;
  /** The synthesized template file, for cfn-lint. */
  readonly templateFile: TemplateFile;
}

/**
 * A small stand-in for the service tier, wired the way the service stack is meant to wire the
 * release gate: VPC, cluster, secrets, the migration task and runner, the preflight, the
 * connection strings, and a Fargate service that depends on all of them.
 */
export function releaseStack(options: ReleaseStackOptions = {}): ReleaseStack {
  const app = testApp(options.bundle === false ? {} : { 'aws:cdk:bundling-stacks': ['**'] });
  if (options.nag) Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  const stack = new EnvironmentStack(app, 'Release', {
    config: dev,
    env: { account: dev.account, region: dev.region },
  });
  const encryptionKey = new EncryptionKey(stack, 'Encryption', {
    environmentName: 'test',
    removalPolicy: RemovalPolicy.DESTROY,
  }).key;
  const vpc = new Network(stack, 'Network', {
    cidr: '10.10.0.0/16',
    maxAzs: 2,
    natGateways: 1,
    flowLogRetentionDays: 14,
    interfaceEndpoints: [],
    encryptionKey,
    logRemovalPolicy: RemovalPolicy.DESTROY,
  }).vpc;
  const common = { encryptionKey, logRetentionDays: 14, logRemovalPolicy: RemovalPolicy.DESTROY };
  const cluster = new ecs.Cluster(stack, 'Cluster', { vpc, containerInsightsV2: ecs.ContainerInsights.ENABLED });
  const logGroup = encryptedLogGroup(stack, 'ServiceLogs', {
    encryptionKey,
    retentionDays: 14,
    removalPolicy: RemovalPolicy.DESTROY,
  });
  const appSecrets = new AppSecrets(stack, 'AppSecrets', {
    encryptionKey,
    generatedKeys: ['SECRET_KEY'],
    thirdPartyKeys: ['SENTRY_DSN', 'OPENAI_API_KEY'],
    removalPolicy: RemovalPolicy.DESTROY,
  });
  const databaseSecret = new secretsmanager.Secret(stack, 'DatabaseSecret', {
    encryptionKey,
    generateSecretString: { secretStringTemplate: '{"username":"berth_admin"}', generateStringKey: 'password' },
  });
  const cacheSecret = new secretsmanager.Secret(stack, 'CacheToken', {
    encryptionKey,
    generateSecretString: { secretStringTemplate: '{}', generateStringKey: 'token', excludePunctuation: true },
  });
  for (const secret of [databaseSecret, cacheSecret]) {
    Validations.of(secret).acknowledge({ id: 'AwsSolutions-SMG4', reason: 'Test stand-in for the data stack secret.' });
  }

  const connectionStrings = new ConnectionStrings(stack, 'ConnectionStrings', {
    ...common,
    databaseSecret,
    databaseName: 'app',
    cacheTokenSecret: cacheSecret,
    cacheHost: 'master.cache.example.internal',
    cachePort: '6379',
    removalPolicy: RemovalPolicy.DESTROY,
  });
  const image = ecs.ContainerImage.fromEcrRepository(
    ecr.Repository.fromRepositoryName(stack, 'Repository', 'api'),
    options.tag ?? 'v1',
  );
  const secrets: Record<string, ecs.Secret> = {
    DATABASE_URL: connectionStrings.ecsSecret('DATABASE_URL'),
    REDIS_URL: connectionStrings.ecsSecret('REDIS_URL'),
  };
  for (const [name, secret] of appSecrets.thirdParty) secrets[name] = ecs.Secret.fromSecretsManager(secret);
  const environment = options.environment ?? { ENVIRONMENT: 'test' };

  const migration = new MigrationTaskDefinition(stack, 'MigrationTask', {
    image,
    command: options.command ?? ['alembic', 'upgrade', 'head'],
    environment,
    secrets,
    logGroup,
    runtimePlatform: {
      cpuArchitecture: ecs.CpuArchitecture.ARM64,
      operatingSystemFamily: ecs.OperatingSystemFamily.LINUX,
    },
  });
  const tasks = new ec2.SecurityGroup(stack, 'TaskSecurityGroup', { vpc, description: 'Service and migration tasks' });
  const preflight = new SecretPreflight(stack, 'SecretPreflight', {
    ...common,
    secrets: appSecrets.thirdParty,
    trigger: migration.imageName,
  });
  const runner = new MigrationRunner(stack, 'Migrations', {
    ...common,
    cluster,
    migration,
    subnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
    securityGroups: [tasks],
  });
  runner.run.node.addDependency(preflight.resource, connectionStrings.resource);
  connectionStrings.recomposeOnRelease(migration.imageName);

  const serviceTask = new ecs.FargateTaskDefinition(stack, 'ServiceTask', { cpu: 512, memoryLimitMiB: 1024 });
  serviceTask.addContainer('app', {
    image,
    environment,
    secrets,
    logging: ecs.LogDrivers.awsLogs({ logGroup, streamPrefix: 'app' }),
  });
  Validations.of(serviceTask).acknowledge({ id: 'AwsSolutions-ECS2', reason: 'Test stand-in for the service task.' });
  Validations.of(serviceTask).acknowledge({
    id: 'AwsSolutions-IAM5[Resource::*]',
    reason: 'Test stand-in: ECR token.',
  });
  const service = new ecs.FargateService(stack, 'Service', {
    cluster,
    taskDefinition: serviceTask,
    securityGroups: [tasks],
    vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
    // As the real service (ApiService) deploys; CDK warns on every synth without them.
    circuitBreaker: { rollback: true },
    minHealthyPercent: 100,
  });
  runner.gateRollout(service);
  connectionStrings.redeployOnRotation(service);

  const assembly = app.synth();
  const artifact = assembly.getStackArtifact(stack.artifactId);
  return {
    stack,
    template: Template.fromJSON(artifact.template),
    runner,
    preflight,
    connectionStrings,
    migration,
    service,
    templateFile: { path: artifact.templateFullPath, region: dev.region },
  };
}
