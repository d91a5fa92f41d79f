import { Stage, type StageProps, Tags } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { budgetTagOf } from '../config/cost';
import type { EnvironmentConfig } from '../config/types';
import { DataStack } from '../stacks/data-stack';
import { ServiceStack } from '../stacks/service-stack';
import { UptimeStack } from '../stacks/uptime-stack';

export interface EnvironmentStageProps extends StageProps {
  /** A validated environment (see `validateEnvironments`). */
  readonly config: EnvironmentConfig;
}

/**
 * One Berth environment: `cdk deploy '<name>/*'` deploys exactly its stacks, to the account and
 * region of its config.
 */
export class EnvironmentStage extends Stage {
  readonly data: DataStack;
  readonly service: ServiceStack;
  /** The uptime check, in us-east-1 where Route 53 publishes health-check metrics. */
  readonly uptime: UptimeStack;

  constructor(scope: Construct, props: EnvironmentStageProps) {
    const { config } = props;
    super(scope, config.name, {
      ...props,
      env: { account: config.account, region: config.region },
    });
    this.data = new DataStack(this, 'Data', {
      config,
      description: `Berth ${config.name}: network, KMS key, database, cache, secrets, image repository (stateful)`,
    });
    this.service = new ServiceStack(this, 'Service', {
      config,
      data: this.data,
      description: `Berth ${config.name}: load balancer, WAF, the Fargate service, alarms and dashboard (stateless)`,
    });
    this.uptime = new UptimeStack(this, 'Uptime', {
      config,
      description: `Berth ${config.name}: Route 53 uptime check of the public health path and its alarm (us-east-1)`,
    });
    // What a budget scoped to the environment counts. Only then: the tag would otherwise change
    // every resource of an environment deployed before it, for nothing.
    const budgetTag = budgetTagOf(config);
    if (budgetTag) Tags.of(this).add(budgetTag.key, budgetTag.value);
  }
}
