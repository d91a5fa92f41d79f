import { ResourceImpact } from '@aws-cdk/cloudformation-diff';
import { type CfnTemplate, propertyImpact, reviewStack } from '../../lib/review/analyze';
import { ASSET_HASH_PLACEHOLDER, withoutAssetHashes } from '../../lib/review/assets';
import { referencesIn } from '../../lib/review/references';
import { renderText } from '../../lib/review/report';
import { reviewRelease } from '../../lib/review/review';
import { STATEFUL_RESOURCE_TYPES } from '../../lib/review/stateful';

const HASH_A = 'a'.repeat(64);
const HASH_B = 'b'.repeat(64);

/** An ECS service on a task definition running `image`: the shape the service tier synthesizes. */
function service(image: string): CfnTemplate {
  return {
    Resources: {
      TaskDef: {
        Type: 'AWS::ECS::TaskDefinition',
        Properties: { Family: 'api', ContainerDefinitions: [{ Name: 'web', Image: image }] },
      },
      Service: { Type: 'AWS::ECS::Service', Properties: { TaskDefinition: { Ref: 'TaskDef' }, DesiredCount: 2 } },
    },
  };
}

describe('an image change', () => {
  test('of a tag from config is an ordinary change that rolls the service', () => {
    const review = reviewStack(
      'prod',
      'prod/Service',
      service('1234.dkr.ecr/api:v1.4.1'),
      service('1234.dkr.ecr/api:v1.4.2'),
    );
    expect(review.resources).toEqual([
      expect.objectContaining({
        logicalId: 'Service',
        kind: 'updated',
        reasons: ['TaskDefinition refers to TaskDef, which is replaced'],
      }),
      expect.objectContaining({
        logicalId: 'TaskDef',
        kind: 'updated',
        reasons: ['ContainerDefinitions (requires replacement)', 'a new revision (routine)'],
      }),
    ]);
    expect(review.assetOnly).toEqual([]);
  });

  test('of a CDK-built image (an asset hash) is summarized as asset-only', () => {
    const review = reviewStack(
      'prod',
      'prod/Service',
      service(`1234.dkr.ecr/cdk-assets:${HASH_A}`),
      service(`1234.dkr.ecr/cdk-assets:${HASH_B}`),
    );
    expect(review.resources).toEqual([]);
    expect(review.assetOnly).toEqual(['TaskDef']);
    expect(review.status).toBe('changed');
  });

  test('pinned by digest is an ordinary change, not an asset', () => {
    const review = reviewStack(
      'prod',
      'prod/Service',
      service(`api@sha256:${HASH_A}`),
      service(`api@sha256:${HASH_B}`),
    );
    expect(review.resources.map((r) => r.logicalId)).toEqual(['Service', 'TaskDef']);
    expect(review.assetOnly).toEqual([]);
  });
});

describe('withoutAssetHashes', () => {
  test('replaces 64-digit hashes in values but not keys, digests or shorter hex', () => {
    const gitSha = 'c'.repeat(40);
    expect(
      withoutAssetHashes({ [HASH_A]: `${HASH_B}.zip`, image: `repo:${gitSha}`, digest: `sha256:${HASH_A}`, n: 1 }),
    ).toEqual({ [HASH_A]: `${ASSET_HASH_PLACEHOLDER}.zip`, image: `repo:${gitSha}`, digest: `sha256:${HASH_A}`, n: 1 });
  });
});

