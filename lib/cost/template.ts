import { visitReferences } from '../template-references';

/** The parts of a synthesized CloudFormation template the cost estimate reads. */
export interface CfnResource {
  readonly Type: string;
  readonly Properties?: Readonly<Record<string, unknown>>;
}

/** A synthesized template, as read from cdk.out or written by hand in a test fixture. */
export interface CfnTemplate {
  readonly Resources?: Readonly<Record<string, CfnResource>>;
}

/** A plain JSON object, or undefined for anything else. */
export function objectOf(value: unknown): Readonly<Record<string, unknown>> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

/** An array, or an empty one for anything else. */
export function arrayOf(value: unknown): readonly unknown[] {
  return Array.isArray(value) ? value : [];
}

/** A number given as a number or a numeric string (CloudFormation accepts both); else undefined. */
export function numberOf(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) return Number(value);
  return undefined;
}

/** Logical ids that `value` points at (see `visitReferences`), at any depth. */
export function referencesIn(value: unknown): string[] {
  const found: string[] = [];
  visitReferences(value, (target) => found.push(target));
  return found;
}
