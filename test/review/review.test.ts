import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fullDiff } from '@aws-cdk/cloudformation-diff';
import { Tags } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as rds from 'aws-cdk-lib/aws-rds';
import { dev } from '../../lib/config/environments';
import { acknowledge } from '../../lib/nag';
import type { SynthesizedStack } from '../../lib/review/assembly';
import { renderMarkdown, renderText } from '../../lib/review/report';
import { exitCodeOf, type ReleaseReview, reviewRelease } from '../../lib/review/review';
import type { EnvironmentStage } from '../../lib/stages/environment-stage';
import { synthesizeStacks } from '../support/synth-variant';
import { variant } from '../support/variant';

// Real template pairs: the example dev environment against variants of its config, each
// synthesized once, as `npm run review` would see a base ref and a working tree.
const DATABASE = 'DatabaseInstanceAA8A5FDE';
const SUBNET_GROUP = 'DatabaseInstanceSubnetGroupDE121BB6';
const SENTRY_SECRET = 'AppSecretsSENTRYDSNEB321569';

let base: SynthesizedStack[];
beforeAll(() => {
  base = synthesizeStacks([dev]);
});

/** The review of one dev stack; throws when the review left it out. */
const stackReview = (review: ReturnType<typeof reviewRelease>, stackId: string) => {
  const stack = review.environments[0]?.stacks.find((s) => s.stackId === stackId);
  if (!stack) throw new Error(`the review has no ${stackId}`);
  return stack;
};

const dataTemplate = (stacks: SynthesizedStack[]) => {
  const stack = stacks.find((s) => s.stackId === 'dev/Data');
  if (!stack) throw new Error('no dev/Data stack');
  return stack.template;
};

function resource(review: ReleaseReview, logicalId: string) {
  return review.environments
    .flatMap((env) => env.stacks)
    .flatMap((stack) => stack.resources)
    .find((r) => r.logicalId === logicalId);
}

describe('a replaced database', () => {
  let current: SynthesizedStack[];
  /** The exports of the database's endpoint and identifier, which the service stack imports. */
  const endpointExports = [
    'dev-Data:ExportsOutputFnGetAttDatabaseInstanceAA8A5FDEEndpointAddressC7EFCE05',
    'dev-Data:ExportsOutputFnGetAttDatabaseInstanceAA8A5FDEEndpointPortA4DA3386',
    'dev-Data:ExportsOutputRefDatabaseInstanceAA8A5FDE66DEA57B',
  ];
  beforeAll(() => {
    current = synthesizeStacks([variant(dev, { database: { databaseName: 'shop' } })]);
  });

  test('is reported loudly and blocks the release', () => {
    const review = reviewRelease(base, current);
    expect(resource(review, DATABASE)).toMatchObject({
      kind: 'replaced',
      stateful: true,
      reasons: expect.arrayContaining(['DBName (requires replacement)']),
    });
    expect(review.blocking.map((c) => `${c.stackId}/${c.resource.logicalId}`)).toEqual([`dev/Data/${DATABASE}`]);
    expect(exitCodeOf(review)).toBe(1);
    const text = renderText(review, { base: 'main' });
    expect(text).toContain(`!! REPLACED: ${DATABASE} (AWS::RDS::DBInstance, STATEFUL)`);
    expect(text).toContain(`RESULT: BLOCKED`);
    expect(text).toContain(`--allow dev/Data/${DATABASE}`);
  });

  test('fails the deploy as well: the service imports the endpoint, which a new database changes', () => {
    const review = reviewRelease(base, current, { allow: [DATABASE] });
    expect(review.blocking).toEqual([]);
    expect(review.blockingExports.map((entry) => entry.exportName).sort()).toEqual(endpointExports);
    expect(review.blockingExports.every((entry) => entry.reason === `${DATABASE} is replaced`)).toBe(true);
    expect(exitCodeOf(review)).toBe(1);
  });

  test('passes with --allow of its logical id, in any stack or in the named one, and of the exports', () => {
    for (const allow of [DATABASE, `dev/Data/${DATABASE}`]) {
      const review = reviewRelease(base, current, { allow: [allow, ...endpointExports] });
      expect(review.blocking).toEqual([]);
      expect(review.allowed.map((c) => c.resource.logicalId)).toEqual([DATABASE]);
      expect(review.allowedExports.map((entry) => entry.exportName).sort()).toEqual(endpointExports);
      expect(review.unusedAllows).toEqual([]);
      expect(exitCodeOf(review)).toBe(0);
      expect(renderText(review, { base: 'main' })).toContain(
        `Allowed by --allow: export ${endpointExports[0]} (remove dev/Service before deploying)`,
      );
    }
  });

  test('says an allowed replacement passed, rather than that nothing stateful changes', () => {
    const review = reviewRelease(base, current, { allow: [DATABASE, ...endpointExports] });
    const verdict =
      '1 stateful resource(s) replaced, deleted, overwritten, cut short or left behind, each allowed by --allow.';
    expect(renderText(review, { base: 'main' })).toContain(`RESULT: OK, ${verdict}`);
    expect(renderMarkdown(review, { base: 'main' })).toContain(`**OK:** ${verdict}`);
    expect(renderText(review, { base: 'main' })).not.toContain('no stateful resource');
  });

  test('is still blocked when --allow names another stack or another resource', () => {
    const review = reviewRelease(base, current, { allow: [`prod/Data/${DATABASE}`, SUBNET_GROUP] });
    expect(exitCodeOf(review)).toBe(1);
    expect(review.unusedAllows).toEqual([`prod/Data/${DATABASE}`, SUBNET_GROUP]);
  });

  test('writes a Markdown report for the job summary', () => {
    const markdown = renderMarkdown(reviewRelease(base, current), { base: 'main' });
    expect(markdown).toContain('**BLOCKED:** 1 stateful resource(s)');
    expect(markdown).toContain(`| dev/Data | \`${DATABASE}\` | AWS::RDS::DBInstance | **REPLACED** |`);
    expect(markdown).toContain('### dev');
  });
});

