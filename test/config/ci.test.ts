import { dev, prod, staging } from '../../lib/config/environments';
import { problemsOf, variant } from '../support/variant';

test('ci settings are optional', () => {
  const { ci: _, ...withoutCi } = dev;
  expect(problemsOf(withoutCi)).toEqual([]);
});

test.each([
  ['with immutable subject claims', 'example-org@1234567/berth@987654321'],
  ['without them', 'example-org/berth'],
])('accepts a repository %s', (_, repository) => {
  expect(problemsOf(variant(dev, { ci: { repository } }))).toEqual([]);
});

describe('validateEnvironments rejects', () => {
  test.each([
    ['a repository without owner', 'berth'],
    ['a repository URL', 'https://github.com/example-org/berth'],
    ['an owner starting with a dash', '-org/berth'],
    ['a repository with a wildcard', 'example-org/*'],
    ['an owner ID without a repository ID', 'example-org@1234567/berth'],
    ['a repository ID without an owner ID', 'example-org/berth@987654321'],
    ['an ID that is not a number', 'example-org@abc/berth@987654321'],
  ])('%s', (_, repository) => {
    expect(problemsOf(variant(dev, { ci: { repository } }))).toEqual([
      `[dev] ci.repository must be a GitHub repository as its OIDC tokens name it: 'owner@OWNER_ID/name@REPO_ID' (immutable subject claims, the default for repositories created since mid-2026) or 'owner/name' (owner: letters, digits, dashes; name: letters, digits, '.', '_', '-'; IDs: digits), got: '${repository}'`,
    ]);
  });

  test('a GitHub Environment name with a wildcard', () => {
    expect(problemsOf(variant(prod, { ci: { githubEnvironment: 'prod*' } }))).toEqual([
      "[prod] ci.githubEnvironment must be a GitHub Environment name of letters, digits, '.', '_' and '-', got: 'prod*'",
    ]);
  });

  test('an OIDC provider of another account or issuer', () => {
    for (const arn of [
      'arn:aws:iam::999999999999:oidc-provider/token.actions.githubusercontent.com',
      'arn:aws:iam::111111111111:oidc-provider/gitlab.com',
    ]) {
      expect(problemsOf(variant(dev, { ci: { oidcProviderArn: arn } }))).toEqual([
        `[dev] ci.oidcProviderArn must be the GitHub OIDC provider of this environment's account, arn:aws:iam::111111111111:oidc-provider/token.actions.githubusercontent.com, got: '${arn}'`,
      ]);
    }
  });

  test('environments of one account naming different repositories or providers', () => {
    // Budgets scoped to each environment, as a shared account needs (validate.test.ts).
    const scoped = { cost: { budgetScope: 'environment' as const } };
    const sameAccount = variant(staging, {
      ...scoped,
      account: dev.account,
      ci: {
        repository: 'example-org/other',
        oidcProviderArn: 'arn:aws:iam::111111111111:oidc-provider/token.actions.githubusercontent.com',
      },
    });
    expect(problemsOf(variant(dev, scoped), sameAccount)).toEqual([
      '[staging] ci.repository must be the same as in dev (both in account 111111111111, which has one CI access stack), got: "example-org/other"',
      '[staging] ci.oidcProviderArn must be the same as in dev (both in account 111111111111, which has one CI access stack), got: "arn:aws:iam::111111111111:oidc-provider/token.actions.githubusercontent.com"',
    ]);
  });
});
