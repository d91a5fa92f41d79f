import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exampleAssemblyDirectory, recordOutcome } from './example-synth';

// The example app is synthesized once per run for every test file that reads it: a failed synth
// must fail those tests with its error, not with a missing directory.
describe('the shared example synth', () => {
  const runDirectory = process.env.BERTH_JEST_TMPDIR;
  afterEach(() => {
    process.env.BERTH_JEST_TMPDIR = runDirectory;
  });

  function outcomeIn(outcome: Parameters<typeof recordOutcome>[1]): void {
    const directory = mkdtempSync(join(tmpdir(), 'berth-example-synth-'));
    recordOutcome(join(directory, 'example-assembly.json'), outcome);
    process.env.BERTH_JEST_TMPDIR = directory;
  }

  test('hands its assembly directory to the tests', () => {
    outcomeIn({ directory: '/somewhere/cdk.out' });
    expect(exampleAssemblyDirectory()).toBe('/somewhere/cdk.out');
  });

  test("fails each test that reads it with the synth's error (a cdk-nag finding, say)", () => {
    outcomeIn({ error: 'Error: Validation failed ... AwsSolutions-SQS3' });
    expect(() => exampleAssemblyDirectory()).toThrow(
      'The example app failed to synthesize:\nError: Validation failed ... AwsSolutions-SQS3',
    );
  });
});
