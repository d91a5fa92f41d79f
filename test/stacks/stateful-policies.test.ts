import type { CfnTemplate } from '../../lib/review/analyze';
import { STATEFUL_RESOURCE_TYPES } from '../../lib/review/stateful';
import { exampleStack, exampleTemplate } from '../support/example-app';

// The release review and this test share one list of stateful types: what the review refuses to
// replace or delete is exactly what production keeps when it is replaced or deleted anyway.
const KEEPS = ['Retain', 'Snapshot'];

/** The stateful resources of an environment's data stack, by the review's list of types. */
const statefulResources = (env: string) =>
  Object.entries((exampleTemplate(env, 'Data').toJSON() as CfnTemplate).Resources ?? {})
    .filter(([, resource]) => STATEFUL_RESOURCE_TYPES.has(resource.Type))
    .map(([id, resource]) => ({ id, ...resource }));

describe('in production, the data stack', () => {
  test('holds the stateful resources the review guards', () => {
    const types = new Set(statefulResources('prod').map((resource) => resource.Type));
    for (const type of [
      'AWS::RDS::DBInstance',
      'AWS::RDS::DBSubnetGroup',
      'AWS::RDS::DBParameterGroup',
      'AWS::ElastiCache::ReplicationGroup',
      'AWS::ElastiCache::SubnetGroup',
      'AWS::ElastiCache::ParameterGroup',
      'AWS::SecretsManager::Secret',
      'AWS::KMS::Key',
      'AWS::Logs::LogGroup',
    ]) {
      expect(types).toContain(type);
    }
  });

  test('keeps every stateful resource on replacement and on deletion (Retain or Snapshot)', () => {
    const unprotected = statefulResources('prod')
      .filter((r) => !KEEPS.includes(r.DeletionPolicy ?? '') || !KEEPS.includes(r.UpdateReplacePolicy ?? ''))
      .map(
        (r) => `${r.id} (${r.Type}): DeletionPolicy ${r.DeletionPolicy}, UpdateReplacePolicy ${r.UpdateReplacePolicy}`,
      );
    expect(unprotected).toEqual([]);
  });

  test('is termination-protected, in the synthesized manifest', () => {
    expect(exampleStack('prod', 'Data').terminationProtection).toBe(true);
  });
});

test('outside production, the data stack can be torn down: every stateful resource is deleted with it', () => {
  expect(exampleStack('dev', 'Data').terminationProtection).toBe(false);
  const resources = statefulResources('dev');
  expect(resources.map((r) => r.Type)).toEqual(expect.arrayContaining(['AWS::RDS::DBInstance', 'AWS::KMS::Key']));
  const kept = resources
    .filter((r) => (r.DeletionPolicy ?? 'Delete') !== 'Delete' || (r.UpdateReplacePolicy ?? 'Delete') !== 'Delete')
    .map(
      (r) => `${r.id} (${r.Type}): DeletionPolicy ${r.DeletionPolicy}, UpdateReplacePolicy ${r.UpdateReplacePolicy}`,
    );
  expect(kept).toEqual([]);
});
