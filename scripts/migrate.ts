/**
 * Runs the migration task of a deployed environment by hand, optionally with another command,
 * streams its log and exits with its exit code:
 *
 *   npm run migrate -- --env prod                              # the configured command
 *   npm run migrate -- --env prod -- alembic downgrade -1      # another command
 *
 * Where the task runs (cluster, family, log group, and the service whose subnets and security
 * groups it shares) comes from the
 * service stack's `BerthMigrationTask` output, read with the AWS CLI (which the deploy workflow
 * needs anyway); ECS and CloudWatch Logs are called with the SDK. Credentials: the usual AWS chain
 * (`AWS_PROFILE`, SSO, environment variables) for the environment's account.
 */
import { execFileSync } from 'node:child_process';
import {
  CloudWatchLogsClient,
  GetLogEventsCommand,
  type GetLogEventsCommandOutput,
} from '@aws-sdk/client-cloudwatch-logs';
import {
  DescribeServicesCommand,
  DescribeTasksCommand,
  ECSClient,
  RunTaskCommand,
  StopTaskCommand,
  type Task,
} from '@aws-sdk/client-ecs';
import { failureOf, logStreamOf } from '../lambda/migration-runner/core';
import { environments } from '../lib/config/environments';
import { migrationTimeoutMinutes } from '../lib/config/release';
import type { EnvironmentConfig } from '../lib/config/types';
import { validateEnvironments } from '../lib/config/validate';
import { MIGRATION_OUTPUT_KEY, type MigrationTaskOutput } from '../lib/constructs/migration-runner';

/** Empty log pages in a row after which the log is taken as read to its end for now. */
const MAX_EMPTY_LOG_PAGES = 10;

/** How long a task asked to stop at the timeout is followed before giving up on it. */
const STOP_WAIT_MS = 2 * 60_000;

/** `startedBy` of tasks run by hand, to tell them from deploy-time runs. */
export const STARTED_BY_HAND = 'berth-migration-by-hand';

export const USAGE =
  'usage: npm run migrate -- --env <name> [--stack <stack name>] [--timeout <minutes>] [-- <command...>]';

export class UsageError extends Error {}

export interface MigrateOptions {
  readonly env: EnvironmentConfig;
  /** CloudFormation name of the stack holding the migration runner. */
  readonly stackName: string;
  /**
   * Overrides the task definition's command.
   * @default - the task definition's own command: the configured migration
   */
  readonly command?: readonly string[];
  readonly timeoutMinutes: number;
}

/** The script's own flags, and the command after `--` (undefined when there is no `--`). */
function splitAtSeparator(argv: readonly string[]): { flags: readonly string[]; command?: readonly string[] } {
  const separator = argv.indexOf('--');
  return separator < 0 ? { flags: argv } : { flags: argv.slice(0, separator), command: argv.slice(separator + 1) };
}

/** True when `--help` or `-h` comes before any `--` (after it, they belong to the command). */
export function wantsHelp(argv: readonly string[]): boolean {
  const { flags } = splitAtSeparator(argv);
  return flags.includes('--help') || flags.includes('-h');
}

/** Parses the script's arguments (everything after `npm run migrate --`). */
export function parseMigrateArgs(argv: readonly string[], known: readonly EnvironmentConfig[]): MigrateOptions {
  const { flags, command } = splitAtSeparator(argv);
  const values = new Map<string, string>();
  for (let i = 0; i < flags.length; i += 2) {
    const [flag, value] = [flags[i], flags[i + 1]];
    if (!['--env', '--stack', '--timeout'].includes(flag)) throw new UsageError(`unknown argument '${flag}'\n${USAGE}`);
    if (value === undefined || value.startsWith('--')) throw new UsageError(`${flag} needs a value\n${USAGE}`);
    values.set(flag, value);
  }
  const name = values.get('--env');
  if (!name) throw new UsageError(`--env is required\n${USAGE}`);
  const env = known.find((e) => e.name === name);
  if (!env) throw new UsageError(`--env must be one of ${known.map((e) => e.name).join(', ')}, got: '${name}'`);
  if (command !== undefined && command.length === 0) throw new UsageError(`no command after '--'\n${USAGE}`);
  const timeout = values.has('--timeout') ? Number(values.get('--timeout')) : migrationTimeoutMinutes(env.release);
  if (!Number.isInteger(timeout) || timeout < 1) {
    throw new UsageError(`--timeout must be a whole number of minutes, got: '${values.get('--timeout')}'`);
  }
  return { env, stackName: values.get('--stack') ?? `${env.name}-Service`, command, timeoutMinutes: timeout };
}

/** Runs a program and returns its standard output (injectable for tests). */
export type Exec = (file: string, args: readonly string[]) => string;

const execAws: Exec = (file, args) => execFileSync(file, [...args], { encoding: 'utf8' });

/** Reads the `BerthMigrationTask` output of the deployed stack with the AWS CLI. */
export function readTaskOutput(stackName: string, region: string, exec: Exec = execAws): MigrationTaskOutput {
  const text = exec('aws', [
    'cloudformation',
    'describe-stacks',
    '--stack-name',
    stackName,
    '--region',
    region,
    '--query',
    `Stacks[0].Outputs[?OutputKey=='${MIGRATION_OUTPUT_KEY}'].OutputValue`,
    '--output',
    'text',
  ]).trim();
  if (!text || text === 'None') {
    throw new Error(`stack ${stackName} in ${region} has no output ${MIGRATION_OUTPUT_KEY}: is the service deployed?`);
  }
  return JSON.parse(text) as MigrationTaskOutput;
}

