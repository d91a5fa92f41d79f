import { Duration, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { GITHUB_OIDC_HOST } from '../config/ci';

/** The CDK bootstrap roles a CI job assumes; the CLI picks each by its job. */
export type BootstrapRole = 'deploy' | 'file-publishing' | 'image-publishing' | 'lookup';

/**
 * `cdk diff --method=template` reads the deployed templates through the lookup role only (the
 * change-set method needs the deploy role, which can also execute changes). `cdk deploy` needs
 * all four: deploy (change sets), file and image publishing (assets), lookup.
 */
export const DIFF_BOOTSTRAP_ROLES: readonly BootstrapRole[] = ['lookup'];
export const DEPLOY_BOOTSTRAP_ROLES: readonly BootstrapRole[] = [
  'deploy',
  'file-publishing',
  'image-publishing',
  'lookup',
];

/** The default qualifier of `cdk bootstrap` (and of the app's stack synthesizer). */
export const DEFAULT_BOOTSTRAP_QUALIFIER = 'hnb659fdfb';

export interface GithubOidcAccessProps {
  /** GitHub repository `owner/name` whose workflows may assume the roles. */
  readonly repository: string;
  /** GitHub Environments whose jobs may assume the deploy role, e.g. `['dev', 'staging']`. */
  readonly deployEnvironments: readonly string[];
  /** Regions of the account that CI deploys to; the bootstrap roles exist once per region. */
  readonly regions: readonly string[];
  /**
   * ARN of the account's existing GitHub OIDC provider.
   * @default - a new provider for token.actions.githubusercontent.com with audience sts.amazonaws.com
   */
  readonly oidcProviderArn?: string;
  /**
   * Qualifier the account was bootstrapped with (`cdk bootstrap --qualifier`).
   * @default DEFAULT_BOOTSTRAP_QUALIFIER
   */
  readonly bootstrapQualifier?: string;
}

/**
 * GitHub Actions access to one account without long-lived keys: the GitHub OIDC provider and two
 * roles that GitHub's short-lived tokens can assume.
 * - `diffRole`: only pull requests of `repository`; may assume only the CDK lookup role, enough
 *   for `cdk diff --method=template` and nothing that changes the account.
 * - `deployRole`: only jobs of `repository` running in one of `deployEnvironments` (whose
 *   protection rules GitHub enforces before it issues the token); may assume only the CDK
 *   bootstrap roles `cdk deploy` uses.
 * Neither role has any other permission: what a deploy may do is what the bootstrap roles allow.
 */
export class GithubOidcAccess extends Construct {
  readonly provider: iam.IOidcProvider;
  readonly diffRole: iam.Role;
  readonly deployRole: iam.Role;

  constructor(scope: Construct, id: string, props: GithubOidcAccessProps) {
    super(scope, id);
    this.provider = props.oidcProviderArn
      ? iam.OidcProviderNative.fromOidcProviderArn(this, 'Provider', props.oidcProviderArn)
      : new iam.OidcProviderNative(this, 'Provider', {
          url: `https://${GITHUB_OIDC_HOST}`,
          clientIds: ['sts.amazonaws.com'],
        });

    const qualifier = props.bootstrapQualifier ?? DEFAULT_BOOTSTRAP_QUALIFIER;
    const { account, partition } = Stack.of(this);
    const bootstrapRoleArns = (roles: readonly BootstrapRole[]) =>
      props.regions.flatMap((region) =>
        roles.map((role) => `arn:${partition}:iam::${account}:role/cdk-${qualifier}-${role}-role-${account}-${region}`),
      );

    this.diffRole = this.role('DiffRole', {
      description: `GitHub Actions, pull requests of ${props.repository}: cdk diff (lookup role only)`,
      subjects: [`repo:${props.repository}:pull_request`],
      bootstrapRoleArns: bootstrapRoleArns(DIFF_BOOTSTRAP_ROLES),
    });
    this.deployRole = this.role('DeployRole', {
      description: `GitHub Actions, ${props.repository} environments ${props.deployEnvironments.join(', ')}: cdk deploy`,
      subjects: props.deployEnvironments.map((env) => `repo:${props.repository}:environment:${env}`),
      bootstrapRoleArns: bootstrapRoleArns(DEPLOY_BOOTSTRAP_ROLES),
    });
  }

  private role(
    id: string,
    options: { description: string; subjects: string[]; bootstrapRoleArns: string[] },
  ): iam.Role {
    const role = new iam.Role(this, id, {
      description: options.description,
      assumedBy: new iam.WebIdentityPrincipal(this.provider.oidcProviderArn, {
        StringEquals: {
          [`${GITHUB_OIDC_HOST}:aud`]: 'sts.amazonaws.com',
          [`${GITHUB_OIDC_HOST}:sub`]: options.subjects,
        },
      }),
      // A CI job's credentials live no longer than a deploy needs.
      maxSessionDuration: Duration.hours(1),
    });
    role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'AssumeCdkBootstrapRoles',
        actions: ['sts:AssumeRole'],
        resources: options.bootstrapRoleArns,
      }),
    );
    return role;
  }
}
