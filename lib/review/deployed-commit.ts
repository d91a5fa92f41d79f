/**
 * What an environment runs now, as GitHub records it: every deploy job runs in the environment's
 * GitHub Environment, and GitHub records each such job as a deployment of the workflow's commit,
 * with a status that ends `success` when the job succeeds. The release review compares with this
 * commit, not with the commit before the push: a run blocked or failed at an environment, or one
 * that a newer run's queued job replaced, would otherwise leave its changes unreviewed there.
 */

/** Reads `path` of the GitHub REST API (e.g. `/repos/o/r/deployments`) as JSON. */
export type GitHubGet = (path: string) => Promise<unknown>;

interface Deployment {
  readonly id: number;
  readonly sha: string;
}

interface DeploymentStatus {
  readonly state: string;
}

/** How many of the environment's newest deployments are searched for a successful one. */
export const DEPLOYMENTS_SEARCHED = 100;

/**
 * The commit of the newest deployment to GitHub Environment `environment` of `repository` whose
 * latest status is `success`, or undefined when none of the newest `DEPLOYMENTS_SEARCHED` is.
 */
export async function lastDeployedCommit(
  get: GitHubGet,
  repository: string,
  environment: string,
): Promise<string | undefined> {
  // Newest first, as the API lists them; the running job's own deployment is still in progress.
  const deployments = (await get(
    `/repos/${repository}/deployments?environment=${encodeURIComponent(environment)}&per_page=${DEPLOYMENTS_SEARCHED}`,
  )) as Deployment[];
  for (const { id, sha } of deployments) {
    const [latest] = (await get(`/repos/${repository}/deployments/${id}/statuses?per_page=1`)) as DeploymentStatus[];
    if (latest?.state === 'success') return sha;
  }
  return undefined;
}
