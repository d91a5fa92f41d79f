import { BOOTSTRAP_QUALIFIER_CONTEXT, DefaultStackSynthesizer, Duration, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { GITHUB_OIDC_HOST } from '../config/ci';
import { acknowledge, wildcardFinding } from '../nag';

/** The CDK bootstrap roles a CI job assumes; the CLI picks each by its job. */
export type BootstrapRole = 'deploy' | 'file-publishing' | 'lookup';

/**
 * `cdk deploy` needs deploy (change sets), file publishing (templates and Lambda code) and lookup.
 * Not image publishing: Berth builds no container image assets (images are deployed by reference).
 */
export const DEPLOY_BOOTSTRAP_ROLES: readonly BootstrapRole[] = ['deploy', 'file-publishing', 'lookup'];

/**
 * What `cdk diff --method=template` calls to read a deployed template. The diff role has only
 * these, on its environments' stacks, not the lookup role: that one has AWS's `ReadOnlyAccess`,
 * which would let any pull request read the account's logs and S3 objects. When the CLI cannot
 * assume a lookup role it warns and reads with the job's own credentials.
 */
export const DIFF_ACTIONS: readonly string[] = ['cloudformation:DescribeStacks', 'cloudformation:GetTemplate'];

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
  /** CloudFormation stack names (`*` allowed) whose templates pull-request diffs read, e.g. `['prod-*']`. */
  readonly diffStackNames: readonly string[];
  /**
   * ARN of the account's existing GitHub OIDC provider.
   * @default - a new provider for token.actions.githubusercontent.com with audience sts.amazonaws.com
   */
  readonly oidcProviderArn?: string;
}

/**
 * GitHub Actions access to one account without long-lived keys: the GitHub OIDC provider and two
 * roles that GitHub's short-lived tokens can assume.
 * - `diffRole`: only pull requests of `repository`; may only read the deployed templates of
 *   `diffStackNames`, which is what `cdk diff --method=template` does.
 * - `deployRole`: only jobs of `repository` running in one of `deployEnvironments` (whose
 *   protection rules GitHub enforces before it issues the token); may assume only the CDK
 *   bootstrap roles `cdk deploy` uses.
 * Neither role has any other permission: what a deploy may do is what the bootstrap roles allow,
 * and a pull request reads templates, which hold no secret value.
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

    this.diffRole = this.role('DiffRole', {
      description: `GitHub Actions, pull requests of ${props.repository}: cdk diff (reads deployed templates only)`,
      subjects: [`repo:${props.repository}:pull_request`],
      maxSessionDuration: Duration.hours(1),
    });
    const diffStacks = props.regions.flatMap((region) =>
      props.diffStackNames.map((name) => `arn:${partition}:cloudformation:${region}:${account}:stack/${name}/*`),
    );
    this.diffRole.addToPolicy(
      new iam.PolicyStatement({ sid: 'ReadDeployedTemplates', actions: [...DIFF_ACTIONS], resources: diffStacks }),
    );
    for (const stack of diffStacks) {
      acknowledge(
        this.diffRole,
        wildcardFinding(this, stack),
        'Pull-request diffs read the templates of these stacks only: one name pattern per environment, and any of the stack ids CloudFormation appends.',
      );
    }
    this.deployRole = this.role('DeployRole', {
      description: `GitHub Actions, ${props.repository} environments ${props.deployEnvironments.join(', ')}: cdk deploy`,
      subjects: props.deployEnvironments.map((env) => `repo:${props.repository}:environment:${env}`),
      maxSessionDuration: DEPLOY_SESSION,
    });
    this.deployRole.addToPolicy(
      new iam.PolicyStatement({
        sid: 'AssumeCdkBootstrapRoles',
        actions: ['sts:AssumeRole'],
        resources: props.regions.flatMap((region) =>
          DEPLOY_BOOTSTRAP_ROLES.map(
            (role) => `arn:${partition}:iam::${account}:role/cdk-${qualifier}-${role}-role-${account}-${region}`,
          ),
        ),
      }),
    );
  }

  private role(
    id: string,
    options: { description: string; subjects: string[]; maxSessionDuration: Duration },
  ): iam.Role {
    return new iam.Role(this, id, {
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
  }
}
