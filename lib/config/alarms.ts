import type { ProblemList } from './problems';
import type { EnvironmentConfig } from './types';

/**
 * One alarm's trigger: the value it compares against and how many consecutive evaluation periods
 * must breach before it fires. The period itself is fixed per alarm in
 * `lib/constructs/service-alarms.ts` (mostly one minute), so `evaluationPeriods` reads as
 * "minutes sustained" for most alarms.
 */
export interface AlarmThreshold {
  readonly threshold: number;
  /** Consecutive breaching periods before ALARM, 1..60. */
  readonly evaluationPeriods: number;
}

/** An alarm whose threshold follows from other config (e.g. `service.minTasks`): only its timing. */
export interface AlarmTiming {
  /** Consecutive breaching periods before ALARM, 1..60. */
  readonly evaluationPeriods: number;
}

/** The API behind the load balancer and its Fargate service. */
export interface ApiAlarmsConfig {
  /** ALB target response time p95, in seconds (seed: above 1 s). One-minute periods. */
  readonly latencyP95Seconds: AlarmThreshold;
  /** Target and ELB 5xx responses as a percentage of requests (seed: above 1 %). One-minute periods. */
  readonly errorRatePercent: AlarmThreshold;
  /** Unhealthy targets in the target group (seed: above 0). One-minute periods. */
  readonly unhealthyTargets: AlarmThreshold;
  /** Tasks running and healthy behind the load balancer below `service.minTasks`. One-minute periods. */
  readonly runningTasks: AlarmTiming;
  /** Service CPU, average over tasks, percent (seed: above 80). One-minute periods. */
  readonly cpuPercent: AlarmThreshold;
  /** Service memory, the fullest task, percent (seed: above 85). One-minute periods. */
  readonly memoryPercent: AlarmThreshold;
}

/** The PostgreSQL instance. */
export interface DatabaseAlarmsConfig {
  /** Connections as a percentage of `max_connections` (seed: above 80). One-minute periods. */
  readonly connectionsPercentOfMax: AlarmThreshold;
  /** Free storage as a percentage of `database.allocatedStorageGiB` (seed: below 20). Five-minute periods. */
  readonly freeStoragePercent: AlarmThreshold;
  /** Instance CPU, percent. One-minute periods. */
  readonly cpuPercent: AlarmThreshold;
  /** Freeable memory as a percentage of the instance class's memory (alarm below). One-minute periods. */
  readonly freeableMemoryPercent: AlarmThreshold;
}

/** The Redis/Valkey replication group; every node is watched, the worst one counts. */
export interface CacheAlarmsConfig {
  /** Keys evicted per five minutes on any node (seed: above 0). Five-minute periods. */
  readonly evictions: AlarmThreshold;
  /** `DatabaseMemoryUsagePercentage` of the fullest node. One-minute periods. */
  readonly memoryPercent: AlarmThreshold;
  /** `EngineCPUUtilization` (the Redis thread) of the busiest node. One-minute periods. */
  readonly engineCpuPercent: AlarmThreshold;
}

/** CloudWatch alarms, their notifications and the uptime check of one environment. */
export interface AlarmsConfig {
  /**
   * Who gets ALARM and OK notifications by email. Each address must confirm the subscription
   * from the email AWS sends before it receives anything. At least one in production.
   */
  readonly notificationEmails: readonly string[];
  readonly api: ApiAlarmsConfig;
  readonly database: DatabaseAlarmsConfig;
  readonly cache: CacheAlarmsConfig;
  /** Requests the WAF blocked in five minutes (a surge: scanners, a client stuck on 429). */
  readonly wafBlockedRequests: AlarmThreshold;
  /** The Route 53 health check of the public health path: minutes unhealthy before ALARM. */
  readonly uptime: AlarmTiming;
}

/** Deliberately loose: one `@`, no spaces, a dot in the domain. AWS sends the confirmation. */
const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;
const MAX_EVALUATION_PERIODS = 60;

/** Checks `env.alarms` and records each problem. */
export function checkAlarms(env: EnvironmentConfig, problems: ProblemList): void {
  const { alarms } = env;
  for (const email of alarms.notificationEmails) {
    problems.check(
      EMAIL.test(email),
      'alarms.notificationEmails[]',
      "an email address such as 'oncall@example.com'",
      email,
    );
  }
  const repeated = alarms.notificationEmails.filter((email, i, all) => all.indexOf(email) !== i);
  problems.check(repeated.length === 0, 'alarms.notificationEmails', 'free of duplicates', repeated);
  problems.check(
    !env.production || alarms.notificationEmails.length > 0,
    'alarms.notificationEmails',
    'at least one address in a production environment (alarms nobody receives are not monitoring)',
    alarms.notificationEmails,
  );

  const percent = (field: string, rule: AlarmThreshold) =>
    check(problems, field, rule, rule.threshold > 0 && rule.threshold < 100, 'a percentage above 0 and below 100');
  const count = (field: string, rule: AlarmThreshold, max: number) =>
    check(
      problems,
      field,
      rule,
      Number.isInteger(rule.threshold) && rule.threshold >= 0 && rule.threshold <= max,
      `a whole count in 0..${max}`,
    );

  const { api, database, cache } = alarms;
  check(
    problems,
    'alarms.api.latencyP95Seconds',
    api.latencyP95Seconds,
    api.latencyP95Seconds.threshold > 0 && api.latencyP95Seconds.threshold < env.edge.idleTimeoutSeconds,
    `a number of seconds above 0 and below edge.idleTimeoutSeconds (${env.edge.idleTimeoutSeconds}), which caps a response`,
  );
  percent('alarms.api.errorRatePercent', api.errorRatePercent);
  count('alarms.api.unhealthyTargets', api.unhealthyTargets, 1000);
  periods(problems, 'alarms.api.runningTasks', api.runningTasks);
  percent('alarms.api.cpuPercent', api.cpuPercent);
  percent('alarms.api.memoryPercent', api.memoryPercent);
  percent('alarms.database.connectionsPercentOfMax', database.connectionsPercentOfMax);
  percent('alarms.database.freeStoragePercent', database.freeStoragePercent);
  percent('alarms.database.cpuPercent', database.cpuPercent);
  percent('alarms.database.freeableMemoryPercent', database.freeableMemoryPercent);
  count('alarms.cache.evictions', cache.evictions, 1_000_000_000);
  percent('alarms.cache.memoryPercent', cache.memoryPercent);
  percent('alarms.cache.engineCpuPercent', cache.engineCpuPercent);
  count('alarms.wafBlockedRequests', alarms.wafBlockedRequests, 1_000_000_000);
  periods(problems, 'alarms.uptime', alarms.uptime);
}

/** Records a threshold problem and checks the rule's evaluation periods. */
function check(problems: ProblemList, field: string, rule: AlarmThreshold, ok: boolean, allowed: string): void {
  problems.check(Number.isFinite(rule.threshold) && ok, `${field}.threshold`, allowed, rule.threshold);
  periods(problems, field, rule);
}

function periods(problems: ProblemList, field: string, rule: AlarmTiming): void {
  problems.integer(`${field}.evaluationPeriods`, rule.evaluationPeriods, 1, MAX_EVALUATION_PERIODS);
}
