/**
 * The migration runner's logic, free of Lambda plumbing: start the migration task, decide whether a
 * CloudFormation event must run it at all, follow it to the end and describe the outcome in words a
 * person reading `cdk deploy` output can act on. `index.ts` only wires clients and settings in.
 */

import { type CloudWatchLogsClient, GetLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import {
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  type DescribeTasksCommandOutput,
  type ECSClient,
  RunTaskCommand,
  StopTaskCommand,
  type Task,
} from '@aws-sdk/client-ecs';
import { deployFailure } from '../shared/deploy-failure';

/** What the custom resource asks for: its properties, which change only with image or command. */
export interface MigrationRequest {
  readonly TaskDefinitionFamily: string;
  readonly ContainerName: string;
  /** The image the migration container must run, e.g. `123.dkr.ecr.eu-west-1.amazonaws.com/api:v42`. */
  readonly Image: string;
  readonly Command: readonly string[];
}

/** Where and how tasks run; the same for every event, so it comes from the function's environment. */
export interface RunnerSettings {
  readonly clusterArn: string;
  readonly subnets: readonly string[];
  readonly securityGroups: readonly string[];
  readonly logGroupName: string;
  readonly logStreamPrefix: string;
  readonly timeoutSeconds: number;
  readonly region: string;
}

/** The subset of a `cr.Provider` onEvent request the runner reads. */
export interface RunnerEvent {
  readonly RequestType: 'Create' | 'Update' | 'Delete';
  readonly PhysicalResourceId?: string;
  readonly ResourceProperties: MigrationRequest & { readonly ServiceToken?: string };
  readonly OldResourceProperties?: MigrationRequest;
}

/** How a run ended, as the gate resource reads it from the custom resource's attributes. */
export type Outcome = 'succeeded' | 'failed' | 'skipped';

/** The attributes of the migration custom resource. */
export interface RunData {
  readonly Outcome: Outcome;
  /** A human-readable account of the run, at most `REPORT_BUDGET_BYTES` once JSON-encoded. */
  readonly Report: string;
  /** Set while a task is running; isComplete follows it. */
  readonly TaskArn?: string;
  /** ISO time RunTask returned, the start of the timeout. */
  readonly StartedAt?: string;
}

export interface OnEventResult {
  readonly PhysicalResourceId: string;
  readonly Data: RunData;
}

/** The subset of a `cr.Provider` isComplete request the runner reads (onEvent's result merged in). */
export interface CompletionEvent extends RunnerEvent {
  readonly Data?: Partial<RunData>;
}

export type CompletionResult = { readonly IsComplete: false } | { readonly IsComplete: true; readonly Data?: RunData };

/** Tasks this runner starts carry this `startedBy`, so they are easy to find in the console. */
export const STARTED_BY = 'berth-migration';

/**
 * A custom resource response must stay under 4096 bytes, and CloudFormation truncates a status
 * reason long before a person stops reading: the report stays well inside both.
 */
export const REPORT_BUDGET_BYTES = 2800;
/** Log lines shown in a failure report (fewer when they do not fit the budget). */
export const TAIL_LINES = 20;
/** Each log line is cut to this many characters in a report. */
export const MAX_LINE_CHARS = 200;

/** Whether `container` of a task definition runs exactly `image` with `command`. */
function carries(
  container: { image?: string; command?: readonly string[] } | undefined,
  request: Pick<MigrationRequest, 'Image' | 'Command'>,
): boolean {
  if (!container) return false;
  const command = container.command ?? [];
  return (
    container.image === request.Image &&
    command.length === request.Command.length &&
    command.every((part, i) => part === request.Command[i])
  );
}

function sameRun(a: MigrationRequest, b: MigrationRequest): boolean {
  return (
    a.TaskDefinitionFamily === b.TaskDefinitionFamily &&
    a.ContainerName === b.ContainerName &&
    a.Image === b.Image &&
    a.Command.length === b.Command.length &&
    a.Command.every((part, i) => part === b.Command[i])
  );
}

function skipped(event: RunnerEvent, report: string): OnEventResult {
  return {
    PhysicalResourceId: event.PhysicalResourceId ?? 'migration-not-run',
    Data: { Outcome: 'skipped', Report: report },
  };
}

/**
 * onEvent: starts the migration task for Create and for an Update that changes image or command.
 *
 * Rollback: during UPDATE_ROLLBACK CloudFormation sends an Update whose new properties are the old
 * image and command. The runner tells it apart from a forward deploy by asking ECS for the latest
 * ACTIVE revision of the migration family. CloudFormation registers a new revision before it
 * updates this resource (the resource depends on the task definition), and deregisters it only in
 * the cleanup phase after a rollback; so on a forward deploy the latest revision carries the
 * requested image and command, and during a rollback it still carries the *old* properties' ones
 * (the release being rolled back). A forward deploy of an older image registers a new revision and
 * runs as usual. Anything else is refused rather than guessed at.
 */
export async function startMigration(
  event: RunnerEvent,
  settings: RunnerSettings,
  ecs: ECSClient,
  now: () => Date,
): Promise<OnEventResult> {
  const request = event.ResourceProperties;
  if (event.RequestType === 'Delete') return skipped(event, 'Delete: migrations are never undone by a stack change.');
  const previous = event.OldResourceProperties;
  if (event.RequestType === 'Update' && previous && sameRun(request, previous)) {
    return skipped(event, 'Image and command unchanged: nothing to migrate.');
  }

  const described = await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: request.TaskDefinitionFamily }));
  const definition = described.taskDefinition;
  const container = definition?.containerDefinitions?.find((c) => c.name === request.ContainerName);
  const revision = definition?.taskDefinitionArn ?? request.TaskDefinitionFamily;

  if (!carries(container, request)) {
    if (event.RequestType === 'Update' && previous && carries(container, previous)) {
      return skipped(
        event,
        `Stack rollback: ${revision} still carries the release being rolled back (${previous.Image}); migrations are not run again.`,
      );
    }
    throw new Error(
      `Refusing to run migrations: the latest revision of ${request.TaskDefinitionFamily} (${revision}) runs ` +
        `${container?.image ?? `no container '${request.ContainerName}'`} with command ${JSON.stringify(container?.command ?? [])}, ` +
        `but this deploy asked for ${request.Image} with ${JSON.stringify(request.Command)}. ` +
        'Was a revision registered outside CloudFormation? Deploy again to register the expected one.',
    );
  }

  const run = await ecs.send(
    new RunTaskCommand({
      cluster: settings.clusterArn,
      taskDefinition: revision,
      launchType: 'FARGATE',
      count: 1,
      startedBy: STARTED_BY,
      networkConfiguration: {
        awsvpcConfiguration: {
          subnets: [...settings.subnets],
          securityGroups: [...settings.securityGroups],
          assignPublicIp: 'DISABLED',
        },
      },
    }),
  );
  const taskArn = run.tasks?.[0]?.taskArn;
  if (!taskArn) {
    const reasons = (run.failures ?? []).map((f) => `${f.reason ?? 'unknown'}${f.detail ? ` (${f.detail})` : ''}`);
    throw new Error(
      `Migration task did not start: ECS RunTask of ${revision} failed: ${reasons.join('; ') || 'no task and no failure returned'}.`,
    );
  }
  return {
    PhysicalResourceId: taskArn,
    // Fail-safe until isComplete replaces it with the real outcome.
    Data: {
      Outcome: 'failed',
      Report: `Migration ${taskArn} did not report an outcome.`,
      TaskArn: taskArn,
      StartedAt: now().toISOString(),
    },
  };
}

