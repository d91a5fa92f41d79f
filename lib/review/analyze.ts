import { fullDiff, ResourceImpact, type TemplateDiff } from '@aws-cdk/cloudformation-diff';
// The specification lookup `fullDiff` itself uses; the package has no `exports` map, and
// test/review/analyze.test.ts fails if this moves.
import { loadResourceModel } from '@aws-cdk/cloudformation-diff/lib/diff/util';
import { withoutAssetHashes } from './assets';
import { referencesIn } from './references';
import { isStateful } from './stateful';

/** The parts of a CloudFormation template the review reads. */
export interface CfnTemplate {
  readonly Resources?: Readonly<Record<string, CfnTemplateResource>>;
  readonly Parameters?: Readonly<Record<string, unknown>>;
  readonly Outputs?: Readonly<Record<string, unknown>>;
  readonly [key: string]: unknown;
}

export interface CfnTemplateResource {
  readonly Type: string;
  readonly Properties?: Readonly<Record<string, unknown>>;
  readonly DeletionPolicy?: string;
  readonly UpdateReplacePolicy?: string;
  readonly [key: string]: unknown;
}

/**
 * What a deployment does to one resource. `replaced`, `may-replace`, `removed` and `orphaned` are
 * destructive: the running resource goes away (an orphaned one stays in the account but leaves
 * the stack), and with a stateful one its data. So are `overwritten` (an update in place that
 * writes a new value over a secret's current one), `shortened` (an update in place that shortens
 * how long logs or snapshots are kept, which deletes what is older) and `left-behind` (a resource of a stack
 * that left the app: `cdk deploy` leaves it deployed, and the app no longer uses it or its data).
 */
export type ChangeKind =
  | 'added'
  | 'updated'
  | 'overwritten'
  | 'shortened'
  | 'may-replace'
  | 'replaced'
  | 'removed'
  | 'orphaned'
  | 'left-behind';

const DESTRUCTIVE: readonly ChangeKind[] = [
  'overwritten',
  'shortened',
  'may-replace',
  'replaced',
  'removed',
  'orphaned',
  'left-behind',
];

/** Severity of the in-place kinds, so that what a reference drags along only ever escalates. */
const SEVERITY: Readonly<Record<ChangeKind, number>> = {
  added: 0,
  updated: 1,
  overwritten: 2,
  shortened: 2,
  'may-replace': 2,
  replaced: 3,
  removed: 3,
  orphaned: 3,
  'left-behind': 3,
};

/**
 * Properties whose change CloudFormation applies by writing a new value into the running
 * resource, losing the one it holds: a secret's `SecretString`, and `GenerateSecretString`, which
 * generates a new one (the value an operator set, or the password a database still uses).
 */
export const OVERWRITING_PROPERTIES: ReadonlyMap<string, readonly string[]> = new Map([
  ['AWS::SecretsManager::Secret', ['SecretString', 'GenerateSecretString']],
]);

/**
 * How long a resource keeps its data, in days or a count: lowering one deletes what is older at
 * once (log events, snapshots). A log group without `RetentionInDays` keeps its events forever.
 * An RDS `BackupRetentionPeriod` change needs no entry: the specification says it may replace the
 * instance, so it blocks as MAY BE REPLACED already.
 */
export const RETENTION_PROPERTIES: ReadonlyMap<string, string> = new Map([
  ['AWS::Logs::LogGroup', 'RetentionInDays'],
  ['AWS::ElastiCache::ReplicationGroup', 'SnapshotRetentionLimit'],
]);

/** Whether a retention goes from `before` to a shorter `after` (absent: forever, for log groups). */
function shortens(before: unknown, after: unknown): boolean {
  const days = (value: unknown) => (value === undefined ? Number.POSITIVE_INFINITY : Number(value));
  return days(after) < days(before);
}

