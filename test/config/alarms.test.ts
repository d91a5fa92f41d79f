import type { AlarmsConfig } from '../../lib/config/alarms';
import { dev, prod } from '../../lib/config/environments';
import type { EnvironmentConfig } from '../../lib/config/types';
import { environmentProblems } from '../../lib/config/validate';

/** `base` with its alarms replaced by `change(base.alarms)`. */
function withAlarms(base: EnvironmentConfig, change: (alarms: AlarmsConfig) => AlarmsConfig): EnvironmentConfig {
  return { ...base, alarms: change(base.alarms) };
}

describe('the example alarm configuration', () => {
  test("carries the seeds' thresholds", () => {
    const { api, database, cache } = prod.alarms;
    expect([
      api.latencyP95Seconds.threshold,
      api.errorRatePercent.threshold,
      api.cpuPercent.threshold,
      api.memoryPercent.threshold,
      database.connectionsPercentOfMax.threshold,
      database.freeStoragePercent.threshold,
      cache.evictions.threshold,
    ]).toEqual([1, 1, 80, 85, 80, 20, 0]);
  });
});

describe('checkAlarms rejects', () => {
  const cases: [string, EnvironmentConfig, string][] = [
    [
      'a malformed email',
      withAlarms(dev, (a) => ({ ...a, notificationEmails: ['oncall.example.com'] })),
      "[dev] alarms.notificationEmails[] must be an email address such as 'oncall@example.com', got: 'oncall.example.com'",
    ],
    [
      'an email listed twice',
      withAlarms(dev, (a) => ({ ...a, notificationEmails: ['a@example.com', 'a@example.com'] })),
      '[dev] alarms.notificationEmails must be free of duplicates, got: ["a@example.com"]',
    ],
    [
      'a production environment nobody is notified about',
      withAlarms(prod, (a) => ({ ...a, notificationEmails: [] })),
      '[prod] alarms.notificationEmails must be at least one address in a production environment',
    ],
    [
      'a percentage over 100',
      withAlarms(dev, (a) => ({ ...a, api: { ...a.api, cpuPercent: { threshold: 120, evaluationPeriods: 5 } } })),
      '[dev] alarms.api.cpuPercent.threshold must be a percentage above 0 and below 100, got: 120',
    ],
    [
      'a negative percentage',
      withAlarms(dev, (a) => ({
        ...a,
        database: { ...a.database, freeStoragePercent: { threshold: -5, evaluationPeriods: 1 } },
      })),
      '[dev] alarms.database.freeStoragePercent.threshold must be a percentage above 0 and below 100, got: -5',
    ],
    [
      'a negative eviction count',
      withAlarms(dev, (a) => ({ ...a, cache: { ...a.cache, evictions: { threshold: -1, evaluationPeriods: 1 } } })),
      '[dev] alarms.cache.evictions.threshold must be a whole count in 0..1000000000, got: -1',
    ],
    [
      'a fractional blocked-request count',
      withAlarms(dev, (a) => ({ ...a, wafBlockedRequests: { threshold: 10.5, evaluationPeriods: 1 } })),
      '[dev] alarms.wafBlockedRequests.threshold must be a whole count in 0..1000000000, got: 10.5',
    ],
    [
      'a latency threshold the idle timeout makes unreachable',
      withAlarms(dev, (a) => ({ ...a, api: { ...a.api, latencyP95Seconds: { threshold: 90, evaluationPeriods: 5 } } })),
      '[dev] alarms.api.latencyP95Seconds.threshold must be a number of seconds above 0 and below edge.idleTimeoutSeconds (60)',
    ],
    [
      'a zero latency threshold',
      withAlarms(dev, (a) => ({ ...a, api: { ...a.api, latencyP95Seconds: { threshold: 0, evaluationPeriods: 5 } } })),
      '[dev] alarms.api.latencyP95Seconds.threshold must be a number of seconds above 0',
    ],
    [
      'no evaluation period',
      withAlarms(dev, (a) => ({ ...a, uptime: { evaluationPeriods: 0 } })),
      '[dev] alarms.uptime.evaluationPeriods must be an integer in 1..60, got: 0',
    ],
    [
      'a fractional evaluation period',
      withAlarms(dev, (a) => ({ ...a, api: { ...a.api, memoryPercent: { threshold: 85, evaluationPeriods: 2.5 } } })),
      '[dev] alarms.api.memoryPercent.evaluationPeriods must be an integer in 1..60, got: 2.5',
    ],
  ];

  test.each(cases)('%s', (_, env, message) => {
    const problems = environmentProblems(env);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(message);
  });

  test('every bad threshold at once, one message each', () => {
    const env = withAlarms(dev, (a) => ({
      ...a,
      api: { ...a.api, memoryPercent: { threshold: 0, evaluationPeriods: 5 } },
      cache: { ...a.cache, memoryPercent: { threshold: 100, evaluationPeriods: 5 } },
    }));
    expect(environmentProblems(env)).toEqual([
      '[dev] alarms.api.memoryPercent.threshold must be a percentage above 0 and below 100, got: 0',
      '[dev] alarms.cache.memoryPercent.threshold must be a percentage above 0 and below 100, got: 100',
    ]);
  });
});
