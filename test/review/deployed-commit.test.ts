import { type GitHubGet, lastDeployedCommit } from '../../lib/review/deployed-commit';

/** A GitHub API with `deployments` (newest first), each with its statuses (newest first). */
function github(deployments: { id: number; sha: string; statuses: string[] }[]): GitHubGet & { paths: string[] } {
  const paths: string[] = [];
  const get = async (path: string): Promise<unknown> => {
    paths.push(path);
    if (path.startsWith('/repos/o/r/deployments?')) return deployments.map(({ id, sha }) => ({ id, sha }));
    const id = Number(/deployments\/(\d+)\/statuses/.exec(path)?.[1]);
    const states = deployments.find((deployment) => deployment.id === id)?.statuses ?? [];
    return states.slice(0, 1).map((state) => ({ state }));
  };
  return Object.assign(get, { paths });
}

test('is the newest deployment whose latest status is success, skipping the running and the failed ones', async () => {
  const api = github([
    { id: 4, sha: 'running', statuses: ['in_progress', 'queued'] },
    { id: 3, sha: 'failed', statuses: ['failure', 'in_progress'] },
    { id: 2, sha: 'deployed', statuses: ['success', 'in_progress'] },
    { id: 1, sha: 'older', statuses: ['inactive', 'success'] },
  ]);
  await expect(lastDeployedCommit(api, 'o/r', 'prod')).resolves.toBe('deployed');
  expect(api.paths[0]).toBe('/repos/o/r/deployments?environment=prod&per_page=100');
  expect(api.paths).not.toContain('/repos/o/r/deployments/1/statuses?per_page=1');
});

test('is undefined when nothing was ever deployed successfully', async () => {
  const api = github([{ id: 1, sha: 'failed', statuses: ['error'] }]);
  await expect(lastDeployedCommit(api, 'o/r', 'prod')).resolves.toBeUndefined();
  await expect(lastDeployedCommit(github([]), 'o/r', 'prod')).resolves.toBeUndefined();
});

test('encodes the environment name', async () => {
  const api = github([]);
  await lastDeployedCommit(api, 'o/r', 'prod eu');
  expect(api.paths[0]).toBe('/repos/o/r/deployments?environment=prod%20eu&per_page=100');
});
