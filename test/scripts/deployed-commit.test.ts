import { execFile } from 'node:child_process';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';

const ROOT = join(__dirname, '..', '..');
const run = promisify(execFile);

/** A stand-in for GitHub's API: prod has a successful deployment of `abc123` behind a running one. */
let server: Server;
const requests: { url: string; headers: IncomingHttpHeaders }[] = [];

beforeAll(async () => {
  server = createServer((request, response) => {
    requests.push({ url: request.url ?? '', headers: request.headers });
    const body =
      request.url === '/repos/example-org/berth/deployments?environment=prod&per_page=100'
        ? [
            { id: 2, sha: 'running' },
            { id: 1, sha: 'abc123' },
          ]
        : request.url?.startsWith('/repos/example-org/berth/deployments/2/statuses')
          ? [{ state: 'in_progress' }]
          : request.url?.startsWith('/repos/example-org/berth/deployments/1/statuses')
            ? [{ state: 'success' }]
            : request.url?.startsWith('/repos/example-org/berth/deployments?')
              ? []
              : undefined;
    response.writeHead(body ? 200 : 404, { 'content-type': 'application/json' });
    response.end(JSON.stringify(body ?? { message: 'Not Found' }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

function deployedCommit(env: string, extraEnv: NodeJS.ProcessEnv = {}) {
  const { port } = server.address() as AddressInfo;
  return run('node', ['bin/run.cjs', 'scripts/deployed-commit.ts', env], {
    cwd: ROOT,
    env: {
      ...process.env,
      GITHUB_API_URL: `http://127.0.0.1:${port}`,
      GITHUB_REPOSITORY: 'example-org/berth',
      GITHUB_TOKEN: 'token-for-test',
      ...extraEnv,
    },
  });
}

test("prints the commit of the environment's last successful deployment, asking GitHub with the token", async () => {
  const { stdout } = await deployedCommit('prod');
  expect(stdout).toBe('abc123\n');
  expect(requests[0]?.headers.authorization).toBe('Bearer token-for-test');
});

test('fails, saying what to do, when GitHub records no successful deployment', async () => {
  await expect(deployedCommit('staging')).rejects.toMatchObject({
    code: 1,
    stderr: expect.stringContaining('Run the deploy workflow by hand with `base` set to the commit staging runs now'),
  });
});

test('fails on an environment without ci settings, and without a token', async () => {
  await expect(deployedCommit('nowhere')).rejects.toMatchObject({
    code: 1,
    stderr: expect.stringContaining('an environment with ci settings, got: nowhere'),
  });
  await expect(deployedCommit('prod', { GITHUB_TOKEN: '' })).rejects.toMatchObject({
    code: 1,
    stderr: expect.stringContaining('GITHUB_REPOSITORY and GITHUB_TOKEN must be set'),
  });
});