/** The id at the end of a task ARN (`arn:aws:ecs:region:account:task/cluster/ID`). */
export function taskIdOf(taskArn: string): string {
  return taskArn.slice(taskArn.lastIndexOf('/') + 1);
}

/** The awslogs stream of a task's container: `<prefix>/<container>/<taskId>`. */
export function logStreamOf(prefix: string, containerName: string, taskArn: string): string {
  return `${prefix}/${containerName}/${taskIdOf(taskArn)}`;
}

/** The last `limit` lines of a log stream, or undefined when the stream does not exist. */
export async function tailLog(
  logs: CloudWatchLogsClient,
  logGroupName: string,
  logStreamName: string,
  limit = TAIL_LINES,
): Promise<string[] | undefined> {
  try {
    const result = await logs.send(
      new GetLogEventsCommand({ logGroupName, logStreamName, limit, startFromHead: false }),
    );
    return (result.events ?? []).map((e) => (e.message ?? '').replace(/\s+$/, ''));
  } catch (error) {
    if (error instanceof Error && error.name === 'ResourceNotFoundException') return undefined;
    throw error;
  }
}

/** What ended a task, when it did not exit 0; undefined when it succeeded. */
export function failureOf(task: Task, containerName: string): { exitCode?: number; reasons: string[] } | undefined {
  const container = task.containers?.find((c) => c.name === containerName);
  const exitCode = container?.exitCode;
  if (exitCode === 0) return undefined;
  const reasons = [task.stoppedReason, container?.reason].filter((r): r is string => !!r);
  if (task.stopCode && task.stopCode !== 'EssentialContainerExited') reasons.unshift(task.stopCode);
  return { exitCode, reasons };
}