export interface ResourceReview {
  readonly logicalId: string;
  readonly type: string;
  readonly kind: ChangeKind;
  /** Holds data (see `STATEFUL_RESOURCE_TYPES`). */
  readonly stateful: boolean;
  /** Why: the properties that change (and their impact), or the reference that drags it along. */
  readonly reasons: readonly string[];
  /**
   * For a routine replacement shown as `updated` (see `ROUTINE_REPLACEMENT`), what it really is:
   * its physical id changes (or may) all the same.
   * @default - not a routine replacement
   */
  readonly routine?: 'replaced' | 'may-replace';
}

export interface StackReview {
  /** The stage (environment) the stack belongs to, or its own id for a stack outside any stage. */
  readonly environment: string;
  /** `<stage>/<stack>`, as `cdk deploy` selects it. */
  readonly stackId: string;
  /** `new`: only in the working tree; `gone`: only in the base (`cdk deploy` leaves it deployed). */
  readonly status: 'new' | 'gone' | 'changed' | 'unchanged';
  readonly resources: readonly ResourceReview[];
  /** Resources whose only change is an asset hash (Lambda code, CDK-built images, asset parameters). */
  readonly assetOnly: readonly string[];
  /** Changed parameters and outputs, e.g. `Output ApiUrl`. */
  readonly other: readonly string[];
}

/** Whether a change removes the running resource (and, for a stateful one, its data). */
export function isDestructive(kind: ChangeKind): boolean {
  return DESTRUCTIVE.includes(kind);
}

/**
 * Types whose `Ref` (a name) can come back different after an in-place update: RDS and
 * ElastiCache normalize the names of subnet groups, and CloudFormation then treats the unchanged
 * `DBSubnetGroupName: {Ref}` of the instance as changed and replaces it. `cdk diff` shows nothing
 * for the instance; this is aws/aws-cdk#31426.
 */
export const REF_MAY_CHANGE_ON_UPDATE: ReadonlyMap<string, string> = new Map([
  ['AWS::RDS::DBSubnetGroup', 'aws/aws-cdk#31426'],
  ['AWS::ElastiCache::SubnetGroup', 'the ElastiCache analogue of aws/aws-cdk#31426'],
]);

/**
 * Types CloudFormation replaces on every change by design: each change is a new revision that the
 * resources referring to it move to (an ECS service rolls onto a new task definition when the
 * image tag changes). Shown as ordinary changes, not as replacements.
 */
export const ROUTINE_REPLACEMENT: ReadonlySet<string> = new Set([
  'AWS::ECS::TaskDefinition',
  'AWS::Lambda::Version',
  'AWS::ApiGateway::Deployment',
]);

interface Verdict {
  kind: ChangeKind;
  reasons: string[];
  routine?: 'replaced' | 'may-replace';
}

/**
 * Reviews one stack: `base` is the template deployed from the base ref (undefined for a new
 * stack), `current` the working tree's (undefined when the stack left the app).
 */
