import { Stage, type StageProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { EnvironmentConfig } from '../config/types';
import { DataStack } from '../stacks/data-stack';
import { ServiceStack } from '../stacks/service-stack';

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
      description: `Berth ${config.name}: load balancer, WAF and the Fargate service (stateless)`,
    });
  }
}
