import { dev, prod } from '../../lib/config/environments';
import type { EnvironmentConfig } from '../../lib/config/types';
import { environmentProblems } from '../../lib/config/validate';
import { variant } from '../support/variant';

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
      variant(dev, { alarms: { notificationEmails: ['oncall.example.com'] } }),
      "[dev] alarms.notificationEmails[] must be an email address such as 'oncall@example.com', got: 'oncall.example.com'",
    ],
    [
      'an email listed twice',
      variant(dev, { alarms: { notificationEmails: ['a@example.com', 'a@example.com'] } }),
      '[dev] alarms.notificationEmails must be free of duplicates, got: ["a@example.com"]',
    ],
    [
      'a production environment nobody is notified about',
      variant(prod, { alarms: { notificationEmails: [] } }),
      '[prod] alarms.notificationEmails must be at least one address in a production environment',
    ],
    [
      'a percentage over 100',
      variant(dev, { alarms: { api: { cpuPercent: { threshold: 120 } } } }),
      '[dev] alarms.api.cpuPercent.threshold must be a percentage above 0 and below 100, got: 120',
    ],
    [
      'a negative percentage',
      variant(dev, { alarms: { database: { freeStoragePercent: { threshold: -5 } } } }),
      '[dev] alarms.database.freeStoragePercent.threshold must be a percentage above 0 and below 100, got: -5',
    ],
    [
      'a negative eviction count',
      variant(dev, { alarms: { cache: { evictions: { threshold: -1 } } } }),
      '[dev] alarms.cache.evictions.threshold must be a whole count in 0..1000000000, got: -1',
    ],
    [
      'a fractional blocked-request count',
      variant(dev, { alarms: { wafBlockedRequests: { threshold: 10.5 } } }),
      '[dev] alarms.wafBlockedRequests.threshold must be a whole count in 0..1000000000, got: 10.5',
    ],
    [
      'a latency threshold the idle timeout makes unreachable',
      variant(dev, { alarms: { api: { latencyP95Seconds: { threshold: 90 } } } }),
      '[dev] alarms.api.latencyP95Seconds.threshold must be a number of seconds above 0 and below edge.idleTimeoutSeconds (60)',
    ],
    [
      'a zero latency threshold',
      variant(dev, { alarms: { api: { latencyP95Seconds: { threshold: 0 } } } }),
      '[dev] alarms.api.latencyP95Seconds.threshold must be a number of seconds above 0',
    ],
    [
      'no evaluation period',
      variant(dev, { alarms: { uptime: { evaluationPeriods: 0 } } }),
      '[dev] alarms.uptime.evaluationPeriods must be an integer in 1..60, got: 0',
    ],
    [
      'a fractional evaluation period',
      variant(dev, { alarms: { api: { memoryPercent: { evaluationPeriods: 2.5 } } } }),
      '[dev] alarms.api.memoryPercent.evaluationPeriods must be an integer in 1..60, got: 2.5',
    ],
  ];

  test.each(cases)('%s', (_, env, message) => {
    const problems = environmentProblems(env);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(message);
  });

  test('every bad threshold at once, one message each', () => {
    const env = variant(dev, {
      alarms: { api: { memoryPercent: { threshold: 0 } }, cache: { memoryPercent: { threshold: 100 } } },
    });
    expect(environmentProblems(env)).toEqual([
      '[dev] alarms.api.memoryPercent.threshold must be a percentage above 0 and below 100, got: 0',
      '[dev] alarms.cache.memoryPercent.threshold must be a percentage above 0 and below 100, got: 100',
    ]);
  });
});