describe('reviewStack', () => {
  const bucket = (policy?: string): CfnTemplate => ({
    Resources: { Logs: { Type: 'AWS::S3::Bucket', ...(policy ? { DeletionPolicy: policy } : {}) } },
  });

  test('calls a removed resource kept by DeletionPolicy Retain orphaned, which is destructive', () => {
    const review = reviewRelease(
      [{ environment: 'prod', stackId: 'prod/Edge', template: bucket('Retain') }],
      [{ environment: 'prod', stackId: 'prod/Edge', template: { Resources: {} } }],
    );
    expect(review.environments[0]?.stacks[0]?.resources).toEqual([
      expect.objectContaining({ logicalId: 'Logs', kind: 'orphaned', stateful: true }),
    ]);
    expect(review.blocking).toHaveLength(1);
  });

  test('blocks on the stateful resources of a stack that left the app: the app no longer uses them', () => {
    const old: CfnTemplate = {
      Resources: {
        ...bucket().Resources,
        Group: { Type: 'AWS::Logs::LogGroup' },
        Topic: { Type: 'AWS::SNS::Topic' },
      },
    };
    const review = reviewRelease([{ environment: 'dev', stackId: 'dev/Old', template: old }], []);
    expect(review.environments[0]?.stacks).toEqual([
      expect.objectContaining({
        status: 'gone',
        resources: [
          expect.objectContaining({ logicalId: 'Group', kind: 'left-behind', stateful: true }),
          expect.objectContaining({ logicalId: 'Logs', kind: 'left-behind', stateful: true }),
        ],
      }),
    ]);
    expect(review.blocking.map((change) => change.resource.logicalId)).toEqual(['Group', 'Logs']);
    // The report asks for the stack, once, not for each of its resources.
    expect(renderText(review, { base: 'main' })).toMatch(/^If this is intended, run again with: --allow dev\/Old$/m);
    // A whole stack (an environment removed on purpose) is allowed by its id.
    const allowed = reviewRelease([{ environment: 'dev', stackId: 'dev/Old', template: old }], [], {
      allow: ['dev/Old'],
    });
    expect(allowed.blocking).toEqual([]);
    expect(allowed.allowed).toHaveLength(2);
  });

  test('blocks on a shortened retention, which deletes older logs or snapshots at once', () => {
    const kept = (type: string, properties: Record<string, unknown>): CfnTemplate => ({
      Resources: { Data: { Type: type, Properties: properties } },
    });
    for (const [type, before, after] of [
      ['AWS::Logs::LogGroup', {}, { RetentionInDays: 365 }],
      ['AWS::Logs::LogGroup', { RetentionInDays: 90 }, { RetentionInDays: 30 }],
      ['AWS::ElastiCache::ReplicationGroup', { SnapshotRetentionLimit: 7 }, { SnapshotRetentionLimit: 1 }],
    ] as const) {
      const release = reviewRelease(
        [{ environment: 'prod', stackId: 'prod/Data', template: kept(type, before) }],
        [{ environment: 'prod', stackId: 'prod/Data', template: kept(type, after) }],
      );
      expect(release.blocking.map((change) => change.resource.kind)).toEqual(['shortened']);
    }
    // Keeping data longer loses nothing.
    const longer = reviewStack(
      'prod',
      'prod/Data',
      kept('AWS::Logs::LogGroup', { RetentionInDays: 30 }),
      kept('AWS::Logs::LogGroup', { RetentionInDays: 90 }),
    );
    expect(longer.resources).toEqual([expect.objectContaining({ kind: 'updated' })]);
  });

  test('blocks on a secret whose value an update would overwrite (SecretString or GenerateSecretString)', () => {
    const secret = (properties: Record<string, unknown>): CfnTemplate => ({
      Resources: { Key: { Type: 'AWS::SecretsManager::Secret', Properties: properties } },
    });
    for (const [before, after] of [
      [{ SecretString: 'PLACEHOLDER' }, { SecretString: 'NEW_PLACEHOLDER' }],
      [{ GenerateSecretString: { PasswordLength: 64 } }, { GenerateSecretString: { PasswordLength: 32 } }],
    ] as const) {
      const review = reviewStack('prod', 'prod/Data', secret(before), secret(after));
      expect(review.resources).toEqual([expect.objectContaining({ logicalId: 'Key', kind: 'overwritten' })]);
      const release = reviewRelease(
        [{ environment: 'prod', stackId: 'prod/Data', template: secret(before) }],
        [{ environment: 'prod', stackId: 'prod/Data', template: secret(after) }],
      );
      expect(release.blocking.map((change) => change.resource.kind)).toEqual(['overwritten']);
    }
    const described = reviewStack(
      'prod',
      'prod/Data',
      secret({ SecretString: 'x', Description: 'a' }),
      secret({ SecretString: 'x', Description: 'b' }),
    );
    expect(described.resources).toEqual([expect.objectContaining({ logicalId: 'Key', kind: 'updated' })]);
  });

  test('marks every resource of a new stack added', () => {
    const review = reviewStack('dev', 'dev/New', undefined, bucket());
    expect(review.status).toBe('new');
    expect(review.resources).toEqual([expect.objectContaining({ logicalId: 'Logs', kind: 'added', stateful: true })]);
  });

  test('reviews only the environments asked for', () => {
    const stacks = ['dev', 'prod'].map((env) => ({ environment: env, stackId: `${env}/Edge`, template: bucket() }));
    const review = reviewRelease(stacks, [], { environments: ['prod'] });
    expect(review.environments.map((env) => env.name)).toEqual(['prod']);
  });
});

describe('referencesIn', () => {
  test('finds Ref, both Fn::GetAtt forms and Fn::Sub variables, per top-level property', () => {
    const ids = new Set(['Db', 'Key', 'Group']);
    const refs = referencesIn(
      {
        A: { Ref: 'Db' },
        B: { 'Fn::GetAtt': ['Key', 'Arn'] },
        C: { 'Fn::GetAtt': 'Db.Endpoint.Address' },
        // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudFormation's Fn::Sub syntax, not JavaScript's.
        D: { 'Fn::Sub': ['postgres://${Db.Endpoint.Port}/${Name}', { Name: { Ref: 'Group' } }] },
        E: { Ref: 'AWS::Region' },
      },
      ids,
    );
    expect(refs).toEqual([
      { property: 'A', target: 'Db', via: 'Ref' },
      { property: 'B', target: 'Key', via: 'Arn' },
      { property: 'C', target: 'Db', via: 'Endpoint.Address' },
      { property: 'D', target: 'Db', via: 'Endpoint.Port' },
      { property: 'D', target: 'Group', via: 'Ref' },
    ]);
  });
});

describe('propertyImpact', () => {
  // Reads the resource specification through an internal path of @aws-cdk/cloudformation-diff:
  // these fail first if an upgrade moves it.
  test.each([
    ['AWS::RDS::DBInstance', 'DBSubnetGroupName', ResourceImpact.WILL_REPLACE],
    ['AWS::RDS::DBInstance', 'DBParameterGroupName', ResourceImpact.MAY_REPLACE],
    ['AWS::RDS::DBSubnetGroup', 'SubnetIds', ResourceImpact.WILL_UPDATE],
    ['AWS::ElastiCache::ReplicationGroup', 'CacheSubnetGroupName', ResourceImpact.WILL_REPLACE],
    ['AWS::RDS::DBInstance', 'NotAProperty', ResourceImpact.WILL_UPDATE],
  ])('%s.%s is %s', (type, property, impact) => {
    expect(propertyImpact(type, property)).toBe(impact);
  });
});

test('the stateful types are CloudFormation types, each with what it holds', () => {
  for (const [type, holds] of STATEFUL_RESOURCE_TYPES) {
    expect(type).toMatch(/^AWS::[A-Za-z0-9]+::[A-Za-z0-9]+$/);
    expect(holds.length).toBeGreaterThan(10);
  }
});
