import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';

export interface ServiceRoleProps {
  /** The service principal that assumes the role, e.g. `vpc-flow-logs.amazonaws.com`. */
  readonly service: string;
  /** ARN pattern of the resources the service acts for, e.g. `arn:aws:ec2:eu-west-1:111111111111:vpc-flow-log/*`. */
  readonly sourceArn: string;
  readonly description: string;
  /**
   * AWS-managed policies the role carries.
   * @default - none
   */
  readonly managedPolicies?: iam.IManagedPolicy[];
}

/**
 * A role an AWS service assumes to act for resources of this stack's account only: its trust
 * policy carries `aws:SourceAccount` and `aws:SourceArn`, as AWS recommends against the
 * cross-service confused deputy (https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html).
 * CDK's own roles for flow logs and enhanced monitoring trust the service without them.
 */
export function serviceRole(scope: Construct, id: string, props: ServiceRoleProps): iam.Role {
  return new iam.Role(scope, id, {
    description: props.description,
    assumedBy: new iam.ServicePrincipal(props.service).withConditions({
      StringEquals: { 'aws:SourceAccount': Stack.of(scope).account },
      ArnLike: { 'aws:SourceArn': props.sourceArn },
    }),
    managedPolicies: props.managedPolicies,
  });
}
