import { DEFAULT_USAGE, usageOf } from '../../lib/config/cost';
import { dev } from '../../lib/config/environments';
import { environmentProblems } from '../../lib/config/validate';

describe('cost config', () => {
  test('fills every usage assumption not given from the defaults', () => {
    expect(usageOf({ monthlyBudgetUsd: 10, usage: { natDataGb: 7 } })).toEqual({ ...DEFAULT_USAGE, natDataGb: 7 });
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

  test('reports the daily change is more than 100 %', () => {
    expect(
      environmentProblems({ ...dev, cost: { monthlyBudgetUsd: 100, usage: { databaseDailyChangePercent: 150 } } }),
    ).toEqual(['[dev] cost.usage.databaseDailyChangePercent must be a percentage in 0..100, got: 150']);
  });
});
