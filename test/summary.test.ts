import { summarize } from '../lib/summary';
import { exampleApp } from './support/example-app';

describe('the synth summary', () => {
  const lines = summarize(exampleApp().assembly.directory);

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