export interface ReportInput {
  readonly headline: string;
  readonly taskArn: string;
  readonly exitCode?: number;
  readonly reasons: readonly string[];
  /** Last log lines, or undefined when the log stream does not exist. */
  readonly lines: readonly string[] | undefined;
  readonly logGroupName: string;
  readonly logStreamName: string;
  readonly region: string;
}

function byteLength(text: string): number {
  return Buffer.byteLength(JSON.stringify(text), 'utf8');
}

/**
 * The failure report `cdk deploy` prints: what happened, exit code and stop reason, the last log
 * lines, and where the full log is. Lines are cut and the oldest dropped until it fits the budget.
 */
export function failureReport(input: ReportInput): string {
  const cut = (line: string) => (line.length > MAX_LINE_CHARS ? `${line.slice(0, MAX_LINE_CHARS - 1)}…` : line);
  // Stack events are readable by anyone who can describe the stack: never pass on a password that
  // a migration printed as part of a connection URL.
  const masked = (line: string) => line.replace(/(:\/\/[^:/@\s]*:)[^@\s]+@/g, '$1***@');
  const head = [
    input.headline,
    `Task: ${input.taskArn}`,
    `Exit code: ${input.exitCode ?? 'none (the container did not run to completion)'}`,
    ...(input.reasons.length > 0 ? [`Stopped reason: ${input.reasons.map(cut).join(' | ')}`] : []),
  ];
  const where = [
    `Full log: log group ${input.logGroupName}, stream ${input.logStreamName}`,
    `  aws logs tail ${input.logGroupName} --log-stream-names ${input.logStreamName} --since 1d --region ${input.region}`,
  ];
  if (input.lines === undefined) {
    return [...head, `No log stream ${input.logStreamName}: the container wrote nothing or never started.`, ...where]
      .join('\n')
      .slice(0, REPORT_BUDGET_BYTES);
  }
  let lines = input.lines.map((line) => cut(masked(line)));
  const compose = (shown: readonly string[]) =>
    [
      ...head,
      shown.length > 0 ? `Last ${shown.length} log line(s):` : 'The log stream is empty.',
      ...shown.map((l) => `  | ${l}`),
      ...where,
    ].join('\n');
  while (lines.length > 0 && byteLength(compose(lines)) > REPORT_BUDGET_BYTES) lines = lines.slice(1);
  return compose(lines);
}

/** Reads the last log lines of a finished task and turns its end into a failure report. */
async function reportFailure(
  headline: string,
  taskArn: string,
  failure: { exitCode?: number; reasons: readonly string[] },
  request: MigrationRequest,
  settings: RunnerSettings,
  logs: CloudWatchLogsClient,
): Promise<RunData> {
  const logStreamName = logStreamOf(settings.logStreamPrefix, request.ContainerName, taskArn);
  // The report matters more than its log lines: an error reading them must not replace it.
  const lines = await tailLog(logs, settings.logGroupName, logStreamName).catch((error: unknown) => [
    `(the log could not be read: ${nameOf(error)})`,
  ]);
  return {
    Outcome: 'failed',
    Report: failureReport({
      headline,
      taskArn,
      exitCode: failure.exitCode,
      reasons: failure.reasons,
      lines,
      logGroupName: settings.logGroupName,
      logStreamName,
      region: settings.region,
    }),
    TaskArn: taskArn,
  };
}

/** The name of an error (an AWS SDK error's is its code, e.g. `ThrottlingException`). */
function nameOf(error: unknown): string {
  return error instanceof Error ? error.name : String(error);
}

/**
 * isComplete: follows the task started by onEvent. Never throws: the provider framework retries
 * only an `IsComplete: false` answer, and fails the resource at once on a throw, with the task
 * still running. A failed migration completes with `Outcome: failed` and a report, which the gate
 * resource turns into the deploy's error message; an error while asking ECS about the task is
 * asked again at the next poll, until the timeout stops the task.
 */