export interface RunDeps {
  readonly ecs: ECSClient;
  readonly logs: CloudWatchLogsClient;
  readonly print: (line: string) => void;
  readonly sleep: (ms: number) => Promise<void>;
  readonly now: () => number;
  /**
   * Between checks of the task.
   * @default 5000
   */
  readonly pollMs?: number;
}

/** Runs the task, streams its log, and resolves to the exit code to exit with. */
export async function runByHand(options: MigrateOptions, task: MigrationTaskOutput, deps: RunDeps): Promise<number> {
  const { ecs, logs, print } = deps;
  // The task runs where the service runs: same subnets, same security groups (which the database
  // and cache admit).
  const described = await ecs.send(new DescribeServicesCommand({ cluster: task.cluster, services: [task.service] }));
  const network = described.services?.[0]?.networkConfiguration?.awsvpcConfiguration;
  if (!network?.subnets?.length) {
    print(`Service ${task.service} in cluster ${task.cluster} was not found or has no network configuration.`);
    return 1;
  }
  const run = await ecs.send(
    new RunTaskCommand({
      cluster: task.cluster,
      taskDefinition: task.taskDefinitionFamily,
      launchType: 'FARGATE',
      count: 1,
      startedBy: STARTED_BY_HAND,
      networkConfiguration: {
        awsvpcConfiguration: {
          subnets: network.subnets,
          securityGroups: network.securityGroups,
          assignPublicIp: 'DISABLED',
        },
      },
      overrides: options.command
        ? { containerOverrides: [{ name: task.containerName, command: [...options.command] }] }
        : undefined,
    }),
  );
  const taskArn = run.tasks?.[0]?.taskArn;
  if (!taskArn) {
    print(`The task did not start: ${(run.failures ?? []).map((f) => f.reason).join('; ') || 'no reason given'}`);
    return 1;
  }
  const logStreamName = logStreamOf(task.logStreamPrefix, task.containerName, taskArn);
  print(`Started ${taskArn}`);
  print(`Log: ${task.logGroup} ${logStreamName}`);
  // Interrupting this script does not stop the task.
  print(`Stop it with: aws ecs stop-task --cluster ${task.cluster} --task ${taskArn} --region ${options.env.region}`);

  let nextToken: string | undefined;
  const drain = async (): Promise<void> => {
    let emptyPages = 0;
    for (;;) {
      let page: GetLogEventsCommandOutput;
      try {
        page = await logs.send(
          new GetLogEventsCommand({
            logGroupName: task.logGroup,
            logStreamName,
            startFromHead: true,
            nextToken,
          }),
        );
      } catch (error) {
        if (error instanceof Error && error.name === 'ResourceNotFoundException') return; // not written yet
        throw error;
      }
      for (const event of page.events ?? []) print(event.message?.replace(/\s+$/, '') ?? '');
      // The same token back means the end; an empty page with a new one may still have events after it.
      if (!page.nextForwardToken || page.nextForwardToken === nextToken) return;
      nextToken = page.nextForwardToken;
      emptyPages = (page.events ?? []).length === 0 ? emptyPages + 1 : 0;
      if (emptyPages >= MAX_EMPTY_LOG_PAGES) return;
    }
  };

  /** The end of a stopped task: the rest of its log (the log driver may flush late) and its exit. */
  const finish = async (stopped: Task): Promise<number> => {
    await drain();
    await deps.sleep(deps.pollMs ?? 5000);
    await drain();
    const failure = failureOf(stopped, task.containerName);
    if (!failure) {
      print('Exit code: 0');
      return 0;
    }
    print(`Exit code: ${failure.exitCode ?? 'none (the container did not run to completion)'}`);
    if (failure.reasons.length > 0) print(`Stopped reason: ${failure.reasons.join(' | ')}`);
    return failure.exitCode ?? 1;
  };

  const deadline = deps.now() + options.timeoutMinutes * 60_000;
  let stopRequested = false;
  for (;;) {
    await drain();
    const described = await ecs.send(new DescribeTasksCommand({ cluster: task.cluster, tasks: [taskArn] }));
    const current = described.tasks?.[0];
    if (current?.lastStatus === 'STOPPED') {
      const code = await finish(current);
      if (!stopRequested) return code;
      print(`Timed out after ${options.timeoutMinutes} minutes; the task has been stopped.`);
      return 1;
    }
    if (!stopRequested && deps.now() > deadline) {
      await ecs.send(
        new StopTaskCommand({ cluster: task.cluster, task: taskArn, reason: 'Berth: run by hand timed out' }),
      );
      // Followed until it has stopped, for the end of its log.
      stopRequested = true;
    } else if (stopRequested && deps.now() > deadline + STOP_WAIT_MS) {
      print(`Timed out after ${options.timeoutMinutes} minutes; the task was asked to stop but has not yet.`);
      return 1;
    }
    await deps.sleep(deps.pollMs ?? 5000);
  }
}

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  if (wantsHelp(argv)) {
    console.log(USAGE);
    return 0;
  }
  const options = parseMigrateArgs(argv, validateEnvironments(environments));
  const { region } = options.env;
  const task = readTaskOutput(options.stackName, region);
  return runByHand(options, task, {
    ecs: new ECSClient({ region }),
    logs: new CloudWatchLogsClient({ region }),
    print: (line) => console.log(line),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    now: () => Date.now(),
  });
}

if (require.main === module) {
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(error instanceof Error ? error.message : String(error));
      process.exit(error instanceof UsageError ? 2 : 1);
    },
  );
}
