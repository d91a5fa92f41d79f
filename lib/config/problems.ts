/** Thrown once with every problem found in the configuration, one per line. */
export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Berth configuration has ${problems.length} problem(s):\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Runs `configure` for a command (the app, a script): a configuration mistake is the user's to
 * fix, so a `ConfigError` prints its list, not a stack trace, and the process exits 1.
 */
export function exitOnConfigError<T>(configure: () => T): T {
  try {
    return configure();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(error.message);
    process.exit(1);
  }
}

/** Collects problems for one environment, each naming the field, what is allowed and what was given. */
export class ProblemList {
  private readonly problems: string[] = [];

  constructor(private readonly environment: string) {}

  /** Records `[env] field must be <allowed>, got: <given>`. */
  add(field: string, allowed: string, given: unknown): void {
    this.problems.push(`[${this.environment}] ${field} must be ${allowed}, got: ${show(given)}`);
  }

  /** Records a problem when `ok` is false. */
  check(ok: boolean, field: string, allowed: string, given: unknown): void {
    if (!ok) this.add(field, allowed, given);
  }

  /** Records a problem unless `value` is an integer within `min..max`. */
  integer(field: string, value: number, min: number, max: number): void {
    this.check(Number.isInteger(value) && value >= min && value <= max, field, `an integer in ${min}..${max}`, value);
  }

  /**
   * Records a problem unless `value` is true, false or left out: synth strips types without
   * checking them, so `'yes'` would otherwise count as true.
   */
  optionalBoolean(field: string, value: unknown): void {
    this.check(value === undefined || typeof value === 'boolean', field, 'true or false', value);
  }

  /** Records a problem unless `value` is one of `allowed`. */
  oneOf<T>(field: string, value: T, allowed: readonly T[]): void {
    this.check(allowed.includes(value), field, `one of ${allowed.join(', ')}`, value);
  }

  get list(): readonly string[] {
    return this.problems;
  }
}

/** Renders a given value for a message: strings quoted, the rest as JSON. */
export function show(value: unknown): string {
  if (typeof value === 'string') return `'${value}'`;
  return JSON.stringify(value) ?? String(value);
}
