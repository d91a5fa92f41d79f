import { LOG_RETENTION_DAYS } from './aws-values';
import { type ProblemList, show } from './problems';
import type { EnvironmentConfig } from './types';

/** A Route 53 public hosted zone, given by attributes so synth needs no lookup. */
export interface HostedZoneConfig {
  /** e.g. `Z0123456789ABCDEFGHIJ`. */
  readonly id: string;
  /** e.g. `example.com`. */
  readonly name: string;
}

/**
 * How the ALB gets its certificate: DNS-validated by ACM in `hostedZone`, or an existing
 * certificate. Plain HTTP is an explicit dev-only opt-out.
 */
export type TlsConfig =
  | { readonly mode: 'dns-validated'; readonly hostedZone: HostedZoneConfig }
  | {
      readonly mode: 'existing-certificate';
      /** ACM certificate in the environment's region covering every host name. */
      readonly certificateArn: string;
      /**
       * Zone to create the alias records in.
       * @default - no DNS records: point your DNS at the ALB yourself
       */
      readonly hostedZone?: HostedZoneConfig;
    }
  | { readonly mode: 'plain-http-dev-only' };

/** A WAF rule action override inside an AWS managed rule group. */
export interface ManagedRuleOverride {
  /** Rule name inside the group, e.g. `SizeRestrictions_BODY`. */
  readonly rule: string;
  readonly action: 'count' | 'block' | 'allow';
}

export interface ManagedRuleGroupConfig {
  /** AWS managed rule group name, e.g. `AWSManagedRulesCommonRuleSet`. */
  readonly name: string;
  /**
   * Per-rule action overrides (typically `count` for a rule that blocks legitimate traffic).
   * @default - every rule acts as AWS defines it
   */
  readonly overrides?: readonly ManagedRuleOverride[];
}

export interface WafConfig {
  /** Requests one client IP may make per window before it gets 429 (seed: 100). */
  readonly rateLimitRequests: number;
  /** Window of the rate limit in seconds: 60, 120, 300 or 600 (seed: 60). */
  readonly rateLimitWindowSeconds: number;
  readonly managedRuleGroups: readonly ManagedRuleGroupConfig[];
  /** Retention of the WAF log group, in days. */
  readonly logRetentionDays: number;
}

export interface SecurityHeadersConfig {
  /** `Strict-Transport-Security` value (seed: `max-age=31536000`). */
  readonly strictTransportSecurity: string;
  /** `X-Frame-Options`: `DENY` or `SAMEORIGIN`. */
  readonly frameOptions: 'DENY' | 'SAMEORIGIN';
  /** Send `X-Content-Type-Options: nosniff`. */
  readonly contentTypeOptionsNoSniff: boolean;
}

export interface EdgeConfig {
  /** Host names the ALB forwards to the service, the first being the API's own; others get 404. */
  readonly hostNames: readonly string[];
  readonly tls: TlsConfig;
  readonly securityHeaders: SecurityHeadersConfig;
  readonly waf: WafConfig;
  /** Days the ALB access logs are kept in their bucket before they expire. */
  readonly accessLogRetentionDays: number;
  /** Seconds an idle client connection stays open. */
  readonly idleTimeoutSeconds: number;
}

const HOST_NAME = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;
const CERTIFICATE_ARN = /^arn:aws:acm:([a-z0-9-]+):(\d{12}):certificate\/[0-9a-f-]{36}$/;

