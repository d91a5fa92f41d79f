import { type SpawnOptions, spawn } from 'node:child_process';

export interface CommandResult {
  /** The exit status; `null` when a signal ended the command. */
  readonly status: number | null;
  /** stdout and stderr as the command wrote them, interleaved, trimmed. */
  readonly output: string;
}

/**
 * Runs a command without blocking the event loop (so several can run side by side) and collects
 * everything it prints. Rejects only when the command cannot be started.
 */
export function runCommand(
  command: string,
  args: readonly string[],
  options: Omit<SpawnOptions, 'stdio'> = {},
): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const collect = (chunk: Buffer) => {
      output += chunk;
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, output: output.trim() }));
  });
}
