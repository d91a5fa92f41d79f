import { rmSync } from 'node:fs';

/** Deletes the run's temporary directory (see global-setup.ts). */
export default function globalTeardown(): void {
  const directory = process.env.BERTH_JEST_TMPDIR;
  if (directory) rmSync(directory, { recursive: true, force: true });
}
