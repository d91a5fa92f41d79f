/**
 * A short per-environment summary of what `cdk synth` just wrote to cdk.out: the stacks,
 * and the settings a reviewer checks first. Reads the templates, so it shows what would really be
 * deployed, not what the config hoped for.
 */
import type { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { environments } from './config/environments';
import { estimateAssembly, stagesInConfigOrder, totalLine } from './cost/report';

type Resource = { Type: string; Properties?: Record<string, unknown> };

function resourcesOf(assembly: CloudAssembly): Resource[] {
  return assembly.stacks.flatMap((stack) =>
    Object.values((stack.template.Resources ?? {}) as Record<string, Resource>),
  );
}

/** The summary lines of a cloud assembly, one block per environment. */
export function summarize(assembly: CloudAssembly): string[] {
  const lines: string[] = [];
  const estimates = estimateAssembly(assembly, environments);
  for (const artifact of stagesInConfigOrder(assembly, environments)) {
    const stage = artifact.nestedAssembly;
    const resources = resourcesOf(stage);
    const ofType = (type: string) => resources.filter((r) => r.Type === type);
    const [stack] = stage.stacks;
    lines.push(`${artifact.displayName}  (${stack?.environment.account}/${stack?.environment.region})`);
    lines.push(
      `  stacks:    ${stage.stacks.map((s) => `${s.hierarchicalId} (${Object.keys(s.template.Resources ?? {}).length} resources)`).join(', ')}`,
    );
    lines.push(
      `  network:   ${ofType('AWS::EC2::NatGateway').length} NAT gateway(s), ${ofType('AWS::EC2::Instance').length} NAT instance(s), ${ofType('AWS::EC2::VPCEndpoint').length} VPC endpoint(s)`,
    );
    const proxy = ofType('AWS::RDS::DBProxy').length > 0 ? ', behind an RDS Proxy' : '';
    for (const db of ofType('AWS::RDS::DBInstance')) {
      const p = db.Properties ?? {};
      lines.push(
        `  database:  ${p.DBInstanceClass} postgres ${p.EngineVersion}, ${p.MultiAZ ? 'Multi-AZ' : 'single-AZ'}, ${p.AllocatedStorage}..${p.MaxAllocatedStorage} GiB, backups ${p.BackupRetentionPeriod} days, deletion protection ${p.DeletionProtection ? 'on' : 'off'}${proxy}`,
      );
    }
    for (const cache of ofType('AWS::ElastiCache::ReplicationGroup')) {
      const p = cache.Properties ?? {};
      lines.push(
        `  cache:     ${p.NumCacheClusters} x ${p.CacheNodeType} ${p.Engine} ${p.EngineVersion}, failover ${p.AutomaticFailoverEnabled ? 'on' : 'off'}`,
      );
    }
    lines.push(`  secrets:   ${ofType('AWS::SecretsManager::Secret').length}`);
    const estimate = estimates.find((e) => e.environment === artifact.displayName);
    if (estimate) lines.push(`  cost:      ${totalLine(estimate)} (itemized: npm run cost)`);
  }
  return lines;
}
