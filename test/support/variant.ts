import type { EnvironmentConfig } from '../../lib/config/types';
import { ConfigError, validateEnvironments } from '../../lib/config/validate';

/** A partial, writable view of a config: nested objects optional, arrays replaced whole. */
export type DeepPartial<T> = { -readonly [K in keyof T]?: T[K] extends readonly unknown[] ? T[K] : DeepPartial<T[K]> };

/** `base` with `changes` merged in, leaving arrays whole. */
export function variant(base: EnvironmentConfig, changes: DeepPartial<EnvironmentConfig>): EnvironmentConfig {
  const merge = (target: unknown, patch: unknown): unknown => {
    if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) return patch;
    const result: Record<string, unknown> = { ...(target as Record<string, unknown>) };
    for (const [key, value] of Object.entries(patch)) result[key] = merge(result[key], value);
    return result;
  };
  return merge(base, changes) as EnvironmentConfig;
}

/** The problems `validateEnvironments` reports for these environments (none: empty list). */
export function problemsOf(...envs: EnvironmentConfig[]): readonly string[] {
  try {
    validateEnvironments(envs);
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
}
