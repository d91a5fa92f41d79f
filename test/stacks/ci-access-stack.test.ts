import { Match, Template } from 'aws-cdk-lib/assertions';
import { AssetManifestArtifact } from 'aws-cdk-lib/cx-api';
import { dev, prod, staging } from '../../lib/config/environments';
import type { EnvironmentConfig } from '../../lib/config/types';
import { CiAccessStack } from '../../lib/stacks/ci-access-stack';
import { exampleAssembly } from '../support/example-app';
import { testApp } from '../support/test-app';
import { variant } from '../support/variant';

const PROVIDER_ARN = 'arn:aws:iam::111111111111:oidc-provider/token.actions.githubusercontent.com';

/** The CI access stack the example app synthesizes for `account`. */
function exampleCiTemplate(account: string): Template {
  return Template.fromJSON(exampleAssembly().getStackByName(`ci-${account}`).template);
}

/** A CI access stack for `environments` alone, without the rest of the app. */
function ciTemplate(environments: EnvironmentConfig[]): Template {
  return Template.fromStack(new CiAccessStack(testApp(), 'ci-test', { environments }));
}

/** The trust policy GitHub tokens with one of `subjects` satisfy, and nothing else. */
function trust(subjects: string[], provider: unknown = { Ref: Match.stringLikeRegexp('^GitHubProvider') }) {
  return {
    Statement: [
      {
        Action: 'sts:AssumeRoleWithWebIdentity',
        Effect: 'Allow',
        Principal: { Federated: provider },
        Condition: {
          StringEquals: {
            'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com',
            'token.actions.githubusercontent.com:sub': subjects,
          },
        },
      },
    ],
    Version: '2012-10-17',
  };
}

/** Written out, not taken from CDK: a wrong qualifier here would otherwise go unseen. */
const bootstrapRole = (role: string, account: string, region = 'eu-west-1') =>
  `arn:aws:iam::${account}:role/cdk-hnb659fds-${role}-role-${account}-${region}`;

/** The ARNs a policy statement lists, with the partition CloudFormation fills in. */
function arnsOf(resource: unknown): string[] {
  const resolved = JSON.parse(JSON.stringify(resource).replace(/\{"Ref":"AWS::Partition"\}/g, '"aws"'), (_, value) =>
    value?.['Fn::Join'] ? value['Fn::Join'][1].join(value['Fn::Join'][0]) : value,
  );
  return [resolved].flat();
}

/** The one inline policy of the role whose logical id starts with `rolePrefix`. */
function policyOf(template: Template, rolePrefix: string) {
  const policies = Object.values(template.findResources('AWS::IAM::Policy')).filter((policy) =>
    JSON.stringify(policy.Properties.Roles).includes(rolePrefix),
  );
  expect(policies).toHaveLength(1);
  return policies[0]?.Properties.PolicyDocument;
}

