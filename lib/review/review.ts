import { isDestructive, type ResourceReview, reviewStack, type StackReview } from './analyze';
import type { SynthesizedStack } from './assembly';
import { type ExportInUse, exportsInUse } from './exports';
import { STATEFUL_RESOURCE_TYPES } from './stateful';

export interface ReviewOptions {
  /**
   * Destructive changes to stateful resources that are intended: a logical id (any stack) or
   * `<stage>/<stack>/<logicalId>` (that stack only); or the name of an export in use whose
   * importers you will remove first.
   * @default - none: every such change blocks
   */
  readonly allow?: readonly string[];
  /**
   * Only these environments (stage names, or ids of stacks outside any stage).
   * @default - every environment
   */
  readonly environments?: readonly string[];
}

/** A destructive change to a stateful resource. */
export interface StatefulChange {
  readonly stackId: string;
  readonly resource: ResourceReview;
  /** What is lost, from `STATEFUL_RESOURCE_TYPES`. */
  readonly holds: string;
}

export interface ReleaseReview {
  /** Environments in app order, each with its stacks. */
  readonly environments: readonly { readonly name: string; readonly stacks: readonly StackReview[] }[];
  /** Stateful resources that would lose data (see `isDestructive`) without `--allow`: the release must not go out. */
  readonly blocking: readonly StatefulChange[];
  /** Stateful resources that would lose data, let through by `--allow`. */
  readonly allowed: readonly StatefulChange[];
  /** `--allow` entries that matched no destructive change (a typo, or a change that went away). */
  readonly unusedAllows: readonly string[];
  /** Exports changed or removed (or that may change) while another stack imports them. */
  readonly exportsInUse: readonly ExportInUse[];
  /**
   * Those on which the deploy fails whatever the order, without `--allow` of their name: a value
   * that certainly changes, or a removal whose importers cannot let go first. (One that only may
   * change, or whose importers can be deployed first, is a warning.)
   */
  readonly blockingExports: readonly ExportInUse[];
  /** Exports in use that `--allow` let through (their importers are to be removed first). */
  readonly allowedExports: readonly ExportInUse[];
  /**
   * Stacks to deploy alone (`cdk deploy --exclusively`) before the rest, so they let go of
   * exports the rest removes or changes: the order the release action follows.
   */
  readonly deployFirst: readonly string[];
}

/** Compares the stacks of two synthesized apps, matched by `<stage>/<stack>`. */
export function reviewRelease(
  base: readonly SynthesizedStack[],
  current: readonly SynthesizedStack[],
  options: ReviewOptions = {},
): ReleaseReview {
  const wanted = (stack: SynthesizedStack) =>
    options.environments === undefined || options.environments.includes(stack.environment);
  const baseById = new Map(base.filter(wanted).map((stack) => [stack.stackId, stack]));
  const currentById = new Map(current.filter(wanted).map((stack) => [stack.stackId, stack]));
  const order = [...new Set([...currentById.values(), ...baseById.values()].map((stack) => stack.environment))];
  const stackIds = [...new Set([...currentById.keys(), ...baseById.keys()])];

  const environments = order.map((name) => ({
    name,
    stacks: stackIds
      .map((id) => ({ id, stack: currentById.get(id) ?? baseById.get(id) }))
      .filter(({ stack }) => stack?.environment === name)
      .map(({ id }) => reviewStack(name, id, baseById.get(id)?.template, currentById.get(id)?.template)),
  }));

  const allow = options.allow ?? [];
  const used = new Set<string>();
  const blocking: StatefulChange[] = [];
  const allowed: StatefulChange[] = [];
  for (const stack of environments.flatMap((env) => env.stacks)) {
    for (const resource of stack.resources) {
      if (!resource.stateful || !isDestructive(resource.kind)) continue;
      const change = { stackId: stack.stackId, resource, holds: STATEFUL_RESOURCE_TYPES.get(resource.type) ?? '' };
      // A stack that left the app is allowed whole (its id), as removing an environment is.
      const match = allow.filter(
        (entry) =>
          entry === resource.logicalId ||
          entry === `${stack.stackId}/${resource.logicalId}` ||
          (resource.kind === 'left-behind' && entry === stack.stackId),
      );
      for (const entry of match) used.add(entry);
      (match.length > 0 ? allowed : blocking).push(change);
    }
  }
  const inUse = exportsInUse(
    [...baseById.values()],
    [...currentById.values()],
    environments.flatMap((env) => env.stacks),
  );
  const certain = inUse.filter((entry) => entry.change !== 'may-change' && !entry.wayThrough);
  for (const entry of certain) if (allow.includes(entry.exportName)) used.add(entry.exportName);
  const allowedExports = certain.filter((entry) => allow.includes(entry.exportName));
  const blockingExports = certain.filter((entry) => !allow.includes(entry.exportName));
  const deployFirst = [...new Set(inUse.filter((entry) => entry.wayThrough).flatMap((entry) => entry.releasedBy))];
  return {
    environments,
    blocking,
    allowed,
    unusedAllows: allow.filter((entry) => !used.has(entry)),
    exportsInUse: inUse,
    blockingExports,
    allowedExports,
    deployFirst,
  };
}

/**
 * 1 when, without `--allow`, a stateful resource would lose data (see `isDestructive`) or the deploy would
 * fail on an export in use; else 0.
 */
export function exitCodeOf(review: ReleaseReview): number {
  return review.blocking.length > 0 || review.blockingExports.length > 0 ? 1 : 0;
}
