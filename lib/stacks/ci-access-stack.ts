import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { ciAccounts, githubEnvironmentOf } from '../config/ci';
import type { EnvironmentConfig } from '../config/types';
import { GithubOidcAccess } from '../constructs/github-oidc';
import { UPTIME_REGION } from './uptime-stack';

export interface CiAccessStackProps extends StackProps {
  /** The validated environments of one account that have `ci` settings (they agree on them). */
  readonly environments: readonly EnvironmentConfig[];
}

/**
 * GitHub Actions access to one AWS account: the OIDC provider (or the existing one) and the diff
 * and deploy roles, trusted for the configured repository and the GitHub Environments of every
 * environment in the account. Deployed once per account from a workstation
 * (`npx cdk deploy ci-<account>`), before CI can run; it sits outside the environment stages so
 * that `cdk deploy '<env>/*'` (and so CI) never changes its own trust.
 */
export class CiAccessStack extends Stack {
  readonly access: GithubOidcAccess;

  constructor(scope: Construct, id: string, props: CiAccessStackProps) {
    const [first] = props.environments;
    if (!first?.ci) throw new Error(`${id} needs at least one environment with ci settings`);
    super(scope, id, {
      description: `Berth CI access for GitHub ${first.ci.repository} to account ${first.account}`,
      env: { account: first.account, region: first.region },
      ...props,
    });
    this.access = new GithubOidcAccess(this, 'GitHub', {
      repository: first.ci.repository,
      oidcProviderArn: first.ci.oidcProviderArn,
      deployEnvironments: [...new Set(props.environments.map((env) => githubEnvironmentOf(env) ?? env.name))],
      // Each environment's region, and us-east-1 where its Uptime stack lives.
      regions: [...new Set([...props.environments.map((env) => env.region), UPTIME_REGION])],
      // Each stage names its stacks `<environment>-<stack>`.
      diffStackNames: props.environments.map((env) => `${env.name}-*`),
    });
    new CfnOutput(this, 'DiffRoleArn', {
      description:
        'Pull-request diffs: repository variable AWS_DIFF_ROLE_ARN_<ENV> for each environment of this account',
      value: this.access.diffRole.roleArn,
    });
    new CfnOutput(this, 'DeployRoleArn', {
      description: 'Deploys: variable AWS_DEPLOY_ROLE_ARN of each GitHub Environment of this account',
      value: this.access.deployRole.roleArn,
    });
  }
}

/** The stack id of the CI access stack of `account`: `cdk deploy ci-<account>`. */
export function ciAccessStackId(account: string): string {
  return `ci-${account}`;
}

/** One CI access stack per account that has environments with `ci` settings. */
export function addCiAccessStacks(scope: Construct, environments: readonly EnvironmentConfig[]): CiAccessStack[] {
  return [...ciAccounts(environments)].map(
    ([account, envs]) => new CiAccessStack(scope, ciAccessStackId(account), { environments: envs }),
  );
}
