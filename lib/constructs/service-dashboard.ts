import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';
import type { ServiceMetrics } from './service-metrics';

export interface ServiceDashboardProps {
  /** The dashboard's name, e.g. `berth-prod`. */
  readonly dashboardName: string;
  readonly metrics: ServiceMetrics;
  /** Shown in the alarm status widget at the top. */
  readonly alarms: readonly cloudwatch.IAlarm[];
  /**
   * Alarms in other regions (the uptime alarm lives in us-east-1), shown as graphs with their
   * threshold since the status widget lists alarms of the dashboard's region.
   * @default - none
   */
  readonly remoteAlarms?: readonly {
    readonly alarm: cloudwatch.IAlarm;
    readonly region: string;
    readonly title: string;
  }[];
}

const WIDTH = 8;
const HEIGHT = 6;

/**
 * One CloudWatch dashboard per environment: alarm states on top, then latency percentiles,
 * traffic, errors, saturation (service CPU and memory, database connections, cache memory),
 * task and target counts, the WAF, the RDS Proxy when there is one, then alarms from other
 * regions.
 */
export class ServiceDashboard extends Construct {
  readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: ServiceDashboardProps) {
    super(scope, id);
    const m = props.metrics;
    const graph = (title: string, left: cloudwatch.IMetric[], right: cloudwatch.IMetric[] = []) =>
      new cloudwatch.GraphWidget({ title, left, right, width: WIDTH, height: HEIGHT });

    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName: props.dashboardName,
    });
    this.dashboard.addWidgets(
      new cloudwatch.AlarmStatusWidget({
        title: 'Alarms',
        alarms: [...props.alarms],
        width: 24,
        height: 4,
        sortBy: cloudwatch.AlarmStatusWidgetSortBy.STATE_UPDATED_TIMESTAMP,
      }),
    );
    this.dashboard.addWidgets(
      graph(
        'Latency (s): p50, p95, p99',
        [m.latencyP50, m.latencyP95, m.latencyP99].map((metric) => metric.with({ label: metric.statistic })),
      ),
      graph('Traffic: requests per minute', [m.requests], [m.wafBlockedRequests]),
      graph('Errors', [m.target5xx, m.elb5xx, m.target4xx], [m.errorRatePercent]),
    );
    this.dashboard.addWidgets(
      graph('Service CPU and memory (%)', [m.serviceCpu, m.serviceMemory]),
      graph('Database: connections, CPU (%)', [m.databaseConnections], [m.databaseCpu]),
      graph('Database: free storage and freeable memory (bytes)', [
        m.databaseFreeStorageBytes,
        m.databaseFreeableMemoryBytes,
      ]),
    );
    this.dashboard.addWidgets(
      graph(
        'Cache: memory and engine CPU (%), evictions',
        [m.cacheMemoryPercent, m.cacheEngineCpuPercent],
        [m.cacheEvictions],
      ),
      graph('Tasks behind the load balancer: healthy and unhealthy', [m.healthyTargets, m.unhealthyTargets]),
      graph('WAF: allowed and blocked per 5 minutes', [m.wafAllowedRequests, m.wafBlockedRequests]),
    );
    if (m.databaseProxy) {
      const proxy = m.databaseProxy;
      this.dashboard.addWidgets(
        graph('RDS Proxy: client, database and pinned connections', [
          proxy.clientConnections,
          proxy.databaseConnections,
          proxy.pinnedConnections,
        ]),
        graph('RDS Proxy: wait for a database connection (µs)', [proxy.borrowLatencyMicroseconds]),
      );
    }
    for (const remote of props.remoteAlarms ?? []) {
      this.dashboard.addWidgets(
        new cloudwatch.AlarmWidget({
          title: remote.title,
          alarm: remote.alarm,
          region: remote.region,
          width: 24,
          height: 4,
        }),
      );
    }
  }
}
