import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import type { AlarmsConfig } from '../config/alarms';
import type { ServiceMetrics } from './service-metrics';

/** `critical`: someone should look now. `warning`: look today. Shown first in every description. */
export type AlarmSeverity = 'critical' | 'warning';

export interface ServiceAlarmsProps {
  /** Environment name, part of every alarm name (`berth-<env>-<what>`). */
  readonly environmentName: string;
  readonly metrics: ServiceMetrics;
  readonly thresholds: AlarmsConfig;
  /** Receives every alarm's ALARM and OK transitions. */
  readonly topic: sns.ITopic;
  /** The service's lowest task count: fewer running tasks is an alarm. */
  readonly minTasks: number;
  /** The database's `max_connections`; the connection alarm is a percentage of it. */
  readonly maxConnections: number;
  /** The database's initial allocated storage; the free-storage alarm is a percentage of it. */
  readonly allocatedStorageGiB: number;
  /** Memory of the database instance class; the freeable-memory alarm is a percentage of it. */
  readonly databaseMemoryGiB: number;
  /**
   * Failed runs of the migration gate (an Errors-like metric, e.g.
   * `MigrationRunner.metricFailedMigrations()`); any failed run is an alarm.
   * @default - no failed-migration alarm
   */
  readonly failedMigrations?: cloudwatch.IMetric;
}

/** One alarm as data: what `ServiceAlarms` creates, and what the README table lists. */
interface AlarmSpec {
  readonly id: string;
  /** Appended to `berth-<env>-`. */
  readonly name: string;
  readonly severity: AlarmSeverity;
  readonly metric: cloudwatch.IMetric;
  readonly threshold: number;
  readonly comparison: cloudwatch.ComparisonOperator;
  readonly evaluationPeriods: number;
  readonly treatMissingData: cloudwatch.TreatMissingData;
  /** What happened and what to check first. */
  readonly description: string;
}

const GIB = 1024 ** 3;
const ABOVE = cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD;
const BELOW = cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD;
// Traffic-driven metrics have no datapoint without traffic: that is not an incident.
const QUIET_IS_FINE = cloudwatch.TreatMissingData.NOT_BREACHING;
// Resource gauges report every minute; a gap is a delay in CloudWatch, so keep the current state.
const KEEP_STATE = cloudwatch.TreatMissingData.IGNORE;

/**
 * The environment's CloudWatch alarms, thresholds from config: the API (latency, 5xx rate,
 * unhealthy targets, running tasks, CPU, memory), the database (connections, free storage, CPU,
 * freeable memory), the cache (evictions, memory, engine CPU), the WAF (blocked-request surge)
 * and, when given, failed migrations. Each is named `berth-<env>-<what>`, starts its description
 * with its severity and what to check first, and notifies `topic` on ALARM and on OK.
 */
export class ServiceAlarms extends Construct {
  readonly alarms: readonly cloudwatch.Alarm[];

  constructor(scope: Construct, id: string, props: ServiceAlarmsProps) {
    super(scope, id);
    const action = new actions.SnsAction(props.topic);
    this.alarms = specs(props).map((spec) => {
      const alarm = new cloudwatch.Alarm(this, spec.id, {
        alarmName: `berth-${props.environmentName}-${spec.name}`,
        alarmDescription: `[${spec.severity}] ${spec.description}`,
        metric: spec.metric,
        threshold: spec.threshold,
        comparisonOperator: spec.comparison,
        evaluationPeriods: spec.evaluationPeriods,
        datapointsToAlarm: spec.evaluationPeriods,
        treatMissingData: spec.treatMissingData,
      });
      alarm.addAlarmAction(action);
      alarm.addOkAction(action);
      return alarm;
    });
  }
}

