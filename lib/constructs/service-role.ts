import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';

/**
 * Lets the AWS service that assumes `role` (one CDK created with a single service-principal
 * statement) act only for resources of this account matching `sourceArn`: `aws:SourceAccount` and
 * `aws:SourceArn`, as AWS recommends against the cross-service confused deputy
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html). CDK's roles for flow
 * logs and enhanced monitoring trust their service without them. Amended in place rather than
 * replaced by a role of Berth's own: a new role would replace the flow log, and EC2 refuses a
 * second flow log of the same VPC and destination while CloudFormation swaps them.
 */
export function trustForOwnResourcesOnly(role: iam.IRole | undefined, sourceArn: string): void {
  const resource = role?.node.defaultChild;
  if (!role || !(resource instanceof iam.CfnRole))
    throw new Error(`no role created by CDK to restrict to ${sourceArn}`);
  resource.addPropertyOverride('AssumeRolePolicyDocument.Statement.0.Condition', {
    StringEquals: { 'aws:SourceAccount': Stack.of(role).account },
    ArnLike: { 'aws:SourceArn': sourceArn },
  });
}
