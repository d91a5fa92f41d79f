import { BOOTSTRAP_QUALIFIER_CONTEXT, DefaultStackSynthesizer, Duration, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { GITHUB_OIDC_HOST } from '../config/ci';

/** The CDK bootstrap roles a CI job assumes; the CLI picks each by its job. */
export type BootstrapRole = 'deploy' | 'file-publishing' | 'lookup';

/**
 * `cdk diff --method=template` reads the deployed templates through the lookup role only (the
 * change-set method needs the deploy role, which can also execute changes). `cdk deploy` needs
 * deploy (change sets), file publishing (templates and Lambda code) and lookup. Not image
 * publishing: Berth builds no container image assets (images are deployed by reference).
 */
export const DIFF_BOOTSTRAP_ROLES: readonly BootstrapRole[] = ['lookup'];
export const DEPLOY_BOOTSTRAP_ROLES: readonly BootstrapRole[] = ['deploy', 'file-publishing', 'lookup'];

/**
 * How long a deploy job's credentials last: as long as deploy.yml lets a deploy job run
 * (`timeout-minutes`), and what the release action asks for (`role-duration-seconds`). Shorter,
 * a long deploy (a migration, a Multi-AZ change, a circuit-breaker rollback) would fail half-way
 * with expired credentials while CloudFormation carries on.
 */
export const DEPLOY_SESSION = Duration.minutes(90);

export interface GithubOidcAccessProps {
  /**
   * GitHub repository whose workflows may assume the roles, as its tokens' subject claims name it:
   * `owner@OWNER_ID/name@REPO_ID` (immutable subject claims) or `owner/name`.
   */
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

    // The qualifier the app's stacks name their bootstrap roles with, so the two cannot drift:
    // cdk.json's `@aws-cdk/core:bootstrapQualifier` (`cdk bootstrap --qualifier`), else CDK's own.
    const qualifier = String(
      this.node.tryGetContext(BOOTSTRAP_QUALIFIER_CONTEXT) ?? DefaultStackSynthesizer.DEFAULT_QUALIFIER,
    );
    const { account, partition } = Stack.of(this);
    const bootstrapRoleArns = (roles: readonly BootstrapRole[]) =>
      props.regions.flatMap((region) =>
        roles.map((role) => `arn:${partition}:iam::${account}:role/cdk-${qualifier}-${role}-role-${account}-${region}`),
      );

    this.diffRole = this.role('DiffRole', {
      description: `GitHub Actions, pull requests of ${props.repository}: cdk diff (lookup role only)`,
      subjects: [`repo:${props.repository}:pull_request`],
      bootstrapRoleArns: bootstrapRoleArns(DIFF_BOOTSTRAP_ROLES),
      maxSessionDuration: Duration.hours(1),
    });
    this.deployRole = this.role('DeployRole', {
      description: `GitHub Actions, ${props.repository} environments ${props.deployEnvironments.join(', ')}: cdk deploy`,
      subjects: props.deployEnvironments.map((env) => `repo:${props.repository}:environment:${env}`),
      bootstrapRoleArns: bootstrapRoleArns(DEPLOY_BOOTSTRAP_ROLES),
      maxSessionDuration: DEPLOY_SESSION,
    });
  }

  private role(
    id: string,
    options: { description: string; subjects: string[]; bootstrapRoleArns: string[]; maxSessionDuration: Duration },
  ): iam.Role {
    const role = new iam.Role(this, id, {
      description: options.description,
      assumedBy: new iam.WebIdentityPrincipal(this.provider.oidcProviderArn, {
        StringEquals: {
          [`${GITHUB_OIDC_HOST}:aud`]: 'sts.amazonaws.com',
          [`${GITHUB_OIDC_HOST}:sub`]: options.subjects,
        },
      }),
      // A CI job's credentials live no longer than its job may run.
      maxSessionDuration: options.maxSessionDuration,
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