export function reviewStack(
  environment: string,
  stackId: string,
  base: CfnTemplate | undefined,
  current: CfnTemplate | undefined,
): StackReview {
  if (current === undefined) {
    // `cdk deploy` never deletes a stack that left the app, so nothing in it is touched; but the
    // app no longer uses what it holds (a renamed stack would come back empty under its new name).
    const resources = Object.entries(base?.Resources ?? {})
      .filter(([, resource]) => isStateful(resource.Type))
      .map(([logicalId, resource]) => ({
        logicalId,
        type: resource.Type,
        kind: 'left-behind' as const,
        stateful: true,
        reasons: ['its stack left the app: it stays deployed, and nothing in the app uses it or its data any more'],
      }))
      .sort((a, b) => a.logicalId.localeCompare(b.logicalId));
    return { environment, stackId, status: 'gone', resources, assetOnly: [], other: [] };
  }
  const before = base ?? {};
  const raw = fullDiff(before, current);
  const diff = fullDiff(withoutAssetHashes(before), withoutAssetHashes(current));

  const verdicts = new Map<string, Verdict>();
  diff.resources.forEachDifference((logicalId, change) => {
    if (!change.isDifferent) return;
    let kind = kindOf(change.changeImpact, change.isAddition);
    const overwriting = OVERWRITING_PROPERTIES.get(change.newResourceType ?? '') ?? [];
    if (kind === 'updated' && overwriting.some((name) => change.propertyUpdates[name]?.isDifferent)) {
      kind = 'overwritten';
    }
    const retention = RETENTION_PROPERTIES.get(change.newResourceType ?? '');
    const kept = retention ? change.propertyUpdates[retention] : undefined;
    if (kind === 'updated' && kept?.isDifferent && shortens(kept.oldValue, kept.newValue)) kind = 'shortened';
    verdicts.set(logicalId, { kind, reasons: reasonsOf(change) });
  });
  propagate(current, verdicts);
  for (const [logicalId, verdict] of verdicts) {
    const type = current.Resources?.[logicalId]?.Type;
    if (type && ROUTINE_REPLACEMENT.has(type) && (verdict.kind === 'replaced' || verdict.kind === 'may-replace')) {
      verdict.routine = verdict.kind;
      verdict.kind = 'updated';
      verdict.reasons.push('a new revision (routine)');
    }
  }

  const typeOf = (id: string) => current.Resources?.[id]?.Type ?? before.Resources?.[id]?.Type ?? 'unknown';
  const resources = [...verdicts.entries()]
    .map(([logicalId, verdict]) => ({
      logicalId,
      type: typeOf(logicalId),
      kind: verdict.kind,
      stateful: isStateful(typeOf(logicalId)),
      reasons: verdict.reasons,
      ...(verdict.routine ? { routine: verdict.routine } : {}),
    }))
    .sort((a, b) => a.logicalId.localeCompare(b.logicalId));
  const assetOnly = raw.resources.logicalIds.filter((id) => raw.resources.get(id).isDifferent && !verdicts.has(id));
  const other = [...otherChanges(diff)];
  const changed = resources.length > 0 || assetOnly.length > 0 || other.length > 0;
  return {
    environment,
    stackId,
    status: base === undefined ? 'new' : changed ? 'changed' : 'unchanged',
    resources,
    assetOnly: assetOnly.sort(),
    other,
  };
}

function kindOf(impact: ResourceImpact, isAddition: boolean): ChangeKind {
  switch (impact) {
    case ResourceImpact.WILL_CREATE:
    case ResourceImpact.WILL_IMPORT:
      return 'added';
    case ResourceImpact.WILL_REPLACE:
      return 'replaced';
    case ResourceImpact.MAY_REPLACE:
      return 'may-replace';
    case ResourceImpact.WILL_DESTROY:
      return 'removed';
    case ResourceImpact.WILL_ORPHAN:
      return 'orphaned';
    default:
      return isAddition ? 'added' : 'updated';
  }
}

type ResourceDifference = ReturnType<TemplateDiff['resources']['get']>;

function reasonsOf(change: ResourceDifference): string[] {
  if (change.isAddition) return [];
  if (change.isRemoval) {
    return [
      change.changeImpact === ResourceImpact.WILL_ORPHAN
        ? 'removed; DeletionPolicy Retain keeps it in the account'
        : 'removed',
    ];
  }
  if (change.resourceTypeChanged) return [`type ${change.oldResourceType} -> ${change.newResourceType}`];
  const reasons: string[] = [];
  for (const [name, property] of Object.entries(change.propertyUpdates)) {
    if (!property.isDifferent) continue;
    reasons.push(`${name}${impactNote(property.changeImpact)}`);
  }
  for (const [name, other] of Object.entries(change.otherChanges)) {
    if (other.isDifferent && name !== 'Metadata') reasons.push(name);
  }
  return reasons;
}

function impactNote(impact: ResourceImpact | undefined): string {
  if (impact === ResourceImpact.WILL_REPLACE) return ' (requires replacement)';
  if (impact === ResourceImpact.MAY_REPLACE) return ' (may require replacement)';
  return '';
}

