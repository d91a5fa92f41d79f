import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { composeApp } from '../../lib/app';
import { usageOf } from '../../lib/config/cost';
import { prod } from '../../lib/config/environments';
import { estimateCost } from '../../lib/cost/estimate';
import { type SynthesizedStack, stacksOf } from '../../lib/review/assembly';
import { reviewRelease } from '../../lib/review/review';
import { summarize } from '../../lib/summary';
import { cfnLintAvailable, runCfnLint } from '../support/cfn-lint';
import { synthesizeStacks } from '../support/synth-variant';
import { testApp } from '../support/test-app';
import { variant } from '../support/variant';

// prod on PostgreSQL 17 (a major AWS documents RDS Proxy for), with and without the proxy, each
// synthesized with cdk-nag as `npm run synth` does: a nag error would fail the synth.
const withoutProxy = variant(prod, { database: { postgresVersion: '17.6' } });
const config = variant(withoutProxy, { database: { proxy: true } });
let stacks: SynthesizedStack[];
let data: Template;
let service: Template;
let summary: string[];
beforeAll(() => {
  const app = testApp();
  composeApp(app, [config]);
  const assembly = app.synth();
  stacks = stacksOf(assembly.directory);
  summary = summarize(assembly);
  const templateOfStack = (id: string) => {
    const found = stacks.find((stack) => stack.stackId === id);
    if (!found) throw new Error(`no stack ${id}`);
    return Template.fromJSON(found.template as Record<string, unknown>);
  };
  data = templateOfStack('prod/Data');
  service = templateOfStack('prod/Service');
});

/** The logical id of the only resource of `type` in `template`. */
function onlyId(template: Template, type: string): string {
  const ids = Object.keys(template.findResources(type));
  expect(ids).toHaveLength(1);
  return ids[0] ?? '';
}

/** The security group rules of `type` whose `GroupId` mentions `group`. */
function rulesOf(template: Template, type: string, group: string): Record<string, unknown>[] {
  return Object.values(template.findResources(type))
    .map((rule) => rule.Properties as Record<string, unknown>)
    .filter((rule) => JSON.stringify(rule.GroupId).includes(group));
}