test('a deleted third-party secret blocks the release', () => {
  const current = synthesizeStacks([
    variant(dev, { secrets: { thirdParty: dev.secrets.thirdParty.filter((key) => key !== 'SENTRY_DSN') } }),
  ]);
  const review = reviewRelease(base, current);
  expect(resource(review, SENTRY_SECRET)).toMatchObject({ kind: 'removed', stateful: true });
  expect(review.blocking.map((c) => c.resource.logicalId)).toEqual([SENTRY_SECRET]);
  expect(renderText(review, { base: 'main' })).toContain(`!! DELETED: ${SENTRY_SECRET}`);
  // The service stops importing the secret's ARN, which the data stack stops exporting: the data
  // stack's update would fail while the deployed service still imports it.
  expect(review.exportsInUse).toEqual([
    {
      exporter: 'dev/Data',
      exportName: expect.stringMatching(/^dev-Data:ExportsOutputRefAppSecretsSENTRYDSN/),
      change: 'removed',
      reason: 'the output is no longer in the template',
      importers: ['dev/Service'],
      releasedBy: ['dev/Service'],
      wayThrough: true,
      leftTheApp: [],
    },
  ]);
  // A removal with a deploy order that works is a warning, not a second reason to block; the
  // release action deploys the service alone first.
  expect(review.blockingExports).toEqual([]);
  expect(review.deployFirst).toEqual(['dev/Service']);
  const text = renderText(review, { base: 'main' });
  expect(text).toContain("!! EXPORT IN USE: dev/Data export 'dev-Data:ExportsOutputRefAppSecretsSENTRYDSN");
  expect(text).toContain(
    "Deploy dev/Service alone first (npx cdk deploy --exclusively 'dev/Service'), then the rest; the release action does this itself.",
  );
  expect(renderMarkdown(review, { base: 'main' })).toContain('> **Export in use:** dev/Data export');
});

