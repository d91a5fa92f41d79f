import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { buildSync } from 'esbuild';
import { HANDLER_BUNDLING, LAMBDA_ROOT } from '../../lib/constructs/handler-function';
import { MIGRATION_OUTPUT_KEY, MigrationRunner } from '../../lib/constructs/migration-runner';
import { MigrationTaskDefinition } from '../../lib/constructs/migration-task';
import { CFN_LINT_INSTALL, cfnLintAvailable, runCfnLint } from '../support/cfn-lint';
import { type ReleaseStack, releaseStack } from '../support/release-stack';

// One bundled synth with cdk-nag for the whole file: it throws on any unacknowledged finding.
let release: ReleaseStack;
let template: Template;
beforeAll(() => {
  release = releaseStack({ nag: true });
  template = release.template;
});

const logicalId = (construct: { node: { defaultChild?: unknown } }) =>
  Stack.of(release.stack).resolve((construct.node.defaultChild as { logicalId: string }).logicalId) as string;
const policyOf = (roleLogicalId: string) => {
  const policies = Object.values(
    template.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: roleLogicalId }] } }),
  );
  expect(policies).toHaveLength(1);
  return policies[0].Properties.PolicyDocument.Statement;
};
const LOG_WRITE = {
  Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
  Effect: 'Allow',
  Resource: expect.anything(),
};
/** An `arn:aws...` value as CDK renders it with partition literals on: a string, or a join around tokens. */
const partitionArn = (rest: [string, ...unknown[]]) =>
  rest.every((part) => typeof part === 'string')
    ? `arn:aws${rest.join('')}`
    : { 'Fn::Join': ['', [`arn:aws${rest[0]}`, ...rest.slice(1)]] };

