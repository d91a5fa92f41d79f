import type { StackReview } from '../../lib/review/analyze';
import type { SynthesizedStack } from '../../lib/review/assembly';
import { exportsInUse } from '../../lib/review/exports';
import { renderText } from '../../lib/review/report';
import { exitCodeOf, reviewRelease } from '../../lib/review/review';

// Hand-written templates for the cases the example app does not produce; the real ones (a removed
// secret, moved subnets, a replaced database) are in review.test.ts.
const EXPORT = 'app-Data:ExportsOutputRefBucket';

function exporter(value: unknown): SynthesizedStack {
  return {
    environment: 'app',
    stackId: 'app/Data',
    template: { Outputs: { Out: { Value: value, Export: { Name: EXPORT } } } },
  };
}

function importer(stackId = 'app/Service', name = EXPORT): SynthesizedStack {
  return {
    environment: 'app',
    stackId,
    template: {
      Resources: { Fn: { Type: 'AWS::Lambda::Function', Properties: { Env: { 'Fn::ImportValue': name } } } },
    },
  };
}

const noReviews: StackReview[] = [];

test('a value whose text changes is reported, with no order that helps while the import stays', () => {
  const found = exportsInUse(
    [exporter({ Ref: 'Bucket' }), importer()],
    [exporter({ 'Fn::GetAtt': ['Bucket', 'Arn'] }), importer()],
    noReviews,
  );
  expect(found).toEqual([
    {
      exporter: 'app/Data',
      exportName: EXPORT,
      change: 'changes',
      reason: 'its value is different',
      importers: ['app/Service'],
      releasedBy: [],
      wayThrough: false,
      leftTheApp: [],
    },
  ]);
});

test('an unchanged export, or one nobody imports, is not reported', () => {
  const same = [exporter({ Ref: 'Bucket' }), importer()];
  expect(exportsInUse(same, same, noReviews)).toEqual([]);
  const unimported = [exporter({ Ref: 'Bucket' }), importer('app/Service', 'another-export')];
  expect(exportsInUse(unimported, [exporter({ Ref: 'Other' })], noReviews)).toEqual([]);
});

test('a stack that left the app keeps its exports: cdk deploy does not delete it', () => {
  expect(exportsInUse([exporter({ Ref: 'Bucket' }), importer()], [importer()], noReviews)).toEqual([]);
});

test('an importer that left the app still imports: removing the export has no way through', () => {
  const [found] = exportsInUse(
    [exporter({ Ref: 'Bucket' }), importer()],
    [{ ...exporter(null), template: {} }],
    noReviews,
  );
  expect(found).toMatchObject({
    change: 'removed',
    importers: ['app/Service'],
    releasedBy: [],
    leftTheApp: ['app/Service'],
  });
  expect(
    renderText(reviewRelease([exporter({ Ref: 'Bucket' }), importer()], [{ ...exporter(null), template: {} }]), {
      base: 'main',
    }),
  ).toContain('app/Service left the app but is still deployed and imports it: delete that stack first');
});

test('an export renamed under its importer has no way through: the new name is not deployed yet', () => {
  const renamed: SynthesizedStack = {
    ...exporter({ Ref: 'Bucket' }),
    template: { Outputs: { Out: { Value: { Ref: 'Bucket' }, Export: { Name: 'app-Data:Renamed' } } } },
  };
  const [found] = exportsInUse(
    [exporter({ Ref: 'Bucket' }), importer()],
    [renamed, importer('app/Service', 'app-Data:Renamed')],
    noReviews,
  );
  expect(found).toMatchObject({ change: 'removed', releasedBy: [], wayThrough: false });
  expect(
    renderText(
      reviewRelease([exporter({ Ref: 'Bucket' }), importer()], [renamed, importer('app/Service', 'app-Data:Renamed')]),
      { base: 'main' },
    ),
  ).toContain('Keep the old export one more release (Stack.exportValue), then remove it.');
});

test('a certain failure blocks the review until --allow names the export', () => {
  const base = [exporter({ Ref: 'Bucket' }), importer()];
  const current = [exporter({ 'Fn::GetAtt': ['Bucket', 'Arn'] }), importer()];
  const blocked = reviewRelease(base, current);
  expect(blocked.blockingExports.map((entry) => entry.exportName)).toEqual([EXPORT]);
  expect(exitCodeOf(blocked)).toBe(1);
  expect(renderText(blocked, { base: 'main' })).toContain(
    `If you will remove their importers first, run again with: --allow ${EXPORT}`,
  );
  const allowed = reviewRelease(base, current, { allow: [EXPORT] });
  expect(allowed.blockingExports).toEqual([]);
  expect(allowed.unusedAllows).toEqual([]);
  expect(exitCodeOf(allowed)).toBe(0);
});

test('a changed value every importer lets go of has a way through: the importers go first', () => {
  const base = [exporter({ Ref: 'Bucket' }), importer()];
  const current = [exporter({ 'Fn::GetAtt': ['Bucket', 'Arn'] }), importer('app/Service', 'another-export')];
  // The importer's new import must be deployed already for it to go first.
  const deployedBase = [
    ...base,
    { ...importer('app/Other'), template: { Outputs: { O: { Value: 'x', Export: { Name: 'another-export' } } } } },
  ];
  const review = reviewRelease(deployedBase, [...current, deployedBase[2] as SynthesizedStack]);
  expect(review.exportsInUse).toEqual([expect.objectContaining({ change: 'changes', wayThrough: true })]);
  expect(review.blockingExports).toEqual([]);
  expect(review.deployFirst).toEqual(['app/Service']);
});

test('a new revision of a routinely replaced type changes an export of its id; an in-place update does not', () => {
  const task = { logicalId: 'Task', type: 'AWS::ECS::TaskDefinition', kind: 'updated' as const, stateful: false };
  const reviewOf = (resource: StackReview['resources'][number]): StackReview[] => [
    { environment: 'app', stackId: 'app/Data', status: 'changed', resources: [resource], assetOnly: [], other: [] },
  ];
  const stacks = [exporter({ Ref: 'Task' }), importer()];
  const revision = reviewOf({ ...task, reasons: ['a new revision (routine)'], routine: 'replaced' });
  expect(exportsInUse(stacks, stacks, revision)).toEqual([
    expect.objectContaining({ change: 'changes', reason: 'Task is replaced' }),
  ]);
  expect(exportsInUse(stacks, stacks, reviewOf({ ...task, reasons: ['Tags'] }))).toEqual([]);
});

test('an unused --allow says it matched nothing, exports included', () => {
  const same = [exporter({ Ref: 'Bucket' }), importer()];
  expect(renderText(reviewRelease(same, same, { allow: ['nothing'] }), { base: 'main' })).toContain(
    'Note: --allow nothing matched no blocking change of a stateful resource, and no blocking export',
  );
});