// aws/aws-cdk#31426: the database was replaced by a deploy whose diff showed a change to its subnet
// group only. Moving the second AZ replaces the subnets there; the subnet groups keep their
// `SubnetIds: [{Ref}]` text, so a template diff shows nothing for them or for the database.
describe('a change that moves the database subnet group (aws/aws-cdk#31426)', () => {
  let current: SynthesizedStack[];
  beforeAll(() => {
    current = synthesizeStacks([variant(dev, { availabilityZones: ['eu-west-1a', 'eu-west-1c'] })]);
  });

  test('is invisible to a plain template diff', () => {
    const plain = fullDiff(dataTemplate(base), dataTemplate(current));
    expect(plain.resources.get(DATABASE)?.isDifferent ?? false).toBe(false);
    expect(plain.resources.get(SUBNET_GROUP)?.isDifferent ?? false).toBe(false);
  });

  test('is caught: the subnet group changes and the database may be replaced', () => {
    const review = reviewRelease(base, current);
    expect(resource(review, SUBNET_GROUP)).toMatchObject({
      kind: 'updated',
      reasons: [expect.stringMatching(/^SubnetIds refers to NetworkVpcIsolatedSubnet2Subnet\w+, which is replaced$/)],
    });
    expect(resource(review, DATABASE)).toMatchObject({
      kind: 'may-replace',
      reasons: [expect.stringContaining(`DBSubnetGroupName refers to ${SUBNET_GROUP}`)],
    });
    expect(resource(review, DATABASE)?.reasons[0]).toContain('aws/aws-cdk#31426');
    expect(review.blocking.map((c) => c.resource.logicalId)).toEqual(
      expect.arrayContaining([DATABASE, 'CacheReplicationGroupBFE59FF3']),
    );
    expect(exitCodeOf(review)).toBe(1);
  });

  test('warns that the replaced subnets are exports the deployed service still imports', () => {
    const review = reviewRelease(base, current);
    const subnets = review.exportsInUse.filter((entry) => /PrivateSubnet2/.test(entry.exportName));
    expect(subnets).toEqual([
      expect.objectContaining({
        exporter: 'dev/Data',
        change: 'changes',
        reason: expect.stringMatching(/^NetworkVpcPrivateSubnet2Subnet\w+ is replaced$/),
        importers: ['dev/Service'],
        releasedBy: [],
        wayThrough: false,
        leftTheApp: [],
      }),
    ]);
    // Certain to fail whatever the order: it blocks. The endpoints only may change: they warn.
    expect(review.blockingExports).toEqual(expect.arrayContaining(subnets));
    expect(review.blockingExports.filter((entry) => entry.change === 'may-change')).toEqual([]);
    // The database endpoint the service reads may change with the database.
    expect(review.exportsInUse).toContainEqual(
      expect.objectContaining({ change: 'may-change', reason: `${DATABASE} may be replaced` }),
    );
    const text = renderText(review, { base: 'main' });
    expect(text).toContain('No deploy order works while the import stays: see README, "Known limitations".');
    expect(text).toContain(
      "!! EXPORT IN USE (blocks): dev/Data export 'dev-Data:ExportsOutputRefNetworkVpcPrivateSubnet2",
    );
    expect(text).toContain("!! EXPORT IN USE: dev/Data export 'dev-Data:ExportsOutputRefDatabaseInstance");
    expect(review.deployFirst).toEqual([]);
  });
});

test('a renamed database subnet group replaces the database', () => {
  const current = synthesizeStacks([dev], ([stage]) => {
    const instance = (stage as EnvironmentStage).data.database.instance;
    const group = instance.node.findChild('SubnetGroup').node.defaultChild as rds.CfnDBSubnetGroup;
    group.dbSubnetGroupName = 'berth-dev-database';
  });
  const review = reviewRelease(base, current);
  expect(resource(review, SUBNET_GROUP)?.kind).toBe('replaced');
  expect(resource(review, DATABASE)).toMatchObject({
    kind: 'replaced',
    reasons: expect.arrayContaining(['DBSubnetGroupName (requires replacement)']),
  });
  expect(review.blocking.map((c) => c.resource.logicalId).sort()).toEqual([DATABASE, SUBNET_GROUP]);
});

test('a tag on the secrets and a new stack description change resources in place and pass', () => {
  const current = synthesizeStacks([dev], ([stage]) => {
    const data = (stage as EnvironmentStage).data;
    Tags.of(data.appSecrets).add('team', 'payments');
    data.templateOptions.description = 'Berth dev: the stateful half';
  });
  const review = reviewRelease(base, current);
  const [stack] = review.environments[0]?.stacks ?? [];
  expect(stack?.resources.map((r) => [r.logicalId, r.kind, r.reasons])).toEqual(
    ['CLERKSECRETKEY', 'JWTSECRETKEY', 'OPENAIAPIKEY', 'SECRETKEY', 'SENTRYDSN'].map((key) => [
      expect.stringMatching(new RegExp(`^AppSecrets${key}[0-9A-F]{8}$`)),
      'updated',
      ['Tags'],
    ]),
  );
  expect(stack?.other).toEqual(['Description']);
  expect(exitCodeOf(review)).toBe(0);
  expect(renderText(review, { base: 'main' })).toContain('RESULT: OK');
});

// Any in-place update of a subnet group can hand back a renamed group (aws/aws-cdk#31426), so
// even a tag that reaches it is flagged; the operator confirms with --allow.
test('a tag that reaches the database subnet group flags the database as possibly replaced', () => {
  const current = synthesizeStacks([dev], ([stage]) =>
    Tags.of((stage as EnvironmentStage).data.database).add('team', 'payments'),
  );
  const review = reviewRelease(base, current);
  expect(resource(review, SUBNET_GROUP)).toMatchObject({ kind: 'updated', reasons: ['Tags'] });
  expect(resource(review, DATABASE)).toMatchObject({ kind: 'may-replace' });
  expect(exitCodeOf(review)).toBe(1);
  expect(exitCodeOf(reviewRelease(base, current, { allow: [DATABASE] }))).toBe(0);
});