describe('migration runner', () => {
  // That the run also waits for the preflight and the connection strings is the service stack's
  // wiring, tested there (test/stacks/service-stack.test.ts), not this stand-in's.
  test('the service rolls out only after the gate, which reads the run, which follows its task definition', () => {
    const gate = logicalId(release.runner.gate);
    const run = logicalId(release.runner.run);
    template.hasResource('AWS::ECS::Service', { DependsOn: Match.arrayWith([gate]) });
    template.hasResource('Custom::BerthMigrationGate', {
      Properties: Match.objectLike({
        Outcome: { 'Fn::GetAtt': [run, 'Outcome'] },
        Report: { 'Fn::GetAtt': [run, 'Report'] },
      }),
    });
    template.hasResource('Custom::BerthMigration', {
      DependsOn: Match.arrayWith([logicalId(release.migration.taskDefinition)]),
    });
  });

  test('the migration task runs the same image with the migration command and its own log prefix', () => {
    template.hasResourceProperties('AWS::ECS::TaskDefinition', {
      ContainerDefinitions: [
        Match.objectLike({
          Name: 'migrate',
          Command: ['alembic', 'upgrade', 'head'],
          Image: { 'Fn::Join': ['', Match.arrayWith(['/api:v1'])] },
          Secrets: Match.arrayWith([
            Match.objectLike({ Name: 'DATABASE_URL' }),
            Match.objectLike({ Name: 'SENTRY_DSN' }),
          ]),
          LogConfiguration: Match.objectLike({
            Options: Match.objectLike({ 'awslogs-stream-prefix': 'migrate' }),
          }),
        }),
      ],
      RuntimePlatform: { CpuArchitecture: 'ARM64', OperatingSystemFamily: 'LINUX' },
    });
  });

  test('waits up to the timeout plus a grace period, polling every 15 s', () => {
    // (30 + 3) minutes / 15 s; the runner reports its own timeout before the framework's.
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      DefinitionString: {
        'Fn::Join': ['', Match.arrayWith([Match.stringLikeRegexp('"IntervalSeconds":15,"MaxAttempts":132')])],
      },
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: Match.stringLikeRegexp('follows the migration task'),
      Environment: { Variables: Match.objectLike({ TIMEOUT_SECONDS: '1800', LOG_STREAM_PREFIX: 'migrate' }) },
    });
  });

  test('starts tasks only from the migration family, on the cluster, passing only its two roles', () => {
    const family = release.migration.taskDefinition.family;
    expect(policyOf(logicalId(release.runner.startFunction.role))).toEqual([
      LOG_WRITE,
      {
        Action: 'ecs:RunTask',
        Condition: { ArnEquals: { 'ecs:cluster': { 'Fn::GetAtt': ['ClusterEB0386A7', 'Arn'] } } },
        Effect: 'Allow',
        Resource: partitionArn([`:ecs:eu-west-1:111111111111:task-definition/${family}:*`]),
      },
      { Action: 'ecs:DescribeTaskDefinition', Effect: 'Allow', Resource: '*' },
      {
        Action: 'iam:PassRole',
        Condition: { StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } },
        Effect: 'Allow',
        Resource: [
          { 'Fn::GetAtt': [expect.stringMatching('^MigrationTaskTaskDefinitionExecutionRole'), 'Arn'] },
          { 'Fn::GetAtt': [expect.stringMatching('^MigrationTaskTaskDefinitionTaskRole'), 'Arn'] },
        ],
      },
    ]);
  });

  test("follows tasks of the cluster only and reads only the migration container's log streams", () => {
    expect(policyOf(logicalId(release.runner.checkFunction.role))).toEqual([
      LOG_WRITE,
      {
        Action: ['ecs:DescribeTasks', 'ecs:StopTask'],
        Condition: { ArnEquals: { 'ecs:cluster': { 'Fn::GetAtt': ['ClusterEB0386A7', 'Arn'] } } },
        Effect: 'Allow',
        Resource: partitionArn([':ecs:eu-west-1:111111111111:task/', { Ref: 'ClusterEB0386A7' }, '/*']),
      },
      {
        Action: 'logs:GetLogEvents',
        Effect: 'Allow',
        Resource: partitionArn([
          ':logs:eu-west-1:111111111111:log-group:',
          { Ref: expect.stringMatching('^ServiceLogs') },
          ':log-stream:migrate/migrate/*',
        ]),
      },
    ]);
  });

  test('the gate may only write its own logs', () => {
    expect(policyOf(logicalId(release.runner.gateFunction.role))).toEqual([LOG_WRITE]);
  });

  test('publishes what `npm run migrate` needs as one stack output', () => {
    const [output] = Object.values(template.findOutputs(MIGRATION_OUTPUT_KEY));
    const value = Stack.of(release.runner).resolve(output?.Value) as { 'Fn::Join': [string, unknown[]] };
    // Tokens stand inside JSON strings; any text in their place keeps the JSON valid.
    const text = value['Fn::Join'][1].map((part) => (typeof part === 'string' ? part : 'TOKEN')).join('');
    expect(Object.keys(JSON.parse(text)).sort()).toEqual(
      ['cluster', 'containerName', 'logGroup', 'logStreamPrefix', 'service', 'taskDefinitionFamily'].sort(),
    );
  });

  test('refuses a timeout CloudFormation would not wait for', () => {
    const stack = new Stack();
    const migration = new MigrationTaskDefinition(stack, 'Task', {
      image: ecs.ContainerImage.fromRegistry('api:v1'),
      command: ['migrate'],
      logGroup: new logs.LogGroup(stack, 'Logs'),
    });
    expect(
      () =>
        new MigrationRunner(stack, 'Runner', {
          cluster: new ecs.Cluster(stack, 'Cluster'),
          migration,
          subnets: {},
          securityGroups: [],
          encryptionKey: new kms.Key(stack, 'Key'),
          logRetentionDays: 14,
          logRemovalPolicy: RemovalPolicy.DESTROY,
          timeout: Duration.minutes(56),
        }),
    ).toThrow('timeout must be 1..55 minutes (CloudFormation waits at most an hour for a custom resource), got: 56');
  });
});

describe('the run re-triggers when (and only when) image tag or command change', () => {
  const runProperties = (options: Parameters<typeof releaseStack>[0]) =>
    Object.values(releaseStack({ ...options, bundle: false }).template.findResources('Custom::BerthMigration'))[0]
      .Properties;
  let base: unknown;
  beforeAll(() => {
    base = runProperties({});
  });

  test('a new image tag changes the properties', () => {
    expect(runProperties({ tag: 'v2' })).not.toEqual(base);
  });

  test('a new command changes the properties', () => {
    expect(runProperties({ command: ['alembic', 'upgrade', 'heads'] })).not.toEqual(base);
  });

  test('another environment variable does not', () => {
    expect(runProperties({ environment: { ENVIRONMENT: 'test', LOG_LEVEL: 'debug' } })).toEqual(base);
  });
});

