import { Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

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
