import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import type * as rds from 'aws-cdk-lib/aws-rds';

/** Where an environment's metrics come from. */
export interface ServiceMetricSources {
  readonly loadBalancer: elbv2.IApplicationLoadBalancer;
  readonly targetGroup: elbv2.IApplicationTargetGroup;
  readonly service: ecs.BaseService;
  readonly database: rds.IDatabaseInstance;
  /** Member cache cluster ids of the replication group (`<group>-001`, `-002`, ...). */
  readonly cacheClusterIds: readonly string[];
  /** Name of the WAF web ACL (the `WebACL` dimension). */
  readonly webAclName: string;
  /** Region of the web ACL (the `Region` dimension of regional WAF metrics). */
  readonly region: string;
  /**
   * Name of the RDS Proxy in front of the database (the `ProxyName` dimension).
   * @default - no proxy, no proxy metrics
   */
  readonly databaseProxyName?: string;
}

/** What an RDS Proxy is watched by on the dashboard. */
export interface DatabaseProxyMetrics {
  /** Connections from the tasks to the proxy. */
  readonly clientConnections: cloudwatch.IMetric;
  /** Connections from the proxy to the database. */
  readonly databaseConnections: cloudwatch.IMetric;
  /** Of those, connections held by one client for its session state (`SET`, prepared statements). */
  readonly pinnedConnections: cloudwatch.IMetric;
  /** Microseconds a client waits for a database connection: queueing shows here first. */
  readonly borrowLatencyMicroseconds: cloudwatch.IMetric;
}

/**
 * The metrics an environment is watched by, built once so that the alarms and the dashboard show
 * exactly the same numbers. Periods are the alarms' periods.
 */
export interface ServiceMetrics {
  readonly latencyP50: cloudwatch.Metric;
  readonly latencyP95: cloudwatch.Metric;
  readonly latencyP99: cloudwatch.Metric;
  readonly requests: cloudwatch.IMetric;
  readonly target5xx: cloudwatch.IMetric;
  readonly elb5xx: cloudwatch.IMetric;
  readonly target4xx: cloudwatch.IMetric;
  /** Percentage of requests answered with a 5xx by a target or by the load balancer. */
  readonly errorRatePercent: cloudwatch.IMetric;
  readonly healthyTargets: cloudwatch.IMetric;
  readonly unhealthyTargets: cloudwatch.IMetric;
  readonly serviceCpu: cloudwatch.IMetric;
  readonly serviceMemory: cloudwatch.IMetric;
  readonly databaseConnections: cloudwatch.IMetric;
  readonly databaseFreeStorageBytes: cloudwatch.IMetric;
  readonly databaseCpu: cloudwatch.IMetric;
  readonly databaseFreeableMemoryBytes: cloudwatch.IMetric;
  /** Evictions of the node that evicted most (sum per five minutes). */
  readonly cacheEvictions: cloudwatch.IMetric;
  /** `DatabaseMemoryUsagePercentage` of the fullest node. */
  readonly cacheMemoryPercent: cloudwatch.IMetric;
  /** `EngineCPUUtilization` of the busiest node. */
  readonly cacheEngineCpuPercent: cloudwatch.IMetric;
  readonly wafBlockedRequests: cloudwatch.IMetric;
  readonly wafAllowedRequests: cloudwatch.IMetric;
  /** Present when an RDS Proxy fronts the database. */
  readonly databaseProxy?: DatabaseProxyMetrics;
}

const MINUTE = Duration.minutes(1);
const FIVE_MINUTES = Duration.minutes(5);