describe('secret preflight', () => {
  test('checks every third-party secret against the placeholder, again for every release', () => {
    template.hasResourceProperties('Custom::BerthSecretPreflight', {
      Secrets: [
        { Name: 'SENTRY_DSN', Arn: { Ref: Match.stringLikeRegexp('^AppSecretsSENTRYDSN') } },
        { Name: 'OPENAI_API_KEY', Arn: { Ref: Match.stringLikeRegexp('^AppSecretsOPENAIAPIKEY') } },
      ],
      Placeholder: 'BERTH_PLACEHOLDER_SET_ME',
      Trigger: { 'Fn::Join': ['', Match.arrayWith(['/api:v1'])] },
    });
  });

  test('may read only the named secrets, decrypt only through Secrets Manager, and describe only its stack', () => {
    const statements = policyOf(logicalId(release.preflight.checkFunction.role));
    expect(statements[2].Resource).toHaveLength(2);
    expect(statements).toEqual([
      LOG_WRITE,
      // To tell a rollback apart, when it checks nothing.
      { Action: 'cloudformation:DescribeStacks', Effect: 'Allow', Resource: { Ref: 'AWS::StackId' } },
      {
        Action: 'secretsmanager:GetSecretValue',
        Effect: 'Allow',
        Resource: expect.arrayContaining([
          { Ref: expect.stringMatching('^AppSecretsSENTRYDSN') },
          { Ref: expect.stringMatching('^AppSecretsOPENAIAPIKEY') },
        ]),
      },
      {
        Action: 'kms:Decrypt',
        Condition: { StringEquals: { 'kms:ViaService': 'secretsmanager.eu-west-1.amazonaws.com' } },
        Effect: 'Allow',
        Resource: { 'Fn::GetAtt': ['EncryptionKey3A692D6E', 'Arn'] },
      },
    ]);
  });
});

describe('connection strings', () => {
  test('rewrite after a successful rotation of the database or cache secret', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.secretsmanager'],
        'detail-type': ['AWS Service Event via CloudTrail'],
        detail: {
          eventSource: ['secretsmanager.amazonaws.com'],
          eventName: ['RotationSucceeded'],
          additionalEventData: { SecretId: [{ Ref: 'DatabaseSecret86DBB7B3' }, { Ref: 'CacheTokenE16C3152' }] },
        },
      },
      Targets: [
        Match.objectLike({
          Arn: { 'Fn::GetAtt': [logicalId(release.connectionStrings.rotationFunction.function), 'Arn'] },
        }),
      ],
    });
  });

  test('are checked every 15 minutes too, for rotations whose event never arrives (no trail, best-effort delivery)', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(15 minutes)',
      State: 'ENABLED',
      Targets: [
        Match.objectLike({
          Arn: { 'Fn::GetAtt': [logicalId(release.connectionStrings.rotationFunction.function), 'Arn'] },
          RetryPolicy: { MaximumEventAgeInSeconds: 7200, MaximumRetryAttempts: 4 },
        }),
      ],
    });
    template.resourceCountIs('AWS::Events::Rule', 2);
  });

  test('only the rotation function may redeploy, and only this service', () => {
    const statements = (fn: typeof release.connectionStrings.rotationFunction) => policyOf(logicalId(fn.role));
    expect(statements(release.connectionStrings.rotationFunction)).toContainEqual({
      Action: ['ecs:DescribeServices', 'ecs:UpdateService'],
      Effect: 'Allow',
      Resource: { Ref: logicalId(release.service) },
    });
    expect(JSON.stringify(statements(release.connectionStrings.composeFunction))).not.toContain('ecs:');
  });

  test('are recomposed for every release, so a missed rotation event heals with the next one', () => {
    template.hasResourceProperties('Custom::BerthConnectionStrings', {
      Release: { 'Fn::Join': ['', Match.arrayWith(['/api:v1'])] },
    });
  });

  test('are a KMS-encrypted secret', () => {
    template.hasResourceProperties('AWS::SecretsManager::Secret', {
      Description: Match.stringLikeRegexp('^DATABASE_URL and REDIS_URL'),
      KmsKeyId: { 'Fn::GetAtt': ['EncryptionKey3A692D6E', 'Arn'] },
      GenerateSecretString: {},
    });
  });
});

describe('handlers', () => {
  test('run Node.js 22 on ARM64', () => {
    const functions = Object.values(
      template.findResources('AWS::Lambda::Function', {
        Properties: { Description: Match.stringLikeRegexp('^Berth') },
      }),
    );
    expect(functions).toHaveLength(6);
    for (const fn of functions)
      expect(fn.Properties).toMatchObject({ Runtime: 'nodejs22.x', Architectures: ['arm64'] });
  });

  test.each(['migration-runner', 'secret-preflight', 'connection-strings'])(
    '%s bundles minified under 250 KB',
    (dir) => {
      const outfile = join(mkdtempSync(join(tmpdir(), 'berth-bundle-')), 'index.js');
      buildSync({
        ...HANDLER_BUNDLING,
        entryPoints: [join(LAMBDA_ROOT, dir, 'index.ts')],
        outfile,
        logLevel: 'silent',
      });
      expect(statSync(outfile).size).toBeLessThan(250 * 1024);
    },
  );
});

(cfnLintAvailable() ? test : test.skip)(
  `cfn-lint finds nothing in the release test stack (${CFN_LINT_INSTALL})`,
  async () => {
    expect(await runCfnLint([release.templateFile])).toEqual({ status: 0, output: '' });
  },
);