/** Checks `env.edge` and records each problem. */
export function checkEdge(env: EnvironmentConfig, problems: ProblemList): void {
  const edge = env.edge;
  problems.check(
    edge.hostNames.length >= 1 && edge.hostNames.length <= 5,
    'edge.hostNames',
    'a list of 1 to 5 host names (one ALB rule condition holds five)',
    edge.hostNames,
  );
  for (const host of edge.hostNames) {
    problems.check(HOST_NAME.test(host), 'edge.hostNames[]', "a lower-case DNS name such as 'api.example.com'", host);
  }

  const tls = edge.tls;
  if (tls.mode === 'plain-http-dev-only') {
    problems.check(
      !env.production,
      'edge.tls.mode',
      "'dns-validated' or 'existing-certificate' in a production environment (TLS is required)",
      tls.mode,
    );
  } else if (tls.mode === 'existing-certificate') {
    const match = CERTIFICATE_ARN.exec(tls.certificateArn);
    problems.check(
      match !== null && match[1] === env.region && match[2] === env.account,
      'edge.tls.certificateArn',
      `an ACM certificate ARN of account ${env.account} in region ${env.region} (arn:aws:acm:${env.region}:${env.account}:certificate/<uuid>)`,
      tls.certificateArn,
    );
  } else if (tls.mode !== 'dns-validated') {
    problems.add(
      'edge.tls.mode',
      "one of 'dns-validated', 'existing-certificate', 'plain-http-dev-only'",
      (tls as { mode: unknown }).mode,
    );
  }
  const zone = tls.mode === 'plain-http-dev-only' ? undefined : tls.hostedZone;
  if (tls.mode === 'dns-validated' && zone === undefined) {
    problems.add('edge.tls.hostedZone', 'a hosted zone { id, name } for DNS validation', zone);
  }
  if (zone) {
    problems.check(
      /^Z[A-Z0-9]{1,31}$/.test(zone.id),
      'edge.tls.hostedZone.id',
      "a Route 53 zone id such as 'Z0123456789ABCDEFGHIJ'",
      zone.id,
    );
    problems.check(
      HOST_NAME.test(zone.name),
      'edge.tls.hostedZone.name',
      "a DNS name such as 'example.com'",
      zone.name,
    );
    for (const host of edge.hostNames) {
      problems.check(
        host === zone.name || host.endsWith(`.${zone.name}`),
        'edge.hostNames[]',
        `a name inside the hosted zone ${zone.name}`,
        host,
      );
    }
  }

  const headers = edge.securityHeaders;
  const maxAge = /^max-age=(\d+)(; ?includeSubDomains)?(; ?preload)?$/.exec(headers.strictTransportSecurity);
  problems.check(
    maxAge !== null && (!env.production || Number(maxAge[1]) >= 31536000),
    'edge.securityHeaders.strictTransportSecurity',
    env.production
      ? "'max-age=<seconds>[; includeSubDomains][; preload]' with at least one year (31536000) in production"
      : "'max-age=<seconds>[; includeSubDomains][; preload]'",
    headers.strictTransportSecurity,
  );
  problems.oneOf('edge.securityHeaders.frameOptions', headers.frameOptions, ['DENY', 'SAMEORIGIN'] as const);

  const waf = edge.waf;
  problems.integer('edge.waf.rateLimitRequests', waf.rateLimitRequests, 10, 2_000_000_000);
  problems.oneOf('edge.waf.rateLimitWindowSeconds', waf.rateLimitWindowSeconds, [60, 120, 300, 600]);
  const names = waf.managedRuleGroups.map((group) => group.name);
  for (const group of waf.managedRuleGroups) {
    problems.check(
      /^AWSManagedRules[A-Za-z0-9]+$/.test(group.name),
      'edge.waf.managedRuleGroups[].name',
      "an AWS managed rule group name such as 'AWSManagedRulesCommonRuleSet'",
      group.name,
    );
    for (const override of group.overrides ?? []) {
      problems.check(
        /^[A-Za-z0-9_-]{1,128}$/.test(override.rule),
        `edge.waf.managedRuleGroups[${group.name}].overrides[].rule`,
        'a rule name of the group',
        override.rule,
      );
      problems.oneOf(`edge.waf.managedRuleGroups[${group.name}].overrides[].action`, override.action, [
        'count',
        'block',
        'allow',
      ] as const);
    }
  }
  problems.check(
    names.every((name, i) => names.indexOf(name) === i),
    'edge.waf.managedRuleGroups',
    'a list naming each group once',
    names,
  );
  problems.oneOf('edge.waf.logRetentionDays', waf.logRetentionDays, LOG_RETENTION_DAYS);
  problems.integer('edge.accessLogRetentionDays', edge.accessLogRetentionDays, 1, 3650);
  problems.integer('edge.idleTimeoutSeconds', edge.idleTimeoutSeconds, 1, 4000);
}

/** The hosted zone an environment writes records into (certificate validation, alias records). */
function hostedZoneOf(env: EnvironmentConfig): HostedZoneConfig | undefined {
  const tls = env.edge?.tls;
  return tls && tls.mode !== 'plain-http-dev-only' ? tls.hostedZone : undefined;
}

/**
 * Environments in different accounts that write records into the same hosted zone: a stack can
 * only write to zones of its own account, so all but one of them would fail to deploy.
 */
export function sharedHostedZoneProblems(environments: readonly EnvironmentConfig[]): string[] {
  const problems: string[] = [];
  for (const env of environments) {
    const zone = hostedZoneOf(env);
    if (!zone) continue;
    const others = environments.filter((other) => other.account !== env.account && hostedZoneOf(other)?.id === zone.id);
    if (others.length === 0) continue;
    const where = others.map((other) => `${other.name} (account ${other.account})`).join(', ');
    problems.push(
      `[${env.name}] edge.tls.hostedZone.id must be a zone of account ${env.account}, not one ${where} also use${others.length === 1 ? 's' : ''}: CloudFormation writes records only into zones of the stack's own account (give each account its own zone, e.g. ${env.name}.${zone.name} delegated from ${zone.name}), got: ${show(zone.id)}`,
    );
  }
  return problems;
}