/** Builds the environment's metrics from its resources. */
export function serviceMetrics(sources: ServiceMetricSources): ServiceMetrics {
  const alb = sources.loadBalancer.metrics;
  const tg = sources.targetGroup.metrics;
  const { service, database } = sources;
  const latency = (statistic: string) => alb.targetResponseTime({ statistic, period: MINUTE });
  const requests = alb.requestCount({ statistic: 'Sum', period: MINUTE });
  const target5xx = alb.httpCodeTarget(elbv2.HttpCodeTarget.TARGET_5XX_COUNT, { statistic: 'Sum', period: MINUTE });
  const elb5xx = alb.httpCodeElb(elbv2.HttpCodeElb.ELB_5XX_COUNT, { statistic: 'Sum', period: MINUTE });

  // `key` prefixes the per-node ids: one graph may show several of these expressions.
  const cacheNodes = (key: string, metricName: string, statistic: string, period: Duration) => {
    const nodes = Object.fromEntries(
      sources.cacheClusterIds.map((id, index) => [
        `${key}${index + 1}`,
        new cloudwatch.Metric({
          namespace: 'AWS/ElastiCache',
          metricName,
          dimensionsMap: { CacheClusterId: id },
          statistic,
          period,
        }),
      ]),
    );
    // The primary role moves on failover, so no node id means "primary": watch the worst node.
    return new cloudwatch.MathExpression({
      expression: `MAX([${Object.keys(nodes).join(', ')}])`,
      usingMetrics: nodes,
      period,
      label: `${metricName} (worst node)`,
    });
  };
  const waf = (metricName: string) =>
    new cloudwatch.Metric({
      namespace: 'AWS/WAFV2',
      metricName,
      dimensionsMap: { WebACL: sources.webAclName, Region: sources.region, Rule: 'ALL' },
      statistic: 'Sum',
      period: FIVE_MINUTES,
    });

  return {
    latencyP50: latency('p50'),
    latencyP95: latency('p95'),
    latencyP99: latency('p99'),
    requests,
    target5xx,
    elb5xx,
    target4xx: alb.httpCodeTarget(elbv2.HttpCodeTarget.TARGET_4XX_COUNT, { statistic: 'Sum', period: MINUTE }),
    // 5xx metrics have no datapoint in a minute without errors, hence FILL. A 503 for lack of a
    // healthy target never reaches a target and is not in RequestCount, so ELB 5xx also count in
    // the denominator (this understates the rate a little when a target answered and the ALB
    // still returned 502/504). No requests at all: 0 %, never a division by zero.
    errorRatePercent: new cloudwatch.MathExpression({
      expression:
        'IF((FILL(requests, 0) + FILL(elb5xx, 0)) > 0, 100 * (FILL(target5xx, 0) + FILL(elb5xx, 0)) / (FILL(requests, 0) + FILL(elb5xx, 0)), 0)',
      usingMetrics: { requests, target5xx, elb5xx },
      period: MINUTE,
      label: '5xx error rate (%)',
    }),
    healthyTargets: tg.healthyHostCount({ statistic: 'Minimum', period: MINUTE }),
    unhealthyTargets: tg.unhealthyHostCount({ statistic: 'Maximum', period: MINUTE }),
    // CPU is load, so the average over tasks; memory leaks happen in one task, so the fullest.
    serviceCpu: service.metricCpuUtilization({ statistic: 'Average', period: MINUTE }),
    serviceMemory: service.metricMemoryUtilization({ statistic: 'Maximum', period: MINUTE }),
    databaseConnections: database.metricDatabaseConnections({ statistic: 'Maximum', period: MINUTE }),
    databaseFreeStorageBytes: database.metricFreeStorageSpace({ statistic: 'Minimum', period: FIVE_MINUTES }),
    databaseCpu: database.metricCPUUtilization({ statistic: 'Average', period: MINUTE }),
    databaseFreeableMemoryBytes: database.metricFreeableMemory({ statistic: 'Minimum', period: MINUTE }),
    cacheEvictions: cacheNodes('evictions', 'Evictions', 'Sum', FIVE_MINUTES),
    cacheMemoryPercent: cacheNodes('memory', 'DatabaseMemoryUsagePercentage', 'Maximum', MINUTE),
    cacheEngineCpuPercent: cacheNodes('cpu', 'EngineCPUUtilization', 'Average', MINUTE),
    wafBlockedRequests: waf('BlockedRequests'),
    wafAllowedRequests: waf('AllowedRequests'),
    ...(sources.databaseProxyName === undefined ? {} : { databaseProxy: proxyMetrics(sources.databaseProxyName) }),
  };
}

function proxyMetrics(proxyName: string): DatabaseProxyMetrics {
  const proxy = (metricName: string, statistic: string) =>
    new cloudwatch.Metric({
      namespace: 'AWS/RDS',
      metricName,
      dimensionsMap: { ProxyName: proxyName },
      statistic,
      period: MINUTE,
    });
  // The RDS Proxy monitoring guide reads these counts, reported every minute, with Sum. A graph of
  // a week or more widens the period and would sum many minutes, so divide by the minutes summed.
  // `id` names the metric inside its expression, unique within the graph they share.
  const count = (id: string, metricName: string) =>
    new cloudwatch.MathExpression({
      expression: `${id} / (PERIOD(${id}) / 60)`,
      usingMetrics: { [id]: proxy(metricName, 'Sum') },
      period: MINUTE,
      label: metricName,
    });
  return {
    clientConnections: count('clients', 'ClientConnections'),
    databaseConnections: count('database', 'DatabaseConnections'),
    pinnedConnections: count('pinned', 'DatabaseConnectionsCurrentlySessionPinned'),
    borrowLatencyMicroseconds: proxy('DatabaseConnectionsBorrowLatency', 'Average'),
  };
}
