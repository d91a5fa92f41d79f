import { visitImports, visitReferences } from '../template-references';
import type { CfnTemplate, StackReview } from './analyze';
import type { SynthesizedStack } from './assembly';

/**
 * An export that the deploy would change or remove while a deployed stack imports it. CloudFormation
 * refuses both ("Cannot update export ... as it is in use by ..."), so the exporting stack's update
 * fails and rolls back: the template diff alone does not show it, because the importing stack's
 * template names only the export.
 */
export interface ExportInUse {
  /** `<stage>/<stack>` of the stack that exports the value. */
  readonly exporter: string;
  readonly exportName: string;
  /** `removed`: gone from the exporter's template; `changes`/`may-change`: its value does (or may). */
  readonly change: 'removed' | 'changes' | 'may-change';
  /** Why the value changes, e.g. `NetworkVpcPrivateSubnet1Subnet5E5AEA3F is replaced`. */
  readonly reason: string;
  /** Stacks of the base that import it. */
  readonly importers: readonly string[];
  /**
   * Importers whose new template no longer imports it and imports nothing that is not deployed
   * yet: each can be deployed alone first, which clears the way.
   */
  readonly releasedBy: readonly string[];
  /** Some deploy order works: every importer can let go of it and be deployed first. */
  readonly wayThrough: boolean;
  /** Importers no longer in the app but still deployed: only deleting them clears the way. */
  readonly leftTheApp: readonly string[];
}

interface Output {
  readonly Value?: unknown;
  readonly Export?: { readonly Name?: unknown };
}

/** Export name → output value, for the exports with a literal name (CDK's always have one). */
function exportsOf(template: CfnTemplate | undefined): Map<string, unknown> {
  const found = new Map<string, unknown>();
  for (const output of Object.values((template?.Outputs ?? {}) as Record<string, Output>)) {
    if (typeof output.Export?.Name === 'string') found.set(output.Export.Name, output.Value);
  }
  return found;
}

/** The names of every export `value` imports, at any depth. */
function importsOf(value: unknown): Set<string> {
  const found = new Set<string>();
  visitImports(value, (name) => found.add(name));
  return found;
}

/** How a deploy changes an exported value: by its own text, or by a resource it refers to. */
function valueChange(
  before: unknown,
  after: unknown,
  review: StackReview | undefined,
): Pick<ExportInUse, 'change' | 'reason'> | undefined {
  if (JSON.stringify(before) !== JSON.stringify(after)) return { change: 'changes', reason: 'its value is different' };
  const resources = new Map((review?.resources ?? []).map((resource) => [resource.logicalId, resource]));
  let found: Pick<ExportInUse, 'change' | 'reason'> | undefined;
  visitReferences(after, (target) => {
    const resource = resources.get(target);
    // A routine replacement (a new task definition revision) is shown as an update; its id changes
    // all the same.
    const kind = resource?.routine ?? resource?.kind;
    if (kind === 'replaced' && found?.change !== 'changes')
      found = { change: 'changes', reason: `${target} is replaced` };
    if (kind === 'may-replace' && !found) found = { change: 'may-change', reason: `${target} may be replaced` };
  });
  return found;
}

/**
 * The exports of `base` stacks that `current` changes or removes while another `base` stack
 * imports them. A stack that left the app is not deployed, so its exports stay as they are.
 * Only the stacks given are read: with `--env`, imports across environments would be missed, which
 * Berth never makes (each environment has its own account; the CI and Uptime stacks import nothing).
 */
export function exportsInUse(
  base: readonly SynthesizedStack[],
  current: readonly SynthesizedStack[],
  reviews: readonly StackReview[],
): ExportInUse[] {
  const currentById = new Map(current.map((stack) => [stack.stackId, stack]));
  const reviewById = new Map(reviews.map((review) => [review.stackId, review]));
  const importsBefore = base.map((stack) => ({ stackId: stack.stackId, names: importsOf(stack.template) }));
  const importsAfter = new Map(current.map((stack) => [stack.stackId, importsOf(stack.template)]));
  const deployed = new Set(base.flatMap((stack) => [...exportsOf(stack.template).keys()]));
  /** Deploying `stackId` alone succeeds only if everything its new template imports is deployed. */
  const canGoFirst = (stackId: string, exportName: string) => {
    const imports = importsAfter.get(stackId);
    return imports !== undefined && !imports.has(exportName) && [...imports].every((name) => deployed.has(name));
  };
  const found: ExportInUse[] = [];
  for (const stack of base) {
    const after = currentById.get(stack.stackId);
    if (!after) continue;
    const exportsAfter = exportsOf(after.template);
    for (const [exportName, value] of exportsOf(stack.template)) {
      const importers = importsBefore.filter((s) => s.names.has(exportName)).map((s) => s.stackId);
      if (importers.length === 0) continue;
      const change = exportsAfter.has(exportName)
        ? valueChange(value, exportsAfter.get(exportName), reviewById.get(stack.stackId))
        : { change: 'removed' as const, reason: 'the output is no longer in the template' };
      if (!change) continue;
      const releasedBy = importers.filter((id) => canGoFirst(id, exportName));
      const wayThrough = releasedBy.length === importers.length;
      const leftTheApp = importers.filter((id) => !importsAfter.has(id));
      found.push({ exporter: stack.stackId, exportName, ...change, importers, releasedBy, wayThrough, leftTheApp });
    }
  }
  return found;
}
