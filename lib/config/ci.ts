import type { EnvironmentConfig } from './types';
import type { ProblemList } from './validate';

/**
 * How GitHub Actions reaches one environment. All environments of one AWS account share one CI
 * access stack (an account holds one GitHub OIDC provider), so they must agree on `repository`
 * and `oidcProviderArn`.
 */
export interface CiConfig {
  /**
   * GitHub repository whose workflows may diff and deploy this environment, spelled as its OIDC
   * tokens name it: `owner@OWNER_ID/name@REPO_ID` for a repository with immutable subject claims
   * (every repository created, renamed or transferred since GitHub's mid-2026 change, and older
   * ones that opted in), else `owner/name`. A role trusting the other spelling is never assumable.
   */
  readonly repository: string;
  /**
   * GitHub Environment the deploy job of this environment runs in. The deploy role trusts only
   * tokens GitHub issues to jobs in it, so its protection rules (required reviewers, deployment
   * branches) gate every deploy.
   * @default - the environment's `name`
   */
  readonly githubEnvironment?: string;
  /**
   * ARN of the account's existing GitHub OIDC provider, when something else already created it.
   * @default - the CI access stack creates the provider
   */
  readonly oidcProviderArn?: string;
}

/** GitHub's OIDC issuer, without the scheme (the prefix of its IAM condition keys). */
export const GITHUB_OIDC_HOST = 'token.actions.githubusercontent.com';

/** `owner/name`, or `owner@id/name@id` (GitHub's immutable subject claims): IDs on both or neither. */
const REPOSITORY =
  /^[A-Za-z0-9][A-Za-z0-9-]{0,38}(?:\/[A-Za-z0-9._-]{1,100}|@[1-9][0-9]*\/[A-Za-z0-9._-]{1,100}@[1-9][0-9]*)$/;
const GITHUB_ENVIRONMENT = /^[A-Za-z0-9._-]{1,255}$/;

/** The GitHub Environment the deploy job of `env` runs in. */
export function githubEnvironmentOf(env: EnvironmentConfig): string | undefined {
  return env.ci ? (env.ci.githubEnvironment ?? env.name) : undefined;
}

/** Checks the `ci` settings of one environment (called from `environmentProblems`). */
export function checkCi(env: EnvironmentConfig, problems: ProblemList): void {
  const { ci } = env;
  if (!ci) return;
  problems.check(
    REPOSITORY.test(ci.repository),
    'ci.repository',
    "a GitHub repository as its OIDC tokens name it: 'owner@OWNER_ID/name@REPO_ID' (immutable subject claims, the default for repositories created since mid-2026) or 'owner/name' (owner: letters, digits, dashes; name: letters, digits, '.', '_', '-'; IDs: digits)",
    ci.repository,
  );
  if (ci.githubEnvironment !== undefined) {
    problems.check(
      GITHUB_ENVIRONMENT.test(ci.githubEnvironment),
      'ci.githubEnvironment',
      "a GitHub Environment name of letters, digits, '.', '_' and '-'",
      ci.githubEnvironment,
    );
  }
  if (ci.oidcProviderArn !== undefined) {
    const expected = `arn:aws:iam::${env.account}:oidc-provider/${GITHUB_OIDC_HOST}`;
    problems.check(
      ci.oidcProviderArn === expected,
      'ci.oidcProviderArn',
      `the GitHub OIDC provider of this environment's account, ${expected}`,
      ci.oidcProviderArn,
    );
  }
}

/**
 * Checks that environments sharing an account agree on what their one CI access stack holds.
 * Returns `[env] ci.field must ...` problems, like `environmentProblems`.
 */
export function ciAccountProblems(environments: readonly EnvironmentConfig[]): string[] {
  const problems: string[] = [];
  for (const [account, envs] of ciAccounts(environments)) {
    const [first, ...others] = envs;
    if (!first?.ci) continue;
    for (const env of others) {
      for (const field of ['repository', 'oidcProviderArn'] as const) {
        if (env.ci?.[field] !== first.ci[field]) {
          problems.push(
            `[${env.name}] ci.${field} must be the same as in ${first.name} (both in account ${account}, which has one CI access stack), got: ${JSON.stringify(env.ci?.[field])}`,
          );
        }
      }
    }
  }
  return problems;
}

/** Environments with `ci` settings grouped by account, in app order. */
export function ciAccounts(environments: readonly EnvironmentConfig[]): Map<string, EnvironmentConfig[]> {
  const accounts = new Map<string, EnvironmentConfig[]>();
  for (const env of environments) {
    if (!env.ci) continue;
    accounts.set(env.account, [...(accounts.get(env.account) ?? []), env]);
  }
  return accounts;
}