export async function checkMigration(
  event: CompletionEvent,
  settings: RunnerSettings,
  ecs: ECSClient,
  logs: CloudWatchLogsClient,
  now: () => Date,
): Promise<CompletionResult> {
  const taskArn = event.Data?.TaskArn;
  if (event.RequestType === 'Delete' || !taskArn) return { IsComplete: true };
  const request = event.ResourceProperties;
  const startedAt = Date.parse(event.Data?.StartedAt ?? '');
  const elapsedSeconds = Number.isNaN(startedAt) ? 0 : (now().getTime() - startedAt) / 1000;
  const timedOut = elapsedSeconds >= settings.timeoutSeconds;
  const minutes = Math.round(settings.timeoutSeconds / 60);
  let described: DescribeTasksCommandOutput;
  try {
    described = await ecs.send(new DescribeTasksCommand({ cluster: settings.clusterArn, tasks: [taskArn] }));
  } catch (error) {
    if (!timedOut) return { IsComplete: false };
    return {
      IsComplete: true,
      Data: await stopAndReport(
        `Migration failed: ECS could not be asked about the task for ${minutes} minutes (${nameOf(error)}).`,
        taskArn,
        request,
        settings,
        ecs,
        logs,
      ),
    };
  }
  const task = described.tasks?.[0];
  if (!task) {
    const reason = described.failures?.[0]?.reason ?? 'not found';
    return {
      IsComplete: true,
      Data: await reportFailure(
        'Migration failed: ECS no longer knows the migration task.',
        taskArn,
        { reasons: [reason] },
        request,
        settings,
        logs,
      ),
    };
  }
  if (task.lastStatus === 'STOPPED') {
    const failure = failureOf(task, request.ContainerName);
    if (!failure) {
      return {
        IsComplete: true,
        Data: { Outcome: 'succeeded', Report: `Migration exited 0 (${taskArn}).`, TaskArn: taskArn },
      };
    }
    const headline =
      failure.exitCode === undefined
        ? 'Migration failed: the migration task stopped before its container ran to completion.'
        : `Migration failed: ${request.Command.join(' ')} exited with code ${failure.exitCode}.`;
    return { IsComplete: true, Data: await reportFailure(headline, taskArn, failure, request, settings, logs) };
  }

  if (!timedOut) return { IsComplete: false };
  return {
    IsComplete: true,
    Data: await stopAndReport(
      `Migration failed: timed out after ${minutes} minutes (task was ${task.lastStatus ?? 'unknown'}).`,
      taskArn,
      request,
      settings,
      ecs,
      logs,
    ),
  };
}

/** Stops a migration task that ran out of time, and reports it (and whether it could be stopped). */
async function stopAndReport(
  headline: string,
  taskArn: string,
  request: MigrationRequest,
  settings: RunnerSettings,
  ecs: ECSClient,
  logs: CloudWatchLogsClient,
): Promise<RunData> {
  const minutes = Math.round(settings.timeoutSeconds / 60);
  let stopped = 'It has been stopped.';
  try {
    await ecs.send(
      new StopTaskCommand({
        cluster: settings.clusterArn,
        task: taskArn,
        reason: `Berth: migration timed out after ${minutes} min`,
      }),
    );
  } catch (error) {
    stopped = `It could not be stopped (${nameOf(error)}): aws ecs stop-task --cluster ${settings.clusterArn} --task ${taskArn} --region ${settings.region}`;
  }
  return reportFailure(`${headline} ${stopped}`, taskArn, { reasons: [] }, request, settings, logs);
}

/** The gate resource's properties: the migration resource's attributes. */
export interface GateEvent {
  readonly RequestType: 'Create' | 'Update' | 'Delete';
  readonly ResourceProperties: { readonly Outcome?: string; readonly Report?: string };
}

/** The physical id of the gate resource, which never changes. */
export const GATE_ID = 'berth-migration-gate';

/**
 * The gate: fails the deploy with the migration's report when it failed. onEvent-only, so its
 * error message is exactly what CloudFormation and `cdk deploy` show.
 */
export function gate(event: GateEvent): { PhysicalResourceId: string } {
  const { Outcome, Report } = event.ResourceProperties;
  if (event.RequestType !== 'Delete' && Outcome === 'failed') throw deployFailure(Report ?? 'Migration failed.');
  return { PhysicalResourceId: GATE_ID };
}

/** Reads the runner's settings from the environment the construct sets on its functions. */
export function settingsFromEnv(env: NodeJS.ProcessEnv): RunnerSettings {
  const required = (name: string): string => {
    const value = env[name];
    if (!value) throw new Error(`environment variable ${name} is not set`);
    return value;
  };
  return {
    clusterArn: required('CLUSTER_ARN'),
    subnets: required('SUBNETS').split(','),
    securityGroups: required('SECURITY_GROUPS').split(','),
    logGroupName: required('LOG_GROUP'),
    logStreamPrefix: required('LOG_STREAM_PREFIX'),
    timeoutSeconds: Number(required('TIMEOUT_SECONDS')),
    region: required('AWS_REGION'),
  };
}
