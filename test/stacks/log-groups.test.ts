import { readFileSync } from 'node:fs';
import { allTemplates } from '../support/example-app';

interface Resource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
  readonly DependsOn?: string[];
}

/** CDK's LogRetention function sets a one-day retention on its own log group when it runs. */
const SELF_RETAINING = /^LogRetention[0-9a-f]{32}/;

const stacks = allTemplates().map(({ path }) => {
  const resources = (JSON.parse(readFileSync(path, 'utf8')) as { Resources: Record<string, Resource> }).Resources;
  return { name: path.replace(/^.*\//, ''), resources };
});

/** The log groups a stack creates, by logical id, that expire and are encrypted with a KMS key. */
function expiringEncryptedLogGroups(resources: Record<string, Resource>): Map<string, Resource> {
  return new Map(
    Object.entries(resources).filter(
      ([, r]) =>
        r.Type === 'AWS::Logs::LogGroup' &&
        typeof r.Properties?.RetentionInDays === 'number' &&
        r.Properties?.KmsKeyId !== undefined,
    ),
  );
}

describe('function logs', () => {
  test.each(stacks)('$name: every function logs to an encrypted group of its stack that expires', ({ resources }) => {
    const groups = expiringEncryptedLogGroups(resources);
    const functions = Object.entries(resources).filter(
      ([id, r]) => r.Type === 'AWS::Lambda::Function' && !SELF_RETAINING.test(id),
    );
    for (const [id, fn] of functions) {
      const logGroup = (fn.Properties?.LoggingConfig as { LogGroup?: { Ref?: string } } | undefined)?.LogGroup;
      expect({ id, logsTo: groups.has(logGroup?.Ref ?? '') }).toEqual({ id, logsTo: true });
    }
  });

  test.each(stacks)(
    "$name: a rotation application's function gets a retention before it first runs",
    ({ resources }) => {
      const applications = Object.values(resources).filter((r) => r.Type === 'AWS::Serverless::Application');
      for (const application of applications) {
        const functionName = (application.Properties?.Parameters as Record<string, unknown> | undefined)?.functionName;
        const [retentionId, retention] =
          Object.entries(resources).find(
            ([, r]) =>
              r.Type === 'Custom::LogRetention' && r.Properties?.LogGroupName === `/aws/lambda/${functionName}`,
          ) ?? [];
        expect(retention?.Properties?.RetentionInDays).toEqual(expect.any(Number));
        expect(application.DependsOn).toContain(retentionId);
      }
    },
  );

  test('the example has functions of every kind checked above', () => {
    const all = stacks.flatMap(({ resources }) => Object.entries(resources));
    const ids = all.map(([id]) => id);
    expect(ids.some((id) => id.startsWith('CustomVpcRestrictDefaultSGCustomResourceProviderHandler'))).toBe(true);
    expect(ids.some((id) => id.startsWith('CustomS3AutoDeleteObjectsCustomResourceProviderHandler'))).toBe(true);
    expect(all.filter(([, r]) => r.Type === 'AWS::Serverless::Application').length).toBeGreaterThan(0);
  });
});
