import type { CloudAssembly, NestedCloudAssemblyArtifact } from 'aws-cdk-lib/cx-api';
import { type CostConfig, usageOf } from '../config/cost';
import { type CostEstimate, type CostLine, estimateCost } from './estimate';
import type { CfnTemplate } from './template';

/** The estimate of one stage in a cloud assembly, or why there is none. */
export interface StageEstimate {
  readonly environment: string;
  readonly estimate?: CostEstimate;
  /** Set instead of `estimate` when the stage cannot be priced (e.g. a region without prices). */
  readonly error?: string;
  /** The configured budget, when the environment has a config. */
  readonly monthlyBudgetUsd?: number;
}

/** What the estimate needs from an environment's config, looked up by stage name. */
export interface CostSettings {
  readonly name: string;
  /**
   * The environment's own region, where environment-wide usage such as log ingestion is priced.
   * @default - the region of the stage's first stack
   */
  readonly region?: string;
  /**
   * Budget and usage assumptions.
   * @default - no budget, DEFAULT_USAGE
   */
  readonly cost?: CostConfig;
}

/** The stages (environments) of a cloud assembly in the order of the config, the deploy order; unknown ones last. */
export function stagesInConfigOrder(
  assembly: CloudAssembly,
  environments: readonly { readonly name: string }[],
): NestedCloudAssemblyArtifact[] {
  const order = (name: string) => {
    const index = environments.findIndex((env) => env.name === name);
    return index === -1 ? environments.length : index;
  };
  return [...assembly.nestedAssemblies].sort((a, b) => order(a.displayName) - order(b.displayName));
}

/**
 * Estimates every stage (environment) of a cloud assembly: the templates of all its stacks, each
 * at its own region's prices, with the usage assumptions of the environment of that name.
 */
export function estimateAssembly(assembly: CloudAssembly, environments: readonly CostSettings[]): StageEstimate[] {
  return stagesInConfigOrder(assembly, environments).map((artifact) => {
    const stage = artifact.nestedAssembly;
    const environment = artifact.displayName;
    const config = environments.find((env) => env.name === environment);
    const region = config?.region ?? stage.stacks[0]?.environment.region ?? 'unknown';
    try {
      const estimate = estimateCost({
        environment,
        region,
        stacks: stage.stacks.map((stack) => ({
          region: stack.environment.region,
          template: stack.template as CfnTemplate,
        })),
        usage: usageOf(config?.cost),
      });
      return { environment, estimate, monthlyBudgetUsd: config?.cost?.monthlyBudgetUsd };
    } catch (error) {
      return { environment, error: error instanceof Error ? error.message : String(error) };
    }
  });
}

const dollars = (value: number): string => `$${value.toFixed(2)}`;

/** One line: the total at minimum tasks, at maximum tasks, and against the budget. */
export function totalLine(stage: StageEstimate): string {
  const { estimate, monthlyBudgetUsd: budget } = stage;
  if (!estimate) return `estimate unavailable: ${stage.error}`;
  const range =
    Math.abs(estimate.totalAtMaxUsd - estimate.totalUsd) < 0.005
      ? dollars(estimate.totalUsd)
      : `${dollars(estimate.totalUsd)} (at max tasks ${dollars(estimate.totalAtMaxUsd)})`;
  const vsBudget =
    budget === undefined
      ? ''
      : `, budget ${dollars(budget)}: ${estimate.totalUsd <= budget ? 'within' : 'OVER'}${estimate.totalAtMaxUsd > budget && estimate.totalUsd <= budget ? ' (over at max tasks)' : ''}`;
  return `~${range}/month${vsBudget}`;
}

/** The itemized estimate of one stage as printed by `npm run cost`. */
export function formatStage(stage: StageEstimate): string[] {
  const { estimate } = stage;
  if (!estimate) return [`${stage.environment}: ${totalLine(stage)}`];
  const out = [`${estimate.environment}  (${estimate.region})`];
  const label = (line: CostLine) => (line.region === estimate.region ? line.item : `${line.item} (${line.region})`);
  const width = Math.max(...estimate.lines.map((line) => label(line).length), 10);
  for (const line of estimate.lines) {
    const max = Math.abs(line.atMaxUsd - line.monthlyUsd) >= 0.005 ? `  (at max ${dollars(line.atMaxUsd)})` : '';
    out.push(`  ${label(line).padEnd(width)}  ${dollars(line.monthlyUsd).padStart(9)}${max}   ${line.detail}`);
  }
  out.push(`  ${'total'.padEnd(width)}  ${totalLine(stage)}`);
  const list = (counts: Readonly<Record<string, number>>) =>
    Object.entries(counts)
      .map(([type, n]) => `${type} ×${n}`)
      .join(', ');
  if (Object.keys(estimate.usageBased).length > 0) {
    out.push(`  billed per use, not in the total: ${list(estimate.usageBased)}`);
  }
  out.push(
    `  not priced: ${Object.keys(estimate.notPriced).length > 0 ? `${list(estimate.notPriced)} (check these by hand)` : 'none'}`,
  );
  for (const note of estimate.notes) out.push(`  note: ${note}`);
  const usage = Object.entries(estimate.usage)
    .map(([key, value]) => `${key}=${value}`)
    .join(', ');
  out.push(`  assumptions: ${usage}`);
  return out;
}

/** The footer every report ends with: where prices come from and what is never included. */
export function pricesFooter(estimate: CostEstimate | undefined): string[] {
  if (!estimate) return [];
  return [
    `Prices: ${estimate.pricesSource}, ${estimate.pricesAsOf}. On-demand, 730 h/month, no free tier, no`,
    'savings plans or reservations, no tax; data transfer out to the internet and per-request charges',
    '(Lambda, S3, SNS, KMS and Secrets Manager API calls) are not included.',
  ];
}
