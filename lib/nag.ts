import { Stack, Validations } from 'aws-cdk-lib';
import type { Construct, IConstruct } from 'constructs';

/**
 * Acknowledges one cdk-nag finding on the narrowest construct that raises it. Every call needs a
 * reason a reviewer would accept; the one place that knows the cdk-nag 3 acknowledgement API.
 */
export function acknowledge(scope: IConstruct, ruleId: string, reason: string): void {
  if (reason.trim().length < 20) {
    throw new Error(`acknowledge(${ruleId}) on ${scope.node.path} needs a specific reason`);
  }
  Validations.of(scope).acknowledge({ id: ruleId, reason });
}

/**
 * The cdk-nag finding id of a wildcard resource, rendered as cdk-nag renders it
 * (`{Ref: X}` as `<X>`, `{Fn::GetAtt: [X, Y]}` as `<X.Y>`), so acknowledgements name one resource.
 */
export function wildcardFinding(scope: Construct, resource: string): string {
  const render = (value: unknown): string => {
    if (typeof value === 'string') return value;
    if (typeof value === 'object' && value !== null) {
      const v = value as Record<string, unknown>;
      if (typeof v.Ref === 'string') return `<${v.Ref}>`;
      if (Array.isArray(v['Fn::GetAtt'])) return `<${(v['Fn::GetAtt'] as string[]).join('.')}>`;
      if (Array.isArray(v['Fn::Join'])) {
        const [separator, parts] = v['Fn::Join'] as [string, unknown[]];
        return parts.map(render).join(separator);
      }
    }
    return JSON.stringify(value);
  };
  return `AwsSolutions-IAM5[Resource::${render(Stack.of(scope).resolve(resource))}]`;
}
