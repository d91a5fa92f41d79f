import * as sqs from 'aws-cdk-lib/aws-sqs';
import { composeApp } from '../lib/app';
import { dev } from '../lib/config/environments';
import { summarize } from '../lib/summary';
import { exampleAssembly, exampleStack, exampleTemplate } from './support/example-app';
import { testApp } from './support/test-app';

describe('the example app', () => {
  test('has one stage per environment, each with its own account and region', () => {
    expect(exampleAssembly().nestedAssemblies.map((nested) => nested.id)).toEqual(
      expect.arrayContaining(['assembly-dev', 'assembly-staging', 'assembly-prod']),
    );
    expect(exampleAssembly().nestedAssemblies).toHaveLength(3);
    expect(['dev', 'staging', 'prod'].map((env) => exampleStack(env, 'Service').environment)).toMatchObject([
      { account: '111111111111', region: 'eu-west-1' },
      { account: '222222222222', region: 'eu-west-1' },
      { account: '333333333333', region: 'eu-west-1' },
    ]);
  });

  test('names stacks so that `cdk deploy <env>/*` selects one environment', () => {
    expect(
      exampleAssembly()
        .getNestedAssembly('assembly-prod')
        .stacks.map((stack) => stack.hierarchicalId),
    ).toEqual(['prod/Data', 'prod/Uptime', 'prod/Service']);
  });

  test('passes cdk-nag AwsSolutions with no unacknowledged finding', () => {
    // composeApp registers the pack as a validation plugin, so the example's synth fails on any finding.
    expect(() => exampleAssembly()).not.toThrow();
  });

  test('fails synth when a stage holds an unacknowledged cdk-nag finding', () => {
    const app = testApp();
    const [stage] = composeApp(app, [dev]);
    new sqs.Queue(stage.data, 'UnencryptedQueue');
    expect(() => app.synth()).toThrow(/dev\/Data\/UnencryptedQueue[\s\S]*AwsSolutions-SQS3/);
  });

  test("records no L2 construct's properties or method calls as usage data (cdk.json turns it off)", () => {
    const stacks = exampleAssembly().nestedAssemblies.flatMap((nested) => nested.nestedAssembly.stacks);
    const entries = (type: string) => stacks.flatMap((stack) => stack.findMetadataByType(type));
    expect(entries('aws:cdk:logicalId').length).toBeGreaterThan(100);
    expect(entries('aws:cdk:analytics:construct')).toEqual([]);
    expect(entries('aws:cdk:analytics:method')).toEqual([]);
  });

  test('pins every stack to the configured AZs, so synth needs no lookup', () => {
    const subnets = Object.values(exampleTemplate('prod', 'Data').findResources('AWS::EC2::Subnet'));
    expect(new Set(subnets.map((subnet) => subnet.Properties.AvailabilityZone))).toEqual(
      new Set(['eu-west-1a', 'eu-west-1b', 'eu-west-1c']),
    );
    expect(exampleAssembly().manifest.missing ?? []).toEqual([]);
  });
});

describe('the synth summary', () => {
  const lines = summarize(exampleAssembly());

  test('lists the environments in deploy order, with account and region', () => {
    expect(lines.filter((line) => !line.startsWith(' '))).toEqual([
      'dev  (111111111111/eu-west-1)',
      'staging  (222222222222/eu-west-1)',
      'prod  (333333333333/eu-west-1)',
    ]);
  });

  test('reports what the templates deploy: NAT, database, cache and the cost against the budget', () => {
    const prod = lines.slice(lines.indexOf('prod  (333333333333/eu-west-1)'));
    expect(prod).toContain('  network:   3 NAT gateway(s), 0 NAT instance(s), 5 VPC endpoint(s)');
    expect(prod).toContainEqual(
      expect.stringMatching(
        /^ {2}database: {2}db\.t4g\.medium postgres 18\.3, Multi-AZ, 100\.\.500 GiB, backups 30 days, deletion protection on$/,
      ),
    );
    expect(prod).toContainEqual(
      expect.stringMatching(/^ {2}cache: {5}2 x cache\.t4g\.small valkey 8\.0, failover on$/),
    );
    expect(prod).toContainEqual(expect.stringMatching(/^ {2}cost: .*budget \$700\.00: within/));
    expect(lines).toContain('  network:   0 NAT gateway(s), 1 NAT instance(s), 1 VPC endpoint(s)');
  });
});
