import type { ChildProcess } from 'node:child_process';

/** What global-setup.ts leaves for global-teardown.ts: jest runs both in its main process. */
interface RunState {
  exampleSynth?: ChildProcess;
}

const KEY = Symbol.for('berth.jest-run-state');

export function runState(): RunState {
  const holder = globalThis as typeof globalThis & { [KEY]?: RunState };
  holder[KEY] ??= {};
  return holder[KEY];
}