describe('an RDS Proxy (database.proxy: true)', () => {
  test('fronts the instance from the isolated subnets, TLS and SCRAM required, signing in with its secret', () => {
    const instanceId = onlyId(data, 'AWS::RDS::DBInstance');
    const proxyId = onlyId(data, 'AWS::RDS::DBProxy');
    data.hasResourceProperties('AWS::RDS::DBProxy', {
      EngineFamily: 'POSTGRESQL',
      RequireTLS: true,
      Auth: [
        {
          AuthScheme: 'SECRETS',
          IAMAuth: 'DISABLED',
          ClientPasswordAuthType: 'POSTGRES_SCRAM_SHA_256',
          SecretArn: { Ref: Match.stringLikeRegexp('^DatabaseInstanceSecretAttachment') },
        },
      ],
      VpcSubnetIds: [1, 2, 3].map((az) => ({ Ref: Match.stringLikeRegexp(`^NetworkVpcIsolatedSubnet${az}Subnet`) })),
      VpcSecurityGroupIds: [{ 'Fn::GetAtt': [Match.stringLikeRegexp('^DatabaseProxySecurityGroup'), 'GroupId'] }],
    });
    // max_connections 450 of db.t4g.medium less the 10 of headroom: 97 %.
    data.hasResourceProperties('AWS::RDS::DBProxyTargetGroup', {
      DBProxyName: { Ref: proxyId },
      DBInstanceIdentifiers: [{ Ref: instanceId }],
      ConnectionPoolConfigurationInfo: { MaxConnectionsPercent: 97 },
    });
  });

  test('may read only the database secret, and decrypt it with the environment key', () => {
    const roleId = Object.keys(data.findResources('AWS::IAM::Role')).find((id) =>
      id.startsWith('DatabaseProxyIAMRole'),
    );
    expect(roleId).toBeDefined();
    data.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { Service: 'rds.amazonaws.com' } })] },
    });
    data.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: roleId }],
      PolicyDocument: {
        Statement: [
          {
            Action: ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue'],
            Effect: 'Allow',
            Resource: { Ref: Match.stringLikeRegexp('^DatabaseInstanceSecretAttachment') },
          },
          {
            Action: 'kms:Decrypt',
            Effect: 'Allow',
            Resource: { 'Fn::GetAtt': [onlyId(data, 'AWS::KMS::Key'), 'Arn'] },
          },
        ],
      },
    });
  });

  test('is the only way from the tasks to the database: tasks reach the proxy, the proxy the instance', () => {
    // The instance admits the rotation function and the proxy, not the tasks.
    const databaseIngress = rulesOf(data, 'AWS::EC2::SecurityGroupIngress', 'DatabaseSecurityGroup');
    expect(databaseIngress.map((rule) => JSON.stringify(rule.SourceSecurityGroupId)).sort()).toEqual([
      expect.stringContaining('RotationSingleUserSecurityGroup'),
      expect.stringContaining('DatabaseProxySecurityGroup'),
    ]);
    expect(rulesOf(service, 'AWS::EC2::SecurityGroupIngress', 'DatabaseSecurityGroup')).toEqual([]);
    // The proxy's only way out is the instance's port.
    const proxyEgress = rulesOf(data, 'AWS::EC2::SecurityGroupEgress', 'DatabaseProxySecurityGroup');
    expect(proxyEgress).toHaveLength(1);
    expect(JSON.stringify(proxyEgress[0]?.DestinationSecurityGroupId)).toContain('DatabaseSecurityGroup');
    // The tasks' group is admitted to the proxy on 5432, from the service stack.
    expect(rulesOf(data, 'AWS::EC2::SecurityGroupIngress', 'DatabaseProxySecurityGroup')).toEqual([]);
    const proxyIngress = rulesOf(service, 'AWS::EC2::SecurityGroupIngress', 'DatabaseProxySecurityGroup');
    expect(proxyIngress).toEqual([
      expect.objectContaining({
        IpProtocol: 'tcp',
        FromPort: 5432,
        ToPort: 5432,
        SourceSecurityGroupId: { 'Fn::GetAtt': [expect.stringMatching(/^ApiSecurityGroup/), 'GroupId'] },
      }),
    ]);
  });

  test('is where the API, the migrations and DATABASE_URL connect', () => {
    const proxyEndpoint = {
      'Fn::ImportValue': Match.stringLikeRegexp('^prod-Data:ExportsOutputFnGetAttDatabaseProxy.*Endpoint'),
    };
    const taskDefinitions = service.findResources('AWS::ECS::TaskDefinition', {
      Properties: {
        ContainerDefinitions: [
          Match.objectLike({
            Environment: Match.arrayWith([
              { Name: 'DB_HOST', Value: proxyEndpoint },
              { Name: 'DB_PORT', Value: '5432' },
            ]),
          }),
        ],
      },
    });
    expect(Object.keys(taskDefinitions).sort()).toEqual([
      expect.stringMatching(/^ApiTaskDefinition/),
      expect.stringMatching(/^MigrationTask/),
    ]);
    service.hasResourceProperties('Custom::BerthConnectionStrings', { DatabaseHost: proxyEndpoint });
    service.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ DATABASE_HOST: proxyEndpoint }) },
    });
  });

  test('is on the dashboard: connections on both sides, pinned connections, the wait for one', () => {
    const [dashboard] = Object.values(service.findResources('AWS::CloudWatch::Dashboard'));
    if (!dashboard) throw new Error('no dashboard');
    const [, parts] = (dashboard.Properties.DashboardBody as { 'Fn::Join': [string, unknown[]] })['Fn::Join'];
    // Tokens sit inside JSON strings: stand in a word for each, then read the JSON.
    const standIn = (token: unknown) =>
      /^\{"Fn::ImportValue":"prod-Data:ExportsOutputRefDatabaseProxy\w+"\}$/.test(JSON.stringify(token))
        ? 'PROXY'
        : 'TOKEN';
    const body = JSON.parse(parts.map((part) => (typeof part === 'string' ? part : standIn(part))).join(''));
    const all = body.widgets as { properties: { title?: string; metrics?: unknown[][] } }[];
    const widgets = all.filter((w) => w.properties.title?.startsWith('RDS Proxy'));
    // After the WAF, before the uptime alarm of us-east-1, as the README says.
    const titles = all.map((w) => w.properties.title ?? '');
    const waf = titles.indexOf('WAF: allowed and blocked per 5 minutes');
    expect(titles.slice(waf + 1, waf + 4)).toEqual([
      'RDS Proxy: client, database and pinned connections',
      'RDS Proxy: wait for a database connection (µs)',
      expect.stringMatching(/^Uptime \(us-east-1\)/),
    ]);
    const count = (id: string, name: string) => [
      [{ label: name, expression: `${id} / (PERIOD(${id}) / 60)`, period: 60 }],
      ['AWS/RDS', name, 'ProxyName', 'PROXY', { id, visible: false, period: 60, stat: 'Sum' }],
    ];
    // Counts are summed per minute and divided by the minutes a wider period sums; Average, the
    // dashboard's default statistic, goes unwritten.
    expect(widgets.flatMap((w) => w.properties.metrics ?? [])).toEqual([
      ...count('clients', 'ClientConnections'),
      ...count('database', 'DatabaseConnections'),
      ...count('pinned', 'DatabaseConnectionsCurrentlySessionPinned'),
      ['AWS/RDS', 'DatabaseConnectionsBorrowLatency', 'ProxyName', 'PROXY', { period: 60 }],
    ]);
  });

  test("points the database connection alarm at the proxy's dashboard row", () => {
    service.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'berth-prod-db-connections',
      AlarmDescription: Match.stringLikeRegexp("Check first: the dashboard's RDS Proxy row"),
    });
  });

  test('is admitted before the first migration runs through it', () => {
    const [run] = Object.values(service.findResources('Custom::BerthMigration'));
    expect(run?.DependsOn).toEqual(
      expect.arrayContaining([expect.stringMatching(/^ApiSecurityGroup.*DatabaseProxySecurityGroup.*5432/)]),
    );
  });

  test('can be turned on and off on a deployed environment, in the order the release review gives', () => {
    const before = synthesizeStacks([withoutProxy]);
    const turnOn = reviewRelease(before, stacks);
    expect(turnOn.blocking).toEqual([]);
    expect(turnOn.blockingExports).toEqual([]);
    expect(turnOn.deployFirst).toEqual([]);
    // The Service stack lets go of the proxy's exports before the Data stack removes them.
    const turnOff = reviewRelease(stacks, before);
    expect(turnOff.blocking).toEqual([]);
    expect(turnOff.blockingExports).toEqual([]);
    expect(turnOff.deployFirst).toEqual(['prod/Service']);
    expect(turnOff.exportsInUse.map((entry) => entry.exportName)).toEqual([
      expect.stringContaining('DatabaseProxy'),
      expect.stringContaining('DatabaseProxy'),
      expect.stringContaining('DatabaseProxy'),
    ]);
  });

  test("is named in the synth summary's database line", () => {
    expect(summary).toContainEqual(
      expect.stringMatching(/^ {2}database: .*deletion protection on, behind an RDS Proxy$/),
    );
  });

  test('is priced by the vCPUs of the instance behind it', () => {
    const estimate = estimateCost({
      environment: config.name,
      region: config.region,
      stacks: stacks.map((stack) => ({ region: config.region, template: stack.template })),
      usage: usageOf(config.cost),
    });
    const line = estimate.lines.find((l) => l.item === 'RDS Proxy');
    // db.t4g.medium has 2 vCPUs: 2 × 730 h × $0.0165 in eu-west-1.
    expect(line?.detail).toBe('2 vCPU × 730 h × $0.0165');
    expect(line?.monthlyUsd).toBeCloseTo(24.09, 6);
  });

  // The Data stack only: the Service stack's share (an imported endpoint in environment variables,
  // one ingress rule) has the shapes test/cfn-lint.test.ts lints in every example Service stack.
  (cfnLintAvailable() ? test : test.skip)(
    'passes cfn-lint',
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'berth-proxy-'));
      try {
        const path = join(dir, 'Data.json');
        writeFileSync(path, JSON.stringify(stacks.find((s) => s.stackId === 'prod/Data')?.template));
        expect(await runCfnLint([{ path, region: config.region }])).toEqual({ status: 0, output: '' });
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
    120_000,
  );
});
