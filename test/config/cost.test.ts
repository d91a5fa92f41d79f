import { type UsageAssumptions, usageOf } from '../../lib/config/cost';
import { dev } from '../../lib/config/environments';
import { environmentProblems } from '../../lib/config/validate';

describe('cost config', () => {
  test('fills every usage assumption not given from the defaults', () => {
    expect(usageOf({ monthlyBudgetUsd: 10, usage: { natDataGb: 7 } })).toEqual({
      natDataGb: 7,
      requestsPerMonth: 1_000_000,
      albAverageLcu: 0.2,
      logIngestionGb: 5,
      interfaceEndpointDataGb: 10,
      databaseDailyChangePercent: 2,
      containerImageGbPerRepository: 2,
    });
  });

  test('reports the budget is not a positive amount', () => {
    expect(environmentProblems({ ...dev, cost: { monthlyBudgetUsd: 0 } })).toEqual([
      '[dev] cost.monthlyBudgetUsd must be a number of USD in 1..1000000, got: 0',
    ]);
  });

  test('reports a usage assumption is negative', () => {
    expect(environmentProblems({ ...dev, cost: { monthlyBudgetUsd: 100, usage: { natDataGb: -1 } } })).toEqual([
      '[dev] cost.usage.natDataGb must be a number >= 0, got: -1',
    ]);
  });

  test('reports a field that is not a usage assumption, naming those there are', () => {
    const usage = { natDataGB: 500 } as unknown as Partial<UsageAssumptions>;
    expect(environmentProblems({ ...dev, cost: { monthlyBudgetUsd: 100, usage } })).toEqual([
      "[dev] cost.usage must be made of the usage assumptions (natDataGb, requestsPerMonth, albAverageLcu, logIngestionGb, interfaceEndpointDataGb, databaseDailyChangePercent, containerImageGbPerRepository), got: 'natDataGB'",
    ]);
  });

  test.each([5, null, [1]])('reports usage %j is not an object of assumptions', (usage) => {
    const config = { monthlyBudgetUsd: 100, usage: usage as unknown as Partial<UsageAssumptions> };
    expect(environmentProblems({ ...dev, cost: config })).toEqual([
      `[dev] cost.usage must be an object of usage assumptions, got: ${JSON.stringify(usage)}`,
    ]);
  });

  test('reports a daily change given as a string once', () => {
    const usage = { databaseDailyChangePercent: '150' } as unknown as Partial<UsageAssumptions>;
    expect(environmentProblems({ ...dev, cost: { monthlyBudgetUsd: 100, usage } })).toEqual([
      "[dev] cost.usage.databaseDailyChangePercent must be a number >= 0, got: '150'",
    ]);
  });

  test('reports the daily change is more than 100 %', () => {
    expect(
      environmentProblems({ ...dev, cost: { monthlyBudgetUsd: 100, usage: { databaseDailyChangePercent: 150 } } }),
    ).toEqual(['[dev] cost.usage.databaseDailyChangePercent must be a percentage in 0..100, got: 150']);
  });
});