function* otherChanges(diff: TemplateDiff): Generator<string> {
  if (diff.description?.isDifferent) yield 'Description';
  for (const [label, collection] of [
    ['Parameter', diff.parameters],
    ['Output', diff.outputs],
    ['Condition', diff.conditions],
    ['Mapping', diff.mappings],
  ] as const) {
    for (const id of collection.logicalIds) {
      if (collection.get(id).isDifferent) yield `${label} ${id}`;
    }
  }
}

/**
 * Follows references: a replaced resource gets a new physical id, so every resource that names it
 * in a property changes too, and is replaced itself when that property cannot be updated in place.
 * Repeats until nothing escalates (a replaced subnet updates the subnet group, which may replace
 * the database).
 */
function propagate(current: CfnTemplate, verdicts: Map<string, Verdict>): void {
  const resources = current.Resources ?? {};
  const ids = new Set(Object.keys(resources));
  const queue = [...verdicts.keys()];
  while (queue.length > 0) {
    const target = queue.shift() as string;
    const source = verdicts.get(target);
    const targetType = resources[target]?.Type;
    if (!source || targetType === undefined || !['updated', 'may-replace', 'replaced'].includes(source.kind)) continue;
    for (const [referrer, resource] of Object.entries(resources)) {
      if (referrer === target || verdicts.get(referrer)?.kind === 'added') continue;
      for (const reference of referencesIn(resource.Properties ?? {}, ids)) {
        if (reference.target !== target) continue;
        const dragged = draggedKind(resource.Type, reference.property, reference.via, source.kind, targetType);
        if (!dragged) continue;
        const known = verdicts.has(referrer);
        const verdict = verdicts.get(referrer) ?? { kind: 'updated', reasons: [] };
        const why = `${reference.property} refers to ${target}, which ${describe(source.kind, targetType)}`;
        if (!verdict.reasons.includes(why)) verdict.reasons.push(why);
        const escalates = SEVERITY[dragged] > SEVERITY[verdict.kind];
        if (escalates) verdict.kind = dragged;
        if (!known) verdicts.set(referrer, verdict);
        if (!known || escalates) queue.push(referrer);
      }
    }
  }
}

function describe(kind: ChangeKind, type: string): string {
  if (kind === 'replaced') return 'is replaced';
  if (kind === 'may-replace') return 'may be replaced';
  const source = REF_MAY_CHANGE_ON_UPDATE.get(type);
  return source ? `is updated and may come back under a new name (${source})` : 'is updated';
}

/** What happens to a resource whose `property` refers (`via`) to a resource that changes by `kind`. */
function draggedKind(
  type: string,
  property: string,
  via: string,
  kind: ChangeKind,
  targetType: string,
): ChangeKind | undefined {
  const impact = propertyImpact(type, property);
  if (kind === 'updated') {
    // An in-place update keeps the physical id, except for the types that rename on update.
    if (via !== 'Ref' || !REF_MAY_CHANGE_ON_UPDATE.has(targetType)) return undefined;
    return impact === ResourceImpact.WILL_REPLACE || impact === ResourceImpact.MAY_REPLACE ? 'may-replace' : 'updated';
  }
  if (impact === ResourceImpact.WILL_REPLACE) return kind;
  if (impact === ResourceImpact.MAY_REPLACE) return 'may-replace';
  return 'updated';
}

/**
 * What changing `property` of a `type` does, from the CloudFormation resource specification that
 * `@aws-cdk/cloudformation-diff` bundles (the same answer `cdk diff` gives for a direct change).
 * A property the specification does not know is assumed to update in place.
 */
export function propertyImpact(type: string, property: string): ResourceImpact {
  switch (loadResourceModel(type)?.properties?.[property]?.causesReplacement) {
    case 'yes':
      return ResourceImpact.WILL_REPLACE;
    case 'maybe':
      return ResourceImpact.MAY_REPLACE;
    default:
      return ResourceImpact.WILL_UPDATE;
  }
}
