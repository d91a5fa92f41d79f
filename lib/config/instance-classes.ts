/**
 * Memory of the RDS instance classes Berth sizes for, and the `max_connections` RDS derives from
 * it. Kept as data so the connection budget check, the parameter group and the connection alarm
 * all agree on one number.
 */

const GIB = 1024 ** 3;

/** Memory in GiB per size, for burstable and general-purpose classes. */
const GENERAL_SIZES: Readonly<Record<string, number>> = {
  micro: 1,
  small: 2,
  medium: 4,
  large: 8,
  xlarge: 16,
  '2xlarge': 32,
  '4xlarge': 64,
  '8xlarge': 128,
  '12xlarge': 192,
  '16xlarge': 256,
};

/** Memory-optimised classes have twice the memory of the general-purpose class of that size. */
const MEMORY_SIZES: Readonly<Record<string, number>> = Object.fromEntries(
  Object.entries(GENERAL_SIZES)
    .filter(([size]) => !['micro', 'small', 'medium'].includes(size))
    .map(([size, gib]) => [size, gib * 2]),
);

const BURSTABLE = ['t3', 't4g'];
const GENERAL = ['m5', 'm6g', 'm6i', 'm7g', 'm7i', 'm8g'];
const MEMORY = ['r5', 'r6g', 'r6i', 'r7g', 'r7i', 'r8g'];

/** The largest `max_connections` RDS for PostgreSQL allows by default. */
const RDS_CONNECTION_CAP = 5000;
/** RDS's PostgreSQL default: `LEAST({DBInstanceClassMemory/9531392}, 5000)`. */
const BYTES_PER_CONNECTION = 9531392;

/** Memory in GiB of an RDS class such as `t4g.medium`, or undefined when Berth does not know it. */
export function instanceMemoryGiB(instanceClass: string): number | undefined {
  const [family, size] = instanceClass.split('.');
  if (family === undefined || size === undefined) return undefined;
  if (BURSTABLE.includes(family)) {
    return size in GENERAL_SIZES && GENERAL_SIZES[size] <= 32 ? GENERAL_SIZES[size] : undefined;
  }
  if (GENERAL.includes(family)) {
    return size in MEMORY_SIZES ? GENERAL_SIZES[size] : undefined;
  }
  if (MEMORY.includes(family)) return MEMORY_SIZES[size];
  return undefined;
}

/** Every class Berth knows, for error messages. */
export function knownInstanceFamilies(): string {
  return [...BURSTABLE, ...GENERAL, ...MEMORY].join(', ');
}

/** `max_connections` RDS would choose for this memory size. */
export function defaultMaxConnections(memoryGiB: number): number {
  return Math.min(Math.floor((memoryGiB * GIB) / BYTES_PER_CONNECTION), RDS_CONNECTION_CAP);
}

export { RDS_CONNECTION_CAP };