test('a changed parameter value is an ordinary change, shown with its property', () => {
  const current = synthesizeStacks([variant(dev, { database: { slowQueryThresholdMs: 1000 } })]);
  const review = reviewRelease(base, current);
  expect(review.environments[0]?.stacks[0]?.resources).toEqual([
    {
      logicalId: 'DatabaseParametersB8AC9B07',
      type: 'AWS::RDS::DBParameterGroup',
      kind: 'updated',
      stateful: true,
      reasons: ['Parameters'],
    },
  ]);
  expect(renderText(review, { base: 'main' })).toContain('  ~ DatabaseParametersB8AC9B07');
  expect(exitCodeOf(review)).toBe(0);
});

test('a new image tag is an ordinary release: new task definitions, migration re-run, nothing blocked', () => {
  const current = synthesizeStacks([variant(dev, { service: { image: { tag: '1.1.0' } } })]);
  const review = reviewRelease(base, current);
  const changed = stackReview(review, 'dev/Service').resources.map((r) => [r.type, r.kind]);
  // A new task-definition revision is a routine replacement, shown as an ordinary change; the
  // connection strings, the migration run and the secret preflight re-run for the new image;
  // nothing stateful is touched.
  expect(changed.map((pair) => pair.join(' ')).sort()).toEqual([
    'AWS::ECS::Service updated',
    'AWS::ECS::TaskDefinition updated',
    'AWS::ECS::TaskDefinition updated',
    'Custom::BerthConnectionStrings updated',
    'Custom::BerthMigration updated',
    'Custom::BerthSecretPreflight updated',
  ]);
  const taskDefinitions = stackReview(review, 'dev/Service').resources.filter(
    (r) => r.type === 'AWS::ECS::TaskDefinition',
  );
  expect(taskDefinitions.map((r) => r.routine)).toEqual(['replaced', 'replaced']);
  expect(stackReview(review, 'dev/Data').resources).toEqual([]);
  expect(review.blocking).toEqual([]);
  expect(review.exportsInUse).toEqual([]);
  expect(exitCodeOf(review)).toBe(0);
  expect(renderText(review, { base: 'main' })).toContain('RESULT: OK');
  expect(renderText(review, { base: 'main' })).not.toContain('EXPORT IN USE');
});

describe('new Lambda code (an asset hash)', () => {
  /** dev with one Lambda function whose code is `source`. */
  const withFunction = (source: string) =>
    synthesizeStacks([dev], ([stage]) => {
      const dir = mkdtempSync(join(tmpdir(), 'berth-asset-'));
      writeFileSync(join(dir, 'index.js'), source);
      const fn = new lambda.Function((stage as EnvironmentStage).data, 'Probe', {
        runtime: lambda.Runtime.NODEJS_LATEST,
        handler: 'index.handler',
        code: lambda.Code.fromAsset(dir),
      });
      acknowledge(
        fn,
        'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
        'Test-only function that exists to produce an asset hash change.',
      );
    });

  test('is summarized in one line, not listed as a change', () => {
    const before = withFunction('exports.handler = async () => 1;');
    const after = withFunction('exports.handler = async () => 2;');
    const review = reviewRelease(before, after);
    const [stack] = review.environments[0]?.stacks ?? [];
    expect(stack?.resources).toEqual([]);
    expect(stack?.assetOnly).toEqual([expect.stringMatching(/^Probe/)]);
    expect(stack?.status).toBe('changed');
    expect(renderText(review, { base: 'main' })).toMatch(
      /asset hashes only \(new Lambda code or CDK-built images\): Probe\w+\n/,
    );
    expect(exitCodeOf(review)).toBe(0);
  });
});

test('an identical synth reports no changes, stacks outside stages under their own name', () => {
  const review = reviewRelease(base, synthesizeStacks([dev]));
  expect(review.environments.map((env) => env.name)).toEqual(['dev', 'ci-111111111111']);
  const stacks = review.environments.flatMap((env) => env.stacks);
  expect(stacks.map((stack) => stack.stackId)).toEqual(expect.arrayContaining(['dev/Data', 'ci-111111111111']));
  for (const stack of stacks) expect(stack).toMatchObject({ status: 'unchanged', resources: [], assetOnly: [] });
  expect(review.exportsInUse).toEqual([]);
});