describe('the example app', () => {
  test('has one CI access stack per account, outside the environment stages', () => {
    const ciStacks = exampleAssembly()
      .stacks.map((stack) => [stack.hierarchicalId, stack.environment.account, stack.environment.region])
      .filter(([id]) => id?.startsWith('ci-'));
    expect(ciStacks).toEqual([
      ['ci-111111111111', '111111111111', 'eu-west-1'],
      ['ci-222222222222', '222222222222', 'eu-west-1'],
      ['ci-333333333333', '333333333333', 'eu-west-1'],
    ]);
  });

  test('creates the GitHub OIDC provider for the STS audience', () => {
    const template = exampleCiTemplate('333333333333');
    template.resourceCountIs('AWS::IAM::OIDCProvider', 1);
    template.hasResourceProperties('AWS::IAM::OIDCProvider', {
      Url: 'https://token.actions.githubusercontent.com',
      ClientIdList: ['sts.amazonaws.com'],
    });
  });

  test('trusts the diff role to pull requests of the repository only', () => {
    exampleCiTemplate('333333333333').hasResourceProperties('AWS::IAM::Role', {
      Description: Match.stringLikeRegexp('pull requests'),
      AssumeRolePolicyDocument: trust(['repo:example-org@1234567/berth@987654321:pull_request']),
    });
  });

  test('trusts the deploy role to jobs in the GitHub Environment of the account only', () => {
    exampleCiTemplate('333333333333').hasResourceProperties('AWS::IAM::Role', {
      Description: Match.stringLikeRegexp('cdk deploy'),
      AssumeRolePolicyDocument: trust(['repo:example-org@1234567/berth@987654321:environment:prod']),
    });
  });

  test("lets the diff role read the deployed templates of the account's environments (region and us-east-1) and nothing else", () => {
    expect(policyOf(exampleCiTemplate('333333333333'), 'GitHubDiffRole')).toEqual({
      Statement: [
        {
          Sid: 'ReadDeployedTemplates',
          Effect: 'Allow',
          Action: ['cloudformation:DescribeStacks', 'cloudformation:GetTemplate'],
          // us-east-1 holds the environment's Uptime stack.
          Resource: [
            'arn:aws:cloudformation:eu-west-1:333333333333:stack/prod-*/*',
            'arn:aws:cloudformation:us-east-1:333333333333:stack/prod-*/*',
          ],
        },
      ],
      Version: '2012-10-17',
    });
  });

  test('lets the deploy role assume the three CDK bootstrap roles of a deploy (region and us-east-1) and nothing else', () => {
    expect(policyOf(exampleCiTemplate('333333333333'), 'GitHubDeployRole')).toEqual({
      Statement: [
        {
          Sid: 'AssumeCdkBootstrapRoles',
          Effect: 'Allow',
          Action: 'sts:AssumeRole',
          Resource: ['deploy', 'file-publishing', 'lookup'].flatMap((role) =>
            ['eu-west-1', 'us-east-1'].map((region) => bootstrapRole(role, '333333333333', region)),
          ),
        },
      ],
      Version: '2012-10-17',
    });
  });

  test.each(['111111111111', '222222222222', '333333333333'])(
    '%s: the deploy role may assume exactly the bootstrap roles the CLI uses for its stacks, the diff role read their templates',
    (account) => {
      const deploy = new Set<string>();
      const templates = new Set<string>();
      for (const stack of exampleAssembly().stacksRecursively) {
        if (stack.environment.account !== account || stack.hierarchicalId.startsWith('ci-')) continue;
        // The stacks have explicit accounts and regions: only the partition is left to CloudFormation.
        const asAssumed = (arn: string | undefined) => (arn ?? '').replace(/\$\{AWS::Partition\}/, 'aws');
        deploy.add(asAssumed(stack.assumeRoleArn));
        deploy.add(asAssumed(stack.lookupRole?.arn));
        templates.add(`arn:aws:cloudformation:${stack.environment.region}:${account}:stack/${stack.stackName}/*`);
        for (const dependency of stack.dependencies) {
          if (!(dependency instanceof AssetManifestArtifact)) continue;
          const { files = {}, dockerImages = {} } = dependency.contents;
          for (const asset of [...Object.values(files), ...Object.values(dockerImages)]) {
            for (const destination of Object.values(asset.destinations))
              deploy.add(asAssumed(destination.assumeRoleArn));
          }
        }
      }
      expect(deploy.size).toBeGreaterThanOrEqual(6);
      const template = exampleCiTemplate(account);
      expect(arnsOf(policyOf(template, 'GitHubDeployRole').Statement[0].Resource).sort()).toEqual([...deploy].sort());
      const readable = arnsOf(policyOf(template, 'GitHubDiffRole').Statement[0].Resource).map(
        (pattern) => new RegExp(`^${pattern.replace(/\*/g, '[^/]*')}$`),
      );
      expect(templates.size).toBeGreaterThanOrEqual(3);
      for (const arn of templates) expect(readable.some((pattern) => pattern.test(arn))).toBe(true);
    },
  );

  test('gives the roles no managed policies, one-hour diff sessions and deploy sessions as long as a deploy job', () => {
    const roles = exampleCiTemplate('111111111111').findResources('AWS::IAM::Role');
    expect(Object.keys(roles)).toHaveLength(2);
    for (const role of Object.values(roles)) {
      expect(role.Properties.ManagedPolicyArns).toBeUndefined();
      expect(role.Properties.Policies).toBeUndefined();
    }
    const sessionOf = (prefix: string) =>
      Object.entries(roles).find(([id]) => id.startsWith(prefix))?.[1].Properties.MaxSessionDuration;
    expect(sessionOf('GitHubDiffRole')).toBe(3600);
    expect(sessionOf('GitHubDeployRole')).toBe(5400);
  });

  test('outputs both role ARNs for the GitHub variables', () => {
    const outputs = exampleCiTemplate('222222222222').findOutputs('*');
    expect(Object.keys(outputs).sort()).toEqual(['DeployRoleArn', 'DiffRoleArn']);
  });
});

