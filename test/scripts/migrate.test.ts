import { CloudWatchLogsClient, GetLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import {
  DescribeServicesCommand,
  DescribeTasksCommand,
  ECSClient,
  RunTaskCommand,
  StopTaskCommand,
} from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import { environments, prod } from '../../lib/config/environments';
import type { MigrationTaskOutput } from '../../lib/constructs/migration-runner';
import { type MigrateOptions, parseMigrateArgs, readTaskOutput, runByHand, wantsHelp } from '../../scripts/migrate';
import { awsError } from '../support/aws-error';

describe('arguments', () => {
  test('take the environment, and the command after --', () => {
    expect(parseMigrateArgs(['--env', 'prod', '--', 'alembic', 'downgrade', '-1'], environments)).toEqual({
      env: prod,
      stackName: 'prod-Service',
      command: ['alembic', 'downgrade', '-1'],
      timeoutMinutes: 30,
    });
  });

  test('run the configured command when none is given', () => {
    expect(parseMigrateArgs(['--env', 'dev', '--stack', 'dev-Api', '--timeout', '5'], environments)).toMatchObject({
      stackName: 'dev-Api',
      command: undefined,
      timeoutMinutes: 5,
    });
  });

  test.each([
    [['--help'], true],
    [['-h'], true],
    [['--env', 'prod', '--help'], true],
    [['--env', 'prod', '--', 'alembic', '--help'], false],
    [['--env', 'prod'], false],
  ])('%j asks for help: %s', (argv, expected) => {
    expect(wantsHelp(argv)).toBe(expected);
  });

  test.each([
    [[], /--env is required/],
    [['--env', 'qa'], "--env must be one of dev, staging, prod, got: 'qa'"],
    [['--env'], /--env needs a value/],
    [['--region', 'x'], /unknown argument '--region'/],
    [['--env', 'prod', '--'], /no command after '--'/],
    [['--env', 'prod', '--timeout', 'soon'], /--timeout must be a whole number of minutes/],
  ])('reject %j', (argv, message) => {
    expect(() => parseMigrateArgs(argv, environments)).toThrow(message);
  });
});

test('reads the task output of the stack with the AWS CLI', () => {
  const calls: string[][] = [];
  const output = readTaskOutput('prod-Service', 'eu-west-1', (file, args) => {
    calls.push([file, ...args]);
    return '{"cluster":"berth","taskDefinitionFamily":"migrate"}\n';
  });
  expect(output).toEqual({ cluster: 'berth', taskDefinitionFamily: 'migrate' });
  expect(calls).toHaveLength(1);
  expect(calls[0]?.slice(0, 3)).toEqual(['aws', 'cloudformation', 'describe-stacks']);
  expect(calls[0]).toEqual(expect.arrayContaining(['--stack-name', 'prod-Service', '--region', 'eu-west-1']));
  expect(calls[0]?.[calls[0].indexOf('--region') + 1]).toBe('eu-west-1');
  expect(() => readTaskOutput('prod-Service', 'eu-west-1', () => 'None')).toThrow(/has no output BerthMigrationTask/);
});

describe('running by hand', () => {
  const ecsMock = mockClient(ECSClient);
  const logsMock = mockClient(CloudWatchLogsClient);
  const TASK = 'arn:aws:ecs:eu-west-1:333333333333:task/berth/abc123';
  const task: MigrationTaskOutput = {
    cluster: 'berth',
    taskDefinitionFamily: 'migrate-family',
    containerName: 'migrate',
    service: 'berth-api',
    logGroup: 'service-logs',
    logStreamPrefix: 'migrate',
  };
  const options: MigrateOptions = {
    env: prod,
    stackName: 'prod-Service',
    command: ['alembic', 'downgrade', '-1'],
    timeoutMinutes: 1,
  };
  let printed: string[];
  let clock: number;
  const deps = () => ({
    ecs: new ECSClient({}),
    logs: new CloudWatchLogsClient({}),
    print: (line: string) => printed.push(line),
    sleep: async (ms: number) => {
      clock += ms;
    },
    now: () => clock,
  });

  beforeEach(() => {
    ecsMock.reset();
    logsMock.reset();
    printed = [];
    clock = 0;
    ecsMock.on(RunTaskCommand).resolves({ tasks: [{ taskArn: TASK }] });
    ecsMock.on(DescribeServicesCommand).resolves({
      services: [
        { networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-a'], securityGroups: ['sg-1'] } } },
      ],
    });
  });

  test("runs in the service's subnets and security groups", async () => {
    ecsMock
      .on(DescribeTasksCommand)
      .resolves({ tasks: [{ lastStatus: 'STOPPED', containers: [{ name: 'migrate', exitCode: 0 }] }] });
    logsMock.on(GetLogEventsCommand).resolves({ events: [] });
    await expect(runByHand(options, task, deps())).resolves.toBe(0);
    expect(ecsMock.commandCalls(DescribeServicesCommand)[0].args[0].input).toEqual({
      cluster: 'berth',
      services: ['berth-api'],
    });
    expect(ecsMock.commandCalls(RunTaskCommand)[0].args[0].input.networkConfiguration).toEqual({
      awsvpcConfiguration: { subnets: ['subnet-a'], securityGroups: ['sg-1'], assignPublicIp: 'DISABLED' },
    });
  });

  test('exits 1 without starting anything when the service is not found', async () => {
    ecsMock.on(DescribeServicesCommand).resolves({ services: [] });
    await expect(runByHand(options, task, deps())).resolves.toBe(1);
    expect(ecsMock.commandCalls(RunTaskCommand)).toHaveLength(0);
    expect(printed).toEqual(['Service berth-api in cluster berth was not found or has no network configuration.']);
  });

  test('overrides the command, prints the log and exits with the container exit code', async () => {
    ecsMock
      .on(DescribeTasksCommand)
      .resolvesOnce({ tasks: [{ lastStatus: 'RUNNING' }] })
      .resolves({
        tasks: [
          {
            lastStatus: 'STOPPED',
            stoppedReason: 'Essential container in task exited',
            containers: [{ name: 'migrate', exitCode: 3 }],
          },
        ],
      });
    logsMock
      .on(GetLogEventsCommand)
      .resolvesOnce({ events: [{ message: 'Running downgrade b2 -> a1\n' }], nextForwardToken: 'f1' })
      .resolves({ events: [], nextForwardToken: 'f1' });
    await expect(runByHand(options, task, deps())).resolves.toBe(3);
    expect(ecsMock.commandCalls(RunTaskCommand)[0].args[0].input).toMatchObject({
      cluster: 'berth',
      taskDefinition: 'migrate-family',
      overrides: { containerOverrides: [{ name: 'migrate', command: ['alembic', 'downgrade', '-1'] }] },
      networkConfiguration: { awsvpcConfiguration: { assignPublicIp: 'DISABLED' } },
    });
    expect(printed).toEqual([
      `Started ${TASK}`,
      'Log: service-logs migrate/migrate/abc123',
      `Stop it with: aws ecs stop-task --cluster berth --task ${TASK} --region eu-west-1`,
      'Running downgrade b2 -> a1',
      'Exit code: 3',
      'Stopped reason: Essential container in task exited',
    ]);
  });

  test('exits 0 after a successful run, waiting for the log stream to appear', async () => {
    const missing = awsError('ResourceNotFoundException', 'The specified log stream does not exist.');
    logsMock
      .on(GetLogEventsCommand)
      .rejectsOnce(missing)
      .resolvesOnce({ events: [{ message: 'Running upgrade a1 -> b2\n' }], nextForwardToken: 'f1' })
      .resolves({ events: [], nextForwardToken: 'f1' });
    ecsMock
      .on(DescribeTasksCommand)
      .resolvesOnce({ tasks: [{ lastStatus: 'RUNNING' }] })
      .resolves({ tasks: [{ lastStatus: 'STOPPED', containers: [{ name: 'migrate', exitCode: 0 }] }] });
    await expect(runByHand({ ...options, command: undefined }, task, deps())).resolves.toBe(0);
    expect(ecsMock.commandCalls(RunTaskCommand)[0].args[0].input.overrides).toBeUndefined();
    expect(printed).toContain('Running upgrade a1 -> b2');
  });

  test('stops the task when it outlives the timeout, and prints the end of its log once it has stopped', async () => {
    // The log's last line arrives once the task is stopping.
    let stopping = false;
    logsMock
      .on(GetLogEventsCommand)
      .callsFake((input: { nextToken?: string }) =>
        stopping && input.nextToken === 'f1'
          ? { events: [{ message: 'interrupted' }], nextForwardToken: 'f2' }
          : { events: [], nextForwardToken: input.nextToken ?? 'f1' },
      );
    ecsMock.on(DescribeTasksCommand).resolves({ tasks: [{ lastStatus: 'RUNNING' }] });
    ecsMock.on(StopTaskCommand).callsFake(() => {
      stopping = true;
      ecsMock.on(DescribeTasksCommand).resolves({
        tasks: [{ lastStatus: 'STOPPED', stopCode: 'UserInitiated', containers: [{ name: 'migrate' }] }],
      });
      return {};
    });
    await expect(runByHand(options, task, deps())).resolves.toBe(1);
    expect(ecsMock.commandCalls(StopTaskCommand)).toHaveLength(1);
    expect(printed.slice(-4)).toEqual([
      'interrupted',
      'Exit code: none (the container did not run to completion)',
      'Stopped reason: UserInitiated',
      'Timed out after 1 minutes; the task has been stopped.',
    ]);
  });

  test('reads past empty log pages to the last line, however many empty pages earlier polls saw', async () => {
    let polls = 0;
    ecsMock.on(DescribeTasksCommand).callsFake(() => {
      polls += 1;
      return polls < 12
        ? { tasks: [{ lastStatus: 'RUNNING' }] }
        : { tasks: [{ lastStatus: 'STOPPED', containers: [{ name: 'migrate', exitCode: 0 }] }] };
    });
    // Each page is empty with a new token until, two empty pages after the task stopped, the last line.
    let page = 0;
    logsMock.on(GetLogEventsCommand).callsFake((input: { nextToken?: string }) => {
      page += 1;
      if (polls >= 12 && page > 200) return { events: [], nextForwardToken: input.nextToken };
      if (polls >= 12 && input.nextToken === 'stopped-2')
        return { events: [{ message: 'last line' }], nextForwardToken: 'end' };
      if (polls >= 12)
        return { events: [], nextForwardToken: input.nextToken === 'stopped-1' ? 'stopped-2' : 'stopped-1' };
      return { events: [], nextForwardToken: `t${page}` };
    });
    await expect(runByHand(options, task, deps())).resolves.toBe(0);
    expect(printed.slice(-2)).toEqual(['last line', 'Exit code: 0']);
  });

  test('gives up on a task that does not stop after the timeout, saying so', async () => {
    logsMock.on(GetLogEventsCommand).resolves({ events: [], nextForwardToken: 'f1' });
    ecsMock.on(DescribeTasksCommand).resolves({ tasks: [{ lastStatus: 'RUNNING' }] });
    await expect(runByHand(options, task, deps())).resolves.toBe(1);
    expect(ecsMock.commandCalls(StopTaskCommand)).toHaveLength(1);
    expect(printed.at(-1)).toBe('Timed out after 1 minutes; the task was asked to stop but has not yet.');
  });

  test('exits 1 with the reason when the task cannot start', async () => {
    ecsMock.on(RunTaskCommand).resolves({ tasks: [], failures: [{ reason: 'RESOURCE:ENI' }] });
    await expect(runByHand(options, task, deps())).resolves.toBe(1);
    expect(printed).toEqual(['The task did not start: RESOURCE:ENI']);
  });
});
