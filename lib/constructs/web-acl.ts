import { ArnFormat, Fn, type RemovalPolicy, Stack } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import type { ManagedRuleGroupConfig } from '../config/edge';
import { encryptedLogGroup } from './log-group';

export interface WebAclProps {
  /** ARN of the ALB to protect. */
  readonly loadBalancerArn: string;
  /** Requests one client IP may make per window before it gets 429. */
  readonly rateLimitRequests: number;
  /** 60, 120, 300 or 600 seconds. */
  readonly rateLimitWindowSeconds: number;
  readonly managedRuleGroups: readonly ManagedRuleGroupConfig[];
  /** Encrypts the WAF log group. */
  readonly encryptionKey: kms.IKey;
  readonly logRetentionDays: number;
  readonly logRemovalPolicy: RemovalPolicy;
}

/** Metric name of the rate-limit rule, shared with the alarms. */
export const RATE_LIMIT_RULE = 'RateLimitPerIp';

/**
 * A regional WAFv2 web ACL on the ALB: a per-IP rate limit answering 429, then the configured AWS
 * managed rule groups with per-rule overrides; CloudWatch metrics for every rule and full logs
 * (Authorization and Cookie headers redacted) to CloudWatch Logs.
 */
export class WebAcl extends Construct {
  readonly webAcl: wafv2.CfnWebACL;
  /** The web ACL's name, which is also its metric name: the `WebACL` dimension of its metrics. */
  readonly webAclName: string;
  /** The `Rule` dimension values of each rule's metrics. */
  readonly ruleMetricNames: readonly string[];

  constructor(scope: Construct, id: string, props: WebAclProps) {
    super(scope, id);
    const visibility = (metricName: string): wafv2.CfnWebACL.VisibilityConfigProperty => ({
      cloudWatchMetricsEnabled: true,
      sampledRequestsEnabled: true,
      metricName,
    });

    const rateLimit: wafv2.CfnWebACL.RuleProperty = {
      name: RATE_LIMIT_RULE,
      priority: 0,
      statement: {
        rateBasedStatement: {
          limit: props.rateLimitRequests,
          evaluationWindowSec: props.rateLimitWindowSeconds,
          aggregateKeyType: 'IP',
        },
      },
      action: { block: { customResponse: { responseCode: 429 } } },
      visibilityConfig: visibility(RATE_LIMIT_RULE),
    };
    const managed = props.managedRuleGroups.map(
      (group, index): wafv2.CfnWebACL.RuleProperty => ({
        name: group.name,
        priority: index + 1,
        statement: {
          managedRuleGroupStatement: {
            vendorName: 'AWS',
            name: group.name,
            ruleActionOverrides: group.overrides?.map((override) => ({
              name: override.rule,
              actionToUse: { [override.action]: {} },
            })),
          },
        },
        overrideAction: { none: {} },
        visibilityConfig: visibility(group.name),
      }),
    );

    const stack = Stack.of(this);
    // Name and metric name alike, so the `WebACL` metric dimension is known at synth.
    this.webAclName = `${stack.stackName}-WebAcl`;
    this.webAcl = new wafv2.CfnWebACL(this, 'WebAcl', {
      name: this.webAclName,
      scope: 'REGIONAL',
      defaultAction: { allow: {} },
      rules: [rateLimit, ...managed],
      visibilityConfig: visibility(this.webAclName),
    });
    this.ruleMetricNames = [RATE_LIMIT_RULE, ...props.managedRuleGroups.map((group) => group.name)];

    new wafv2.CfnWebACLAssociation(this, 'Association', {
      resourceArn: props.loadBalancerArn,
      webAclArn: this.webAcl.attrArn,
    });

    // WAF only delivers to log groups whose name starts with `aws-waf-logs-`. The stack id's UUID
    // makes the name unique per stack instance: production retains the group, and a recreated
    // stack must not collide with it.
    const logGroupName = `aws-waf-logs-${stack.stackName}-${Fn.select(2, Fn.split('/', stack.stackId))}`;
    const logGroup = encryptedLogGroup(this, 'Logs', {
      encryptionKey: props.encryptionKey,
      retentionDays: props.logRetentionDays,
      removalPolicy: props.logRemovalPolicy,
      logGroupName,
    });
    const logging = new wafv2.CfnLoggingConfiguration(this, 'Logging', {
      resourceArn: this.webAcl.attrArn,
      // WAF wants the log group ARN without the `:*` suffix that `logGroupArn` carries.
      logDestinationConfigs: [
        stack.formatArn({
          service: 'logs',
          resource: 'log-group',
          resourceName: logGroupName,
          arnFormat: ArnFormat.COLON_RESOURCE_NAME,
        }),
      ],
      redactedFields: [{ singleHeader: { Name: 'authorization' } }, { singleHeader: { Name: 'cookie' } }],
    });
    logging.node.addDependency(logGroup);
  }
}
