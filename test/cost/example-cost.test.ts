import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { environments } from '../../lib/config/environments';
import { type CostSettings, estimateAssembly, formatStage, type StageEstimate, totalLine } from '../../lib/cost/report';
import { exampleAssembly } from '../support/example-app';

let stages: StageEstimate[];
beforeAll(() => {
  stages = estimateAssembly(exampleAssembly(), environments);
});

function stage(name: string): StageEstimate {
  const found = stages.find((s) => s.environment === name);
  if (!found?.estimate) throw new Error(`no estimate for ${name}: ${found?.error}`);
  return found;
}

describe('the cost estimate of the example app', () => {
  test('estimates every environment, in config order', () => {
    expect(stages.map((s) => s.environment)).toEqual(['dev', 'staging', 'prod']);
    expect(stages.map((s) => s.error)).toEqual([undefined, undefined, undefined]);
  });

  test('keeps dev within its $100 budget, even at max tasks', () => {
    const { estimate } = stage('dev');
    expect(estimate?.totalAtMaxUsd).toBeLessThanOrEqual(100);
    expect(stage('dev').monthlyBudgetUsd).toBe(100);
  });

  test('keeps every environment within its configured budget', () => {
    for (const s of stages) expect(s.estimate?.totalAtMaxUsd).toBeLessThanOrEqual(s.monthlyBudgetUsd ?? 0);
  });

  test("prices dev's NAT instance with its public address, and one NAT gateway per AZ in prod", () => {
    const line = (name: string, item: RegExp) => stage(name).estimate?.lines.find((l) => item.test(l.item))?.detail;
    expect(line('dev', /^NAT gateway$/)).toBeUndefined();
    expect(line('dev', /^EC2 t4g\.nano/)).toMatch(/^1 × 730 h/);
    expect(line('dev', /^Public IPv4/)).toBe('3 address(es) (0 Elastic IP, 2 ALB, 1 instance) × 730 h × $0.005');
    expect(line('prod', /^NAT gateway$/)).toMatch(/^3 gateway/);
  });

  test("prices each environment's Uptime stack at us-east-1 rates and says so in the report", () => {
    for (const { environment } of stages) {
      const uptime = stage(environment).estimate?.lines.filter((l) => l.region === 'us-east-1');
      expect(uptime?.map((l) => l.item)).toEqual([
        'KMS keys',
        'CloudWatch alarms',
        expect.stringMatching(/^Route 53 health check Uptime/),
      ]);
    }
    const { estimate } = stage('prod');
    const report = formatStage(stage('prod'));
    expect(report).toContainEqual(expect.stringMatching(/^ {2}KMS keys \(us-east-1\) +\$1\.00 /));
    expect(report).toContainEqual(
      expect.stringMatching(/^ {2}Route 53 health check Uptime\S+ \(us-east-1\) +\$1\.50 /),
    );
    // Found in both regions, said once.
    expect(estimate?.notes.filter((note) => note.startsWith('KMS:'))).toHaveLength(1);
  });

  test("prices environment-wide usage in the environment's configured region, else its first stack's", () => {
    const logsRegion = (settings: CostSettings) => {
      const prod = estimateAssembly(exampleAssembly(), [settings]).find((s) => s.environment === 'prod');
      return prod?.estimate?.lines.find((l) => l.item === 'CloudWatch Logs ingestion')?.region;
    };
    expect(logsRegion({ name: 'prod', region: 'us-east-1' })).toBe('us-east-1');
    expect(logsRegion({ name: 'prod' })).toBe('eu-west-1');
  });

  test('leaves no resource type of the example templates unpriced', () => {
    for (const s of stages) expect(s.estimate?.notPriced).toEqual({});
  });

  test('prices Container Insights where it is on: staging and prod, not dev', () => {
    const insights = (env: string) =>
      stage(env)
        .estimate?.lines.filter((l) => l.item.startsWith('Container Insights'))
        .map((l) => l.monthlyUsd);
    expect(insights('dev')).toEqual([]);
    // 12 for the cluster + 1 service × 15 + 1 task family × 10 = 37 metrics × $0.30
    expect(insights('staging')).toEqual([expect.closeTo(11.1, 6)]);
    expect(insights('prod')).toEqual([expect.closeTo(11.1, 6)]);
  });

  test('prints an itemized report with the total and the assumptions', () => {
    const report = formatStage(stage('prod'));
    expect(report[0]).toBe('prod  (eu-west-1)');
    expect(report).toContainEqual(expect.stringMatching(/^ {2}RDS db\.t4g\.medium Multi-AZ +\$99\.28/));
    expect(report).toContainEqual(
      expect.stringMatching(/^ {2}total +~\$\d+\.\d\d \(at max tasks \$\d+\.\d\d\)\/month, budget \$700\.00: within$/),
    );
    expect(report).toContainEqual(expect.stringMatching(/^ {2}assumptions: natDataGb=100, requestsPerMonth=30000000/));
  });
});

// The README shows this output; prices or config changing must change it too.
describe("the README's cost example", () => {
  const README = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8');

  test('shows the totals the estimate gives', () => {
    const totals = [...README.matchAll(/^ {2}total +(~\$.+)$/gm)].map((m) => m[1]);
    expect(totals).toEqual(stages.map(totalLine));
  });

  test("itemizes dev with the estimate's amounts and regions, line by line", () => {
    const block = README.slice(README.indexOf('```\ndev  (eu-west-1)\n'), README.indexOf('  total'));
    const rows = [...block.matchAll(/^ {2}(\S.*?) {2,}(\$\d+\.\d\d)(?: {2}\(at max \$[\d.]+\))? {3}(.*)$/gm)];
    const lines = stage('dev').estimate?.lines ?? [];
    expect(rows.map((m) => m[2])).toEqual(lines.map((l) => `$${l.monthlyUsd.toFixed(2)}`));
    expect(rows.map((m) => (m[1]?.endsWith('(us-east-1)') ? 'us-east-1' : 'eu-west-1'))).toEqual(
      lines.map((l) => l.region),
    );
    // Details are shown whole, or cut short with '...' where the README's width runs out.
    const shown = (detail: string, line: { detail: string }) =>
      detail.endsWith('...') ? line.detail.startsWith(detail.slice(0, -3).trimEnd()) : detail === line.detail;
    expect(rows.filter((m, i) => !shown(m[3] ?? '', lines[i] ?? { detail: '' })).map((m) => m[0])).toEqual([]);
  });
});
