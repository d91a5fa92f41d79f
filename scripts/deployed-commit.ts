/**
 * Prints the commit Berth environment `<env>` runs now, as GitHub records it (see
 * lib/review/deployed-commit.ts): `node bin/run.cjs scripts/deployed-commit.ts <env>`. For the
 * review action, which reviews each release against it, and the release action, which checks
 * before deploying that it has not changed since. Needs GITHUB_TOKEN (with
 * `deployments: read`) and GITHUB_REPOSITORY, as GitHub Actions sets them.
 */
import { githubEnvironmentOf } from '../lib/config/ci';
import { environments } from '../lib/config/environments';
import { lastDeployedCommit } from '../lib/review/deployed-commit';

async function main(): Promise<void> {
  const [name] = process.argv.slice(2);
  const env = environments.find((candidate) => candidate.name === name);
  const githubEnvironment = env && githubEnvironmentOf(env);
  if (!githubEnvironment) {
    throw new Error(`usage: deployed-commit.ts <env>, where <env> is an environment with ci settings, got: ${name}`);
  }
  const { GITHUB_API_URL = 'https://api.github.com', GITHUB_REPOSITORY, GITHUB_TOKEN } = process.env;
  if (!GITHUB_REPOSITORY || !GITHUB_TOKEN) throw new Error('GITHUB_REPOSITORY and GITHUB_TOKEN must be set');
  const get = async (path: string): Promise<unknown> => {
    const response = await fetch(`${GITHUB_API_URL}${path}`, {
      headers: { Accept: 'application/vnd.github+json', Authorization: `Bearer ${GITHUB_TOKEN}` },
    });
    if (!response.ok) throw new Error(`GitHub API ${path}: ${response.status} ${await response.text()}`);
    return response.json();
  };
  const commit = await lastDeployedCommit(get, GITHUB_REPOSITORY, githubEnvironment);
  if (!commit) {
    throw new Error(
      `GitHub records no successful deployment of ${name} (GitHub Environment ${githubEnvironment}), so the release ` +
        'cannot be reviewed against what runs there. Run the deploy workflow by hand with `base` set to the commit ' +
        `${name} runs now (the one you deployed from your workstation, for a first CI deploy).`,
    );
  }
  console.log(commit);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
