/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.tsx?$': ['@swc/jest'] },
  // Template tests synthesize whole stages; the default 5 s is too tight on a 2-core machine.
  testTimeout: 60_000,
  // Jest's default (cores - 1) runs one worker on a 2-core machine; the template tests are CPU-bound
  // and independent, so use every core.
  maxWorkers: '100%',
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
};
