import { runCommand } from '../../lib/child-process';

// The review's synth and the cfn-lint gate run their commands through runCommand.
describe('runCommand', () => {
  test('collects stdout and stderr and reports the exit status', async () => {
    const script = "process.stdout.write('out\\n'); process.stderr.write('err\\n'); process.exit(3)";
    const result = await runCommand(process.execPath, ['-e', script]);
    expect(result.status).toBe(3);
    expect(result.output.split('\n').sort()).toEqual(['err', 'out']);
  });

  test('runs in the given directory with the given environment', async () => {
    const result = await runCommand(process.execPath, ['-e', 'console.log(process.cwd(), process.env.BERTH_X)'], {
      cwd: '/',
      env: { ...process.env, BERTH_X: 'set' },
    });
    expect(result).toEqual({ status: 0, output: '/ set' });
  });

  test('rejects when the command cannot be started', async () => {
    await expect(runCommand('berth-no-such-command', [])).rejects.toThrow(/ENOENT/);
  });
});