/** Every alarm of an environment, from its config and sizes. */
function specs(props: ServiceAlarmsProps): AlarmSpec[] {
  const { metrics: m, thresholds: t, minTasks } = props;
  const { api, database: db, cache } = t;
  // Connections are whole numbers, so "> floor(x)" fires exactly when "> x" does.
  const connections = Math.floor((props.maxConnections * db.connectionsPercentOfMax.threshold) / 100);
  const freeStorage = Math.floor((props.allocatedStorageGiB * GIB * db.freeStoragePercent.threshold) / 100);
  const freeableMemory = Math.floor((props.databaseMemoryGiB * GIB * db.freeableMemoryPercent.threshold) / 100);
  const gib = (bytes: number) => `${(bytes / GIB).toFixed(1)} GiB`;

  const list: AlarmSpec[] = [
    {
      id: 'ApiLatencyP95',
      name: 'api-latency-p95',
      severity: 'critical',
      metric: m.latencyP95,
      threshold: api.latencyP95Seconds.threshold,
      comparison: ABOVE,
      evaluationPeriods: api.latencyP95Seconds.evaluationPeriods,
      treatMissingData: QUIET_IS_FINE,
      description: `API p95 response time above ${api.latencyP95Seconds.threshold} s. Check first: slow queries (RDS Performance Insights, pg_stat_statements), then service CPU and database connections on the dashboard.`,
    },
    {
      id: 'Api5xxRate',
      name: 'api-5xx-rate',
      severity: 'critical',
      metric: m.errorRatePercent,
      threshold: api.errorRatePercent.threshold,
      comparison: ABOVE,
      evaluationPeriods: api.errorRatePercent.evaluationPeriods,
      treatMissingData: QUIET_IS_FINE,
      description: `More than ${api.errorRatePercent.threshold} % of requests answered 5xx (target or load balancer). Check first: exceptions in the service log group; ELB 502/503 mean no healthy task answered.`,
    },
    {
      id: 'ApiUnhealthyTargets',
      name: 'api-unhealthy-targets',
      severity: 'critical',
      metric: m.unhealthyTargets,
      threshold: api.unhealthyTargets.threshold,
      comparison: ABOVE,
      evaluationPeriods: api.unhealthyTargets.evaluationPeriods,
      treatMissingData: QUIET_IS_FINE,
      description: `More than ${api.unhealthyTargets.threshold} target(s) fail the health check. Check first: the ECS service events and the stopped tasks' reasons, then the health path answering 200 (database/cache reachable?).`,
    },
    {
      id: 'ApiRunningTasks',
      name: 'api-running-tasks',
      severity: 'critical',
      // The load balancer's count of healthy targets: free, unlike Container Insights'
      // RunningTaskCount, and a task that runs without passing its health check serves nothing.
      metric: m.healthyTargets,
      threshold: minTasks,
      comparison: BELOW,
      evaluationPeriods: api.runningTasks.evaluationPeriods,
      treatMissingData: cloudwatch.TreatMissingData.BREACHING,
      description: `Fewer than ${minTasks} task(s) running and healthy behind the load balancer (service.minTasks). Check first: ECS service events (failed deployments, image pull or secret errors, Spot interruptions), stopped tasks' exit codes, then the health path.`,
    },
    {
      id: 'ApiCpu',
      name: 'api-cpu',
      severity: 'warning',
      metric: m.serviceCpu,
      threshold: api.cpuPercent.threshold,
      comparison: ABOVE,
      evaluationPeriods: api.cpuPercent.evaluationPeriods,
      treatMissingData: KEEP_STATE,
      description: `Service CPU above ${api.cpuPercent.threshold} % on average although autoscaling tracks a lower target. Check first: whether the task count sits at service.maxTasks, then hot endpoints and batch jobs.`,
    },
    {
      id: 'ApiMemory',
      name: 'api-memory',
      severity: 'critical',
      metric: m.serviceMemory,
      threshold: api.memoryPercent.threshold,
      comparison: ABOVE,
      evaluationPeriods: api.memoryPercent.evaluationPeriods,
      treatMissingData: KEEP_STATE,
      description: `A task uses more than ${api.memoryPercent.threshold} % of its memory. Check first: a memory leak (memory climbing since the last deploy), then large responses or caches in process; tasks are killed at 100 %.`,
    },
    {
      id: 'DatabaseConnections',
      name: 'db-connections',
      severity: 'critical',
      metric: m.databaseConnections,
      threshold: connections,
      comparison: ABOVE,
      evaluationPeriods: db.connectionsPercentOfMax.evaluationPeriods,
      treatMissingData: KEEP_STATE,
      description: `More than ${connections} database connections (${db.connectionsPercentOfMax.threshold} % of max_connections ${props.maxConnections}). Check first: ${
        m.databaseProxy
          ? "the dashboard's RDS Proxy row (clients waiting for a connection, pinned connections), as the proxy opens them"
          : 'pool size x task count against the connection budget'
      }, then idle-in-transaction sessions in pg_stat_activity.`,
    },
    {
      id: 'DatabaseFreeStorage',
      name: 'db-free-storage',
      severity: 'critical',
      metric: m.databaseFreeStorageBytes,
      threshold: freeStorage,
      comparison: BELOW,
      evaluationPeriods: db.freeStoragePercent.evaluationPeriods,
      treatMissingData: KEEP_STATE,
      description: `Database free storage below ${gib(freeStorage)} (${db.freeStoragePercent.threshold} % of the ${props.allocatedStorageGiB} GiB allocated at creation). Check first: whether storage autoscaling reached database.maxAllocatedStorageGiB, then table and WAL growth.`,
    },
    {
      id: 'DatabaseCpu',
      name: 'db-cpu',
      severity: 'warning',
      metric: m.databaseCpu,
      threshold: db.cpuPercent.threshold,
      comparison: ABOVE,
      evaluationPeriods: db.cpuPercent.evaluationPeriods,
      treatMissingData: KEEP_STATE,
      description: `Database CPU above ${db.cpuPercent.threshold} %. Check first: top SQL in Performance Insights and missing indexes; on a burstable class, the CPU credit balance.`,
    },
    {
      id: 'DatabaseFreeableMemory',
      name: 'db-freeable-memory',
      severity: 'warning',
      metric: m.databaseFreeableMemoryBytes,
      threshold: freeableMemory,
      comparison: BELOW,
      evaluationPeriods: db.freeableMemoryPercent.evaluationPeriods,
      treatMissingData: KEEP_STATE,
      description: `Database freeable memory below ${gib(freeableMemory)} (${db.freeableMemoryPercent.threshold} % of the instance's ${props.databaseMemoryGiB} GiB). Check first: connection count (each costs memory), then work_mem-heavy queries; consider a larger class.`,
    },
    {
      id: 'CacheEvictions',
      name: 'cache-evictions',
      severity: 'warning',
      metric: m.cacheEvictions,
      threshold: cache.evictions.threshold,
      comparison: ABOVE,
      evaluationPeriods: cache.evictions.evaluationPeriods,
      treatMissingData: QUIET_IS_FINE,
      description: `A cache node evicted more than ${cache.evictions.threshold} key(s) in five minutes. Check first: keys without TTL and cache memory; then raise TTL discipline or the node type.`,
    },
    {
      id: 'CacheMemory',
      name: 'cache-memory',
      severity: 'warning',
      metric: m.cacheMemoryPercent,
      threshold: cache.memoryPercent.threshold,
      comparison: ABOVE,
      evaluationPeriods: cache.memoryPercent.evaluationPeriods,
      treatMissingData: KEEP_STATE,
      description: `A cache node uses more than ${cache.memoryPercent.threshold} % of its memory; evictions follow at 100 %. Check first: the biggest keys (redis-cli --bigkeys) and keys without TTL.`,
    },
    {
      id: 'CacheEngineCpu',
      name: 'cache-engine-cpu',
      severity: 'warning',
      metric: m.cacheEngineCpuPercent,
      threshold: cache.engineCpuPercent.threshold,
      comparison: ABOVE,
      evaluationPeriods: cache.engineCpuPercent.evaluationPeriods,
      treatMissingData: KEEP_STATE,
      description: `The cache engine thread of a node is above ${cache.engineCpuPercent.threshold} % CPU. Check first: SLOWLOG (the slow-log group) for O(N) commands such as KEYS, then the request rate.`,
    },
    {
      id: 'WafBlockedRequests',
      name: 'waf-blocked-surge',
      severity: 'warning',
      metric: m.wafBlockedRequests,
      threshold: t.wafBlockedRequests.threshold,
      comparison: ABOVE,
      evaluationPeriods: t.wafBlockedRequests.evaluationPeriods,
      treatMissingData: QUIET_IS_FINE,
      description: `The WAF blocked more than ${t.wafBlockedRequests.threshold} requests in five minutes. Check first: the WAF log group (aws-waf-logs-*) for the rule and client IPs: an attack, a scanner, or a legitimate client hitting the rate limit.`,
    },
  ];
  if (props.failedMigrations) {
    list.push({
      id: 'FailedMigrations',
      name: 'migration-failed',
      severity: 'warning',
      metric: props.failedMigrations,
      threshold: 0,
      comparison: ABOVE,
      evaluationPeriods: 1,
      treatMissingData: QUIET_IS_FINE,
      description:
        'A migration run failed, so the release was stopped and the running service left untouched. Check first: the exit code and log lines in the deploy output, then the migration task log group.',
    });
  }
  return list;
}
