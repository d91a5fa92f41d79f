import { CfnResource, Stack } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/**
 * Removes `DependsOn` entries that CDK's own singletons add next to a `Fn::GetAtt` of the same
 * resource, which already orders them (cfn-lint W3005). `parent` is the singleton; `resourceId`
 * and `dependencyId` are paths below it.
 */
export function dropRedundantDependency(parent: IConstruct, resourceId: string, dependencyId: string): void {
  const resource = cfnResourceAt(parent, resourceId);
  const dependency = cfnResourceAt(parent, dependencyId);
  resource.removeResourceDependency(dependency);
}

/**
 * `dropRedundantDependency` for a CDK custom-resource provider singleton (`Handler` depending on
 * `Role`) in the stack of `scope`, when that stack has one.
 */
export function dropProviderRoleDependency(scope: IConstruct, providerId: string): void {
  const provider = Stack.of(scope).node.tryFindChild(providerId);
  if (provider) dropRedundantDependency(provider, 'Handler', 'Role');
}

function cfnResourceAt(parent: IConstruct, path: string): CfnResource {
  let node: IConstruct = parent;
  for (const id of path.split('/')) node = node.node.findChild(id);
  const resource = node instanceof CfnResource ? node : node.node.defaultChild;
  if (!(resource instanceof CfnResource)) throw new Error(`${node.node.path} is not a CloudFormation resource`);
  return resource;
}

/**
 * CDK makes a function (or state machine) depend on its whole role, next to the GetAtt of the
 * role's ARN that already orders them (cfn-lint W3005). Keep only the dependency that matters: on
 * the role's policy, so no invocation happens before its permissions exist.
 */
export function dependOnPolicyOnly(resource: IConstruct, role: IConstruct): void {
  const cfn = (resource.node.defaultChild ?? resource) as CfnResource;
  const policy = role.node.findChild('DefaultPolicy').node.defaultChild as CfnResource;
  cfn.addOverride('DependsOn', [policy.logicalId]);
}
