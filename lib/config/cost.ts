import { show } from './problems';
import type { EnvironmentConfig } from './types';
import type { ProblemList } from './validate';

/**
 * Usage the cost estimate cannot read from a template: how much traffic, log volume and data an
 * environment sees in a month. Each figure is an assumption to replace with your own numbers
 * (Cost Explorer after the first month is the best source).
 */
export interface UsageAssumptions {
  /** Data through the NAT gateways per month, in GB (image pulls, third-party APIs, package installs). */
  readonly natDataGb: number;
  /** HTTP requests per month reaching the load balancer and WAF. */
  readonly requestsPerMonth: number;
  /** Average load balancer capacity units used per hour (1 LCU = 25 new connections/s or 1 GB/h). */
  readonly albAverageLcu: number;
  /** CloudWatch Logs ingested per month, in GB: application, flow, WAF, database and cache logs. */
  readonly logIngestionGb: number;
  /** Data through interface VPC endpoints per month, in GB. */
  readonly interfaceEndpointDataGb: number;
  /** Share of the database that changes per day, in percent: sizes the incremental backups. */
  readonly databaseDailyChangePercent: number;
  /** Image data kept per ECR repository, in GB. */
  readonly containerImageGbPerRepository: number;
}

/** What an environment may cost, and the usage its estimate assumes. */
export interface CostConfig {
  /** Monthly AWS Budgets limit in USD; alerts at 80 % of actual and 100 % of forecast spend. */
  readonly monthlyBudgetUsd: number;
  /**
   * Usage assumptions of the cost estimate (`npm run cost`), field by field.
   * @default - `DEFAULT_USAGE` for every field not given
   */
  readonly usage?: Partial<UsageAssumptions>;
  /**
   * What the budget counts: every cost of the account, or only the costs tagged with
   * `berth:environment` = the environment's name (for an account several environments share;
   * every resource of the environment then carries that tag, and it must be activated as a cost
   * allocation tag in the Billing console).
   * @default 'account'
   */
  readonly budgetScope?: 'account' | 'environment';
}

/**
 * The tag that marks every resource of an environment whose budget is scoped to it, and that its
 * budget counts; none when the budget counts the whole account.
 */
export function budgetTagOf(env: EnvironmentConfig): { readonly key: string; readonly value: string } | undefined {
  return env.cost.budgetScope === 'environment' ? { key: 'berth:environment', value: env.name } : undefined;
}

/** A small team's dev-sized month; production environments should state their own figures. */
export const DEFAULT_USAGE: UsageAssumptions = {
  natDataGb: 20,
  requestsPerMonth: 1_000_000,
  albAverageLcu: 0.2,
  logIngestionGb: 5,
  interfaceEndpointDataGb: 10,
  databaseDailyChangePercent: 2,
  containerImageGbPerRepository: 2,
};

/** The assumptions of `cost` with every missing field taken from `DEFAULT_USAGE`. */
export function usageOf(cost: CostConfig | undefined): UsageAssumptions {
  return { ...DEFAULT_USAGE, ...cost?.usage };
}

/**
 * Environments that share an account with another and budget for the whole account: each such
 * budget would count the others' costs too.
 */
export function sharedAccountBudgetProblems(environments: readonly EnvironmentConfig[]): string[] {
  const problems: string[] = [];
  for (const env of environments) {
    const others = environments.filter((other) => other !== env && other.account === env.account);
    const scope = env.cost?.budgetScope;
    if (others.length === 0 || (scope ?? 'account') !== 'account') continue;
    const names = others.map((other) => other.name).join(', ');
    problems.push(
      `[${env.name}] cost.budgetScope must be 'environment' when ${names} share${others.length === 1 ? 's' : ''} account ${env.account} (an account-wide budget counts their costs too), got: ${scope === undefined ? "nothing (default 'account')" : show(scope)}`,
    );
  }
  return problems;
}

/** Checks the `cost` config of one environment into `problems`. */
export function checkCost(cost: CostConfig, problems: ProblemList): void {
  const budget = cost.monthlyBudgetUsd;
  problems.check(
    Number.isFinite(budget) && budget >= 1 && budget <= 1_000_000,
    'cost.monthlyBudgetUsd',
    'a number of USD in 1..1000000',
    budget,
  );
  if (cost.budgetScope !== undefined) {
    problems.oneOf('cost.budgetScope', cost.budgetScope, ['account', 'environment'] as const);
  }
  // Synth does not check types: a misspelled field would otherwise leave its default in force.
  const usage: unknown = cost.usage;
  if (usage === undefined) return;
  if (typeof usage !== 'object' || usage === null || Array.isArray(usage)) {
    problems.add('cost.usage', 'an object of usage assumptions', usage);
    return;
  }
  const fields = Object.keys(DEFAULT_USAGE);
  for (const [field, value] of Object.entries(usage)) {
    if (!fields.includes(field)) {
      problems.add('cost.usage', `made of the usage assumptions (${fields.join(', ')})`, field);
    } else if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
      problems.add(`cost.usage.${field}`, 'a number >= 0', value);
    } else if (field === 'databaseDailyChangePercent') {
      problems.check(value <= 100, `cost.usage.${field}`, 'a percentage in 0..100', value);
    }
  }
}