test("names the bootstrap roles with cdk.json's qualifier when the accounts were bootstrapped with one", () => {
  const app = testApp({ '@aws-cdk/core:bootstrapQualifier': 'berth1' });
  const template = Template.fromStack(new CiAccessStack(app, 'ci-test', { environments: [prod] }));
  expect(arnsOf(policyOf(template, 'GitHubDeployRole').Statement[0].Resource)).toContain(
    'arn:aws:iam::333333333333:role/cdk-berth1-lookup-role-333333333333-us-east-1',
  );
});

describe('an account shared by several environments', () => {
  const shared = [
    dev,
    variant(staging, {
      account: dev.account,
      region: 'eu-central-1',
      availabilityZones: ['eu-central-1a', 'eu-central-1b'],
    }),
  ];

  test('trusts the deploy role to the GitHub Environment of each', () => {
    ciTemplate(shared).hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: trust([
        'repo:example-org@1234567/berth@987654321:environment:dev',
        'repo:example-org@1234567/berth@987654321:environment:staging',
      ]),
    });
  });

  test('lets the roles reach every region used, and the diff role the stacks of each environment', () => {
    expect(arnsOf(policyOf(ciTemplate(shared), 'GitHubDeployRole').Statement[0].Resource)).toEqual(
      expect.arrayContaining(
        ['eu-central-1', 'eu-west-1', 'us-east-1'].map((r) => bootstrapRole('lookup', dev.account, r)),
      ),
    );
    // Policy minimization sorts literal ARNs.
    expect(policyOf(ciTemplate(shared), 'GitHubDiffRole').Statement[0].Resource).toEqual(
      ['eu-central-1', 'eu-west-1', 'us-east-1'].flatMap((region) =>
        ['dev', 'staging'].map((env) => `arn:aws:cloudformation:${region}:${dev.account}:stack/${env}-*/*`),
      ),
    );
  });
});

test('uses a configured GitHub Environment name instead of the environment name', () => {
  ciTemplate([variant(prod, { ci: { githubEnvironment: 'production' } })]).hasResourceProperties('AWS::IAM::Role', {
    AssumeRolePolicyDocument: trust(['repo:example-org@1234567/berth@987654321:environment:production']),
  });
});

test('trusts the name-only subject of a repository without immutable subject claims', () => {
  const template = ciTemplate([variant(prod, { ci: { repository: 'example-org/berth' } })]);
  template.hasResourceProperties('AWS::IAM::Role', {
    AssumeRolePolicyDocument: trust(['repo:example-org/berth:pull_request']),
  });
  template.hasResourceProperties('AWS::IAM::Role', {
    AssumeRolePolicyDocument: trust(['repo:example-org/berth:environment:prod']),
  });
});

test('trusts an existing OIDC provider by ARN instead of creating one', () => {
  const template = ciTemplate([variant(dev, { ci: { oidcProviderArn: PROVIDER_ARN } })]);
  template.resourceCountIs('AWS::IAM::OIDCProvider', 0);
  template.hasResourceProperties('AWS::IAM::Role', {
    AssumeRolePolicyDocument: trust(['repo:example-org@1234567/berth@987654321:pull_request'], PROVIDER_ARN),
  });
});

test('refuses to build without an environment that has ci settings', () => {
  const { ci: _, ...withoutCi } = dev;
  expect(() => new CiAccessStack(testApp(), 'ci-none', { environments: [withoutCi] })).toThrow(/ci settings/);
});
