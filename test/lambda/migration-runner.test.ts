import { CloudWatchLogsClient, GetLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import {
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  ECSClient,
  RunTaskCommand,
  StopTaskCommand,
} from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import {
  type CompletionEvent,
  checkMigration,
  failureReport,
  gate,
  type MigrationRequest,
  REPORT_BUDGET_BYTES,
  type RunnerSettings,
  startMigration,
} from '../../lambda/migration-runner/core';
import { awsError } from '../support/aws-error';

const ecsMock = mockClient(ECSClient);
const logsMock = mockClient(CloudWatchLogsClient);
const ecs = new ECSClient({});
const logs = new CloudWatchLogsClient({});

const settings: RunnerSettings = {
  clusterArn: 'arn:aws:ecs:eu-west-1:111111111111:cluster/berth',
  subnets: ['subnet-a', 'subnet-b'],
  securityGroups: ['sg-1'],
  logGroupName: 'berth-service',
  logStreamPrefix: 'migrate',
  timeoutSeconds: 1800,
  region: 'eu-west-1',
};
const TASK = 'arn:aws:ecs:eu-west-1:111111111111:task/berth/0123abcd';
const request = (image: string, command = ['alembic', 'upgrade', 'head']): MigrationRequest => ({
  TaskDefinitionFamily: 'migrate',
  ContainerName: 'migrate',
  Image: image,
  Command: command,
});
const started = new Date('2026-11-20T10:00:00Z');
const at = (minutes: number) => () => new Date(started.getTime() + minutes * 60_000);

/** The latest ACTIVE revision of the family runs `image`. */
function latestRevision(image: string, revision = 7): void {
  ecsMock.on(DescribeTaskDefinitionCommand, { taskDefinition: 'migrate' }).resolves({
    taskDefinition: {
      taskDefinitionArn: `arn:aws:ecs:eu-west-1:111111111111:task-definition/migrate:${revision}`,
      containerDefinitions: [{ name: 'migrate', image, command: ['alembic', 'upgrade', 'head'] }],
    },
  });
}

const running = (data: Partial<CompletionEvent['Data']> = {}): CompletionEvent => ({
  RequestType: 'Update',
  ResourceProperties: request('api:v2'),
  Data: { TaskArn: TASK, StartedAt: started.toISOString(), ...data },
});

beforeEach(() => {
  ecsMock.reset();
  logsMock.reset();
});

describe('onEvent', () => {
  test('runs the latest revision on Fargate in the private subnets, without a public IP', async () => {
    latestRevision('api:v2');
    ecsMock.on(RunTaskCommand).resolves({ tasks: [{ taskArn: TASK }] });
    const result = await startMigration(
      { RequestType: 'Create', ResourceProperties: request('api:v2') },
      settings,
      ecs,
      at(0),
    );
    expect(result.PhysicalResourceId).toBe(TASK);
    expect(result.Data).toMatchObject({ TaskArn: TASK, StartedAt: started.toISOString() });
    expect(ecsMock.commandCalls(RunTaskCommand)[0].args[0].input).toEqual({
      cluster: settings.clusterArn,
      taskDefinition: 'arn:aws:ecs:eu-west-1:111111111111:task-definition/migrate:7',
      launchType: 'FARGATE',
      count: 1,
      startedBy: 'berth-migration',
      networkConfiguration: {
        awsvpcConfiguration: {
          subnets: ['subnet-a', 'subnet-b'],
          securityGroups: ['sg-1'],
          assignPublicIp: 'DISABLED',
        },
      },
    });
  });

  test('runs again on an Update to a new image', async () => {
    latestRevision('api:v2');
    ecsMock.on(RunTaskCommand).resolves({ tasks: [{ taskArn: TASK }] });
    await startMigration(
      { RequestType: 'Update', ResourceProperties: request('api:v2'), OldResourceProperties: request('api:v1') },
      settings,
      ecs,
      at(0),
    );
    expect(ecsMock.commandCalls(RunTaskCommand)).toHaveLength(1);
  });

  test('does not run migrations again during a stack rollback', async () => {
    // Rolling back from v2 to v1: the latest revision still carries v2, the release being undone.
    latestRevision('api:v2', 8);
    const result = await startMigration(
      {
        RequestType: 'Update',
        PhysicalResourceId: TASK,
        ResourceProperties: request('api:v1'),
        OldResourceProperties: request('api:v2'),
      },
      settings,
      ecs,
      at(0),
    );
    expect(result).toEqual({ PhysicalResourceId: TASK, Data: expect.objectContaining({ Outcome: 'skipped' }) });
    expect(result.Data.Report).toMatch(/rollback/);
    expect(ecsMock.commandCalls(RunTaskCommand)).toHaveLength(0);
  });

  test('runs a forward deploy of an older image (a new revision carries it)', async () => {
    latestRevision('api:v1', 9);
    ecsMock.on(RunTaskCommand).resolves({ tasks: [{ taskArn: TASK }] });
    await startMigration(
      { RequestType: 'Update', ResourceProperties: request('api:v1'), OldResourceProperties: request('api:v2') },
      settings,
      ecs,
      at(0),
    );
    expect(ecsMock.commandCalls(RunTaskCommand)).toHaveLength(1);
  });

  test('refuses to run a revision that carries neither the new nor the old image', async () => {
    latestRevision('api:hand-registered');
    await expect(
      startMigration(
        { RequestType: 'Update', ResourceProperties: request('api:v2'), OldResourceProperties: request('api:v1') },
        settings,
        ecs,
        at(0),
      ),
    ).rejects.toThrow(/Refusing to run migrations: .*api:hand-registered.*api:v2/);
    expect(ecsMock.commandCalls(RunTaskCommand)).toHaveLength(0);
  });

  test('fails with the RunTask failure when the task cannot be started', async () => {
    latestRevision('api:v2');
    ecsMock.on(RunTaskCommand).resolves({ tasks: [], failures: [{ reason: 'RESOURCE:ENI', detail: 'no ENI' }] });
    await expect(
      startMigration({ RequestType: 'Create', ResourceProperties: request('api:v2') }, settings, ecs, at(0)),
    ).rejects.toThrow(
      'Migration task did not start: ECS RunTask of arn:aws:ecs:eu-west-1:111111111111:task-definition/migrate:7 failed: RESOURCE:ENI (no ENI).',
    );
  });

  test('does nothing on Delete', async () => {
    const result = await startMigration(
      { RequestType: 'Delete', PhysicalResourceId: TASK, ResourceProperties: request('api:v2') },
      settings,
      ecs,
      at(0),
    );
    expect(result.PhysicalResourceId).toBe(TASK);
    expect(ecsMock.calls()).toHaveLength(0);
  });
});

describe('isComplete', () => {
  test('waits while the task runs', async () => {
    ecsMock.on(DescribeTasksCommand).resolves({ tasks: [{ taskArn: TASK, lastStatus: 'RUNNING' }] });
    expect(await checkMigration(running(), settings, ecs, logs, at(5))).toEqual({ IsComplete: false });
  });

  test('succeeds when the container exits 0', async () => {
    ecsMock.on(DescribeTasksCommand).resolves({
      tasks: [{ taskArn: TASK, lastStatus: 'STOPPED', containers: [{ name: 'migrate', exitCode: 0 }] }],
    });
    const result = await checkMigration(running(), settings, ecs, logs, at(2));
    expect(result).toEqual({ IsComplete: true, Data: expect.objectContaining({ Outcome: 'succeeded' }) });
    expect(logsMock.calls()).toHaveLength(0);
  });

  test('reports a non-zero exit with the exit code, stop reason and last log lines', async () => {
    ecsMock.on(DescribeTasksCommand).resolves({
      tasks: [
        {
          taskArn: TASK,
          lastStatus: 'STOPPED',
          stopCode: 'EssentialContainerExited',
          stoppedReason: 'Essential container in task exited',
          containers: [{ name: 'migrate', exitCode: 1 }],
        },
      ],
    });
    logsMock.on(GetLogEventsCommand).resolves({
      events: [
        { message: 'INFO  [alembic] Running upgrade a1 -> b2' },
        { message: 'psycopg.errors.DuplicateColumn\n' },
      ],
    });
    const result = await checkMigration(running(), settings, ecs, logs, at(3));
    if (!result.IsComplete || !result.Data) throw new Error('expected a completed run');
    expect(result.Data.Outcome).toBe('failed');
    expect(result.Data.Report).toBe(
      [
        'Migration failed: alembic upgrade head exited with code 1.',
        `Task: ${TASK}`,
        'Exit code: 1',
        'Stopped reason: Essential container in task exited',
        'Last 2 log line(s):',
        '  | INFO  [alembic] Running upgrade a1 -> b2',
        '  | psycopg.errors.DuplicateColumn',
        'Full log: log group berth-service, stream migrate/migrate/0123abcd',
        '  aws logs tail berth-service --log-stream-names migrate/migrate/0123abcd --since 1d --region eu-west-1',
      ].join('\n'),
    );
    expect(logsMock.commandCalls(GetLogEventsCommand)[0].args[0].input).toEqual({
      logGroupName: 'berth-service',
      logStreamName: 'migrate/migrate/0123abcd',
      limit: 20,
      startFromHead: false,
    });
  });

  test('reports a task that never started, without a log stream', async () => {
    ecsMock.on(DescribeTasksCommand).resolves({
      tasks: [
        {
          taskArn: TASK,
          lastStatus: 'STOPPED',
          stopCode: 'TaskFailedToStart',
          stoppedReason: 'CannotPullContainerError: pull image manifest has been retried 5 time(s): api:v2 not found',
          containers: [{ name: 'migrate', reason: 'CannotPullContainerError' }],
        },
      ],
    });
    const missing = awsError('ResourceNotFoundException', 'The specified log stream does not exist.');
    logsMock.on(GetLogEventsCommand).rejects(missing);
    const result = await checkMigration(running(), settings, ecs, logs, at(1));
    if (!result.IsComplete || !result.Data) throw new Error('expected a completed run');
    expect(result.Data.Outcome).toBe('failed');
    expect(result.Data.Report).toContain('the migration task stopped before its container ran to completion');
    expect(result.Data.Report).toContain('Exit code: none');
    expect(result.Data.Report).toContain('Stopped reason: TaskFailedToStart | CannotPullContainerError: pull image');
    expect(result.Data.Report).toContain('No log stream migrate/migrate/0123abcd');
  });

  test('stops the task and reports a timeout', async () => {
    ecsMock.on(DescribeTasksCommand).resolves({ tasks: [{ taskArn: TASK, lastStatus: 'RUNNING' }] });
    ecsMock.on(StopTaskCommand).resolves({});
    logsMock.on(GetLogEventsCommand).resolves({ events: [{ message: 'backfilling 10%' }] });
    const result = await checkMigration(running(), settings, ecs, logs, at(31));
    expect(ecsMock.commandCalls(StopTaskCommand)[0].args[0].input).toEqual({
      cluster: settings.clusterArn,
      task: TASK,
      reason: 'Berth: migration timed out after 30 min',
    });
    if (!result.IsComplete || !result.Data) throw new Error('expected a completed run');
    expect(result.Data.Report).toMatch(/^Migration failed: timed out after 30 minutes/);
    expect(result.Data.Report).toContain('  | backfilling 10%');
  });

  test('asks again at the next poll when ECS cannot be asked (a throw would fail the deploy, the task still running)', async () => {
    ecsMock.on(DescribeTasksCommand).rejects(awsError('ThrottlingException', 'Rate exceeded'));
    await expect(checkMigration(running(), settings, ecs, logs, at(5))).resolves.toEqual({ IsComplete: false });
    expect(ecsMock.commandCalls(StopTaskCommand)).toHaveLength(0);
  });

  test('stops the task and reports when ECS could not be asked until the timeout', async () => {
    ecsMock.on(DescribeTasksCommand).rejects(awsError('ThrottlingException', 'Rate exceeded'));
    ecsMock.on(StopTaskCommand).resolves({});
    logsMock.on(GetLogEventsCommand).resolves({ events: [{ message: 'still migrating' }] });
    const result = await checkMigration(running(), settings, ecs, logs, at(31));
    expect(ecsMock.commandCalls(StopTaskCommand)).toHaveLength(1);
    if (!result.IsComplete || !result.Data) throw new Error('expected a completed run');
    expect(result.Data.Report).toMatch(
      /^Migration failed: ECS could not be asked about the task for 30 minutes \(ThrottlingException\)\. It has been stopped\./,
    );
  });

  test('reports a task it could not stop with the command to stop it, and a log it could not read', async () => {
    ecsMock.on(DescribeTasksCommand).resolves({ tasks: [{ taskArn: TASK, lastStatus: 'RUNNING' }] });
    ecsMock.on(StopTaskCommand).rejects(awsError('AccessDeniedException', 'no'));
    logsMock.on(GetLogEventsCommand).rejects(awsError('ThrottlingException', 'Rate exceeded'));
    const result = await checkMigration(running(), settings, ecs, logs, at(31));
    if (!result.IsComplete || !result.Data) throw new Error('expected a completed run');
    expect(result.Data.Report).toContain(
      `It could not be stopped (AccessDeniedException): aws ecs stop-task --cluster ${settings.clusterArn} --task ${TASK} --region eu-west-1`,
    );
    expect(result.Data.Report).toContain('(the log could not be read: ThrottlingException)');
  });

  test('completes at once when there is no task to follow (skipped runs, Delete)', async () => {
    expect(
      await checkMigration(
        { RequestType: 'Update', ResourceProperties: request('v'), Data: {} },
        settings,
        ecs,
        logs,
        at(0),
      ),
    ).toEqual({ IsComplete: true });
    expect(ecsMock.calls()).toHaveLength(0);
  });
});

describe('failure report', () => {
  test('stays within the custom-resource response budget, dropping the oldest lines', () => {
    const lines = Array.from({ length: 20 }, (_, i) => `line ${i} ${'x'.repeat(400)}`);
    const report = failureReport({
      headline: 'Migration failed: exit 1',
      taskArn: TASK,
      exitCode: 1,
      reasons: ['Essential container in task exited'],
      lines,
      logGroupName: 'g',
      logStreamName: 's',
      region: 'eu-west-1',
    });
    expect(Buffer.byteLength(JSON.stringify(report))).toBeLessThanOrEqual(REPORT_BUDGET_BYTES);
    expect(report).toContain('line 19 ');
    expect(report).not.toContain('line 0 ');
    expect(report).toContain('aws logs tail g --log-stream-names s');
  });

  test('masks passwords of connection URLs the migration printed', () => {
    const report = failureReport({
      headline: 'Migration failed: exit 1',
      taskArn: TASK,
      exitCode: 1,
      reasons: [],
      lines: [
        'connecting to postgresql://berth_admin:s3cr%40t@db.internal:5432/app',
        'redis rediss://:tok3n@cache:6379/0',
      ],
      logGroupName: 'g',
      logStreamName: 's',
      region: 'eu-west-1',
    });
    expect(report).toContain('postgresql://berth_admin:***@db.internal:5432/app');
    expect(report).toContain('rediss://:***@cache:6379/0');
    expect(report).not.toMatch(/s3cr|tok3n/);
  });
});

describe('gate', () => {
  test("fails with the run's report when the migration failed", () => {
    expect(() =>
      gate({ RequestType: 'Update', ResourceProperties: { Outcome: 'failed', Report: 'Migration failed: exit 1' } }),
    ).toThrow('Migration failed: exit 1');
  });

  test.each(['succeeded', 'skipped'])('passes when the migration %s', (outcome) => {
    expect(gate({ RequestType: 'Create', ResourceProperties: { Outcome: outcome } })).toEqual({
      PhysicalResourceId: 'berth-migration-gate',
    });
  });

  test('never fails a Delete', () => {
    expect(() => gate({ RequestType: 'Delete', ResourceProperties: { Outcome: 'failed' } })).not.toThrow();
  });
});
