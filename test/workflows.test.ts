import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { githubEnvironmentOf } from '../lib/config/ci';
import { environments } from '../lib/config/environments';
import { DEPLOY_SESSION } from '../lib/constructs/github-oidc';
import { CFN_LINT_INSTALL } from './support/cfn-lint';

// The GitHub Actions files are code that runs only on GitHub: these checks catch what would
// otherwise fail there, or quietly weaken the pipeline.

interface Step {
  readonly id?: string;
  readonly name?: string;
  readonly env?: Record<string, string>;
  readonly uses?: string;
  readonly run?: string;
  readonly with?: Record<string, string>;
}

interface Job {
  readonly needs?: string | string[];
  readonly 'timeout-minutes'?: number;
  readonly environment?: string | { name: string };
  readonly permissions?: Record<string, string>;
  readonly concurrency?: { group: string; 'cancel-in-progress'?: boolean };
  readonly steps?: Step[];
  readonly strategy?: { matrix?: { include?: Record<string, string>[] } };
}

interface Workflow {
  readonly on: unknown;
  readonly permissions?: Record<string, string>;
  readonly jobs: Record<string, Job>;
}

interface Action {
  readonly runs: { using: string; steps: Step[] };
}

const ROOT = join(__dirname, '..');
const WORKFLOWS = join(ROOT, '.github', 'workflows');
const workflowFiles = readdirSync(WORKFLOWS).filter((file) => /\.ya?ml$/.test(file));
const workflows = new Map(
  workflowFiles.map((file) => [file, parse(readFileSync(join(WORKFLOWS, file), 'utf8')) as Workflow]),
);
const ACTIONS = join(ROOT, '.github', 'actions');
const actions = new Map(
  readdirSync(ACTIONS).map((name) => [
    `./.github/actions/${name}`,
    parse(readFileSync(join(ACTIONS, name, 'action.yml'), 'utf8')) as Action,
  ]),
);
const scripts = Object.keys(
  (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts,
);

const jobsOf = () =>
  [...workflows].flatMap(([file, workflow]) =>
    Object.entries(workflow.jobs).map(([id, job]) => ({ file, id, job, workflow })),
  );

/** The steps of a job with local composite actions expanded in place. */
function stepsOf(job: Job): Step[] {
  return (job.steps ?? []).flatMap((step) => {
    const action = step.uses ? actions.get(step.uses) : undefined;
    return action ? [step, ...action.runs.steps] : [step];
  });
}

const configuresAws = (job: Job) =>
  stepsOf(job).some((step) => step.uses?.startsWith('aws-actions/configure-aws-credentials@'));

const deployJobs = () => jobsOf().filter(({ job }) => stepsOf(job).some((step) => step.run?.includes('cdk deploy')));

const environmentName = (job: Job) => (typeof job.environment === 'string' ? job.environment : job.environment?.name);

test('there are the pull-request and deploy workflows', () => {
  expect(workflowFiles.sort()).toEqual(['deploy.yml', 'pull-request.yml']);
});

test.each(workflowFiles)('%s: every job has steps, each a `uses` or a `run`', (file) => {
  for (const job of Object.values(workflows.get(file)?.jobs ?? {})) {
    expect(job.steps?.length).toBeGreaterThan(0);
    for (const step of job.steps ?? []) expect(Boolean(step.uses) !== Boolean(step.run)).toBe(true);
  }
});

test('local actions exist and are composite actions with steps', () => {
  const local = jobsOf().flatMap(({ job }) => (job.steps ?? []).map((s) => s.uses).filter((u) => u?.startsWith('./')));
  expect(local.length).toBeGreaterThan(0);
  for (const uses of local) {
    expect(existsSync(join(ROOT, uses ?? '', 'action.yml'))).toBe(true);
    expect(actions.get(uses ?? '')?.runs.using).toBe('composite');
  }
});

test('runs only npm scripts that package.json defines', () => {
  const runs = [...jobsOf().flatMap(({ job }) => stepsOf(job))].map((step) => step.run ?? '');
  const used = runs.flatMap((run) => [...run.matchAll(/npm run ([\w:-]+)/g)].map((match) => match[1]));
  expect(used).toEqual(expect.arrayContaining(['synth', 'review']));
  for (const script of used) expect(scripts).toContain(script);
});

test('uses the pinned major versions of the third-party actions', () => {
  const uses = jobsOf().flatMap(({ job }) =>
    stepsOf(job)
      .map((step) => step.uses)
      .filter((u) => u && !u.startsWith('./')),
  );
  expect(new Set(uses)).toEqual(
    new Set(['actions/checkout@v4', 'actions/setup-node@v4', 'aws-actions/configure-aws-credentials@v4']),
  );
});

test('installs the same pinned cfn-lint wherever it runs the tests', () => {
  const installs = jobsOf().flatMap(({ job }) => stepsOf(job).filter((step) => step.run?.includes('cfn-lint')));
  expect(installs.length).toBe(2);
  for (const step of installs) expect(step.run).toBe(CFN_LINT_INSTALL);
});

test('every job that configures AWS credentials may request an OIDC token and assumes a role', () => {
  const aws = jobsOf().filter(({ job }) => configuresAws(job));
  expect(aws.map(({ file, id }) => `${file}:${id}`).sort()).toEqual([
    'deploy.yml:dev',
    'deploy.yml:prod',
    'deploy.yml:staging',
    'pull-request.yml:diff',
  ]);
  for (const { job, workflow } of aws) {
    expect({ ...workflow.permissions, ...job.permissions }['id-token']).toBe('write');
    const credentials = stepsOf(job).filter((s) => s.uses?.startsWith('aws-actions/configure-aws-credentials@'));
    for (const step of credentials) expect(step.with?.['role-to-assume']).toBeTruthy();
  }
});

test('only jobs that configure AWS credentials may request an OIDC token', () => {
  for (const { job, workflow } of jobsOf().filter(({ job }) => !configuresAws(job))) {
    expect({ ...workflow.permissions, ...job.permissions }['id-token']).toBeUndefined();
  }
});

test('no long-lived AWS keys anywhere', () => {
  const files = [
    ...workflowFiles.map((file) => join(WORKFLOWS, file)),
    ...[...actions.keys()].map((uses) => join(ROOT, uses, 'action.yml')),
  ];
  for (const file of files) {
    expect(readFileSync(file, 'utf8')).not.toMatch(
      /aws-access-key-id|aws-secret-access-key|AWS_ACCESS_KEY_ID|AWS_SECRET_ACCESS_KEY|aws-session-token/i,
    );
  }
});

describe('deploy workflow', () => {
  const deploy = () => workflows.get('deploy.yml') as Workflow;

  test('runs on pushes to main and by hand with an image tag', () => {
    expect(deploy().on).toMatchObject({
      push: { branches: ['main'] },
      workflow_dispatch: { inputs: { imageTag: expect.objectContaining({ required: false }) } },
    });
  });

  test('deploys every configured environment in order, each in the GitHub Environment its deploy role trusts', () => {
    const jobs = deployJobs().filter(({ file }) => file === 'deploy.yml');
    expect(jobs.map(({ id }) => id)).toEqual(environments.map((env) => env.name));
    expect(jobs.map(({ job }) => environmentName(job))).toEqual(environments.map((env) => githubEnvironmentOf(env)));
    expect(jobs.map(({ job }) => job.needs)).toEqual(environments.map((env) => `review-${env.name}`));
    const reviewNeeds = environments.map((env) => deploy().jobs[`review-${env.name}`]?.needs);
    expect(reviewNeeds).toEqual(['test', ...environments.slice(0, -1).map((env) => env.name)]);
  });

  test('deploys one run per environment at a time and never cancels a deploy in progress; reviews wait for it', () => {
    for (const { id, job } of deployJobs()) {
      expect(job.concurrency).toEqual({ group: `deploy-${id}`, 'cancel-in-progress': false });
      expect(deploy().jobs[`review-${id}`]?.concurrency).toEqual(job.concurrency);
    }
  });

  test('reviews each environment in a job of its own, with no AWS access, no OIDC token and no GitHub Environment', () => {
    for (const env of environments) {
      const review = deploy().jobs[`review-${env.name}`] as Job;
      const runs = stepsOf(review).map((step) => step.run ?? '');
      expect(runs.some((run) => run.includes('npm run review') && run.includes('--env "$ENVIRONMENT"'))).toBe(true);
      expect(runs.some((run) => run.includes('cdk deploy'))).toBe(false);
      expect(configuresAws(review)).toBe(false);
      expect(review.permissions).toEqual({ contents: 'read', deployments: 'read' });
      expect(review.environment).toBeUndefined();
    }
  });

  test('deploys only after the release review passed, with approval off, passing the image tag', () => {
    const gh = (expression: string) => `$\{{ ${expression} }}`;
    for (const { id, job } of deployJobs()) {
      expect(stepsOf(job).some((step) => step.run?.includes('npm run review'))).toBe(false);
      const release = stepsOf(job).find((step) => step.uses === './.github/actions/release');
      expect(release?.with).toMatchObject({
        'reviewed-deployment': gh(`needs.review-${id}.outputs.deployed`),
        'deploy-first': gh(`needs.review-${id}.outputs.deploy-first`),
        'image-tag': gh('inputs.imageTag'),
      });
      const deployRun = stepsOf(job).find((step) => step.run?.includes('cdk deploy'))?.run ?? '';
      expect(deployRun).toContain('--require-approval never');
      expect(deployRun).toContain('imageTag=$IMAGE_TAG');
    }
  });

  test('reviews each environment against the commit it runs: the `base` input, else its last successful deployment', () => {
    const gh = (expression: string) => `$\{{ ${expression} }}`;
    expect(JSON.stringify(deploy())).not.toContain('github.event.before');
    for (const env of environments) {
      const steps = stepsOf(deploy().jobs[`review-${env.name}`] as Job);
      expect(steps.find((step) => step.uses === './.github/actions/review')?.with?.base).toBe(gh('inputs.base'));
      const deployed = steps.find((step) => step.id === 'deployed');
      expect(deployed?.env).toMatchObject({ BASE: gh('inputs.base'), GITHUB_TOKEN: gh('github.token') });
      expect(deployed?.run).toContain('node bin/run.cjs scripts/deployed-commit.ts "$ENVIRONMENT"');
      const review = steps.find((step) => step.run?.includes('npm run review'));
      expect(review?.env?.BASE).toBe(gh('steps.deployed.outputs.base'));
      expect(steps.indexOf(deployed as Step)).toBeLessThan(steps.indexOf(review as Step));
    }
  });

  test('passes the review outputs from its action through its job to the deploy job', () => {
    const gh = (expression: string) => `$\{{ ${expression} }}`;
    for (const env of environments) {
      expect((deploy().jobs[`review-${env.name}`] as Job & { outputs?: unknown }).outputs).toEqual({
        deployed: gh('steps.review.outputs.deployed'),
        'deploy-first': gh('steps.review.outputs.deploy-first'),
      });
    }
    const review = actions.get('./.github/actions/review') as Action & { outputs?: Record<string, { value: string }> };
    expect(review.outputs?.deployed?.value).toBe(gh('steps.deployed.outputs.deployed'));
    expect(review.outputs?.['deploy-first']?.value).toBe(gh('steps.review.outputs.deploy-first'));
  });

  test('deploys only when nothing was deployed since the review, and before taking credentials', () => {
    for (const { job } of deployJobs()) {
      expect(job.permissions?.deployments).toBe('read');
      const steps = stepsOf(job);
      const check = steps.findIndex((step) => step.run?.includes('scripts/deployed-commit.ts "$ENVIRONMENT"'));
      const credentials = steps.findIndex((step) => step.uses?.startsWith('aws-actions/configure-aws-credentials@'));
      expect(check).toBeGreaterThan(0);
      expect(credentials).toBeGreaterThan(check);
    }
  });

  test("asks for credentials that last as long as the job may run, which the deploy role's sessions allow", () => {
    expect(deployJobs().length).toBeGreaterThan(0);
    for (const { job } of deployJobs()) {
      const credentials = stepsOf(job).find((step) => step.uses?.startsWith('aws-actions/configure-aws-credentials@'));
      expect(Number(credentials?.with?.['role-duration-seconds'])).toBe(DEPLOY_SESSION.toSeconds());
      expect((job['timeout-minutes'] ?? Number.POSITIVE_INFINITY) * 60).toBeLessThanOrEqual(DEPLOY_SESSION.toSeconds());
    }
  });

  test('deploys the stacks the review names alone first, then the whole environment', () => {
    const review = actions.get('./.github/actions/review')?.runs.steps.find((s) => s.run?.includes('npm run review'));
    expect(review?.run).toContain('--deploy-first "$RUNNER_TEMP/deploy-first"');
    expect(review?.run).toContain(
      `echo "deploy-first=$(paste -sd ' ' "$RUNNER_TEMP/deploy-first")" >> "$GITHUB_OUTPUT"`,
    );
    expect(deployJobs().length).toBeGreaterThan(0);
    for (const { job } of deployJobs()) {
      const deploy = stepsOf(job).find((step) => step.run?.includes('cdk deploy'))?.run ?? '';
      const first = deploy.indexOf('npx cdk deploy --exclusively "$stack"');
      expect(deploy).toContain('for stack in $DEPLOY_FIRST; do');
      expect(first).toBeGreaterThan(0);
      expect(deploy.indexOf('npx cdk deploy "$ENVIRONMENT/*"')).toBeGreaterThan(first);
    }
  });
});

describe('the release scripts, run by bash', () => {
  const reviewSteps = () => actions.get('./.github/actions/review')?.runs.steps ?? [];
  const releaseSteps = () => actions.get('./.github/actions/release')?.runs.steps ?? [];
  let repo: string;
  let fakeBin: string;
  const git = (...args: string[]) => execFileSync('git', args, { cwd: repo, encoding: 'utf8' }).trim();
  const commit = (message: string) => {
    git('commit', '--allow-empty', '-q', '-m', message);
    return git('rev-parse', 'HEAD');
  };

  /**
   * Runs `step`'s script as a GitHub runner would, in `repo`, with a `node` that stands in for
   * `scripts/deployed-commit.ts`: it prints `GITHUB_RECORDS` (the last successful deployment) or,
   * when that is empty, fails as the script does. Returns the exit code, stdout and GITHUB_OUTPUT.
   */
  function runStep(step: Step | undefined, env: Record<string, string>) {
    const outputFile = join(repo, '.github-output');
    writeFileSync(outputFile, '');
    const result = spawnSync('bash', ['-e', '-o', 'pipefail', '-c', step?.run ?? 'exit 99'], {
      cwd: repo,
      encoding: 'utf8',
      env: {
        // The runner's environment (bash starts ~0.5 s slower without SHLVL, for one), with the step's.
        ...process.env,
        PATH: `${fakeBin}:${process.env.PATH}`,
        GITHUB_OUTPUT: outputFile,
        GITHUB_SHA: git('rev-parse', 'HEAD'),
        GITHUB_RECORDS: '',
        ...env,
      },
    });
    return { status: result.status, stdout: result.stdout, output: readFileSync(outputFile, 'utf8') };
  }

  let deployed: string;
  let branch: string;
  beforeAll(() => {
    repo = mkdtempSync(join(tmpdir(), 'berth-release-'));
    fakeBin = join(repo, '.bin');
    mkdirSync(fakeBin);
    writeFileSync(
      join(fakeBin, 'node'),
      '#!/bin/sh\n[ "$2" = scripts/deployed-commit.ts ] || exit 99\n[ -n "$GITHUB_RECORDS" ] || { echo "no deployment on record" >&2; exit 1; }\necho "$GITHUB_RECORDS"\n',
      { mode: 0o755 },
    );
    git('init', '-q', '-b', 'main');
    git('config', 'user.email', 'test@example.com');
    git('config', 'user.name', 'test');
    deployed = commit('what prod runs');
    git('checkout', '-q', '-b', 'branch');
    branch = commit('never merged');
    git('checkout', '-q', 'main');
    commit('the release');
  });
  afterAll(() => rmSync(repo, { recursive: true, force: true }));

  const findBase = () => reviewSteps().find((s) => s.id === 'deployed');

  test('the review compares with the last successful deployment, and records it for the deploy job', () => {
    const result = runStep(findBase(), { ENVIRONMENT: 'prod', BASE: '', GITHUB_RECORDS: deployed });
    expect(result.status).toBe(0);
    expect(result.output).toBe(`deployed=${deployed}\nbase=${deployed}\n`);
  });

  test('the review takes a `base` given by hand from the history of the release, as a commit', () => {
    const result = runStep(findBase(), { ENVIRONMENT: 'prod', BASE: 'main~1' });
    expect(result.status).toBe(0);
    expect(result.output).toBe(`deployed=\nbase=${deployed}\n`);
  });

  test('the review stops when there is neither a base nor a deployment on record', () => {
    expect(runStep(findBase(), { ENVIRONMENT: 'prod', BASE: '' }).status).toBe(1);
  });

  test.each([
    ['a commit only on a branch', () => branch, 'is not in the history of'],
    ['a branch', () => 'branch', 'is not in the history of'],
    ['no commit at all', () => 'nowhere', 'is not a commit of this repository'],
  ])('the review refuses a base that is %s, before running any of its code', (_, base, message) => {
    const byHand = { BASE: base() };
    const onRecord = { BASE: '', GITHUB_RECORDS: base() };
    for (const env of [byHand, onRecord]) {
      const result = runStep(findBase(), { ENVIRONMENT: 'prod', ...env });
      expect(result.status).toBe(1);
      expect(result.stdout).toContain(message);
      expect(result.output).not.toContain('base=');
    }
  });

  const checkStep = () => releaseSteps().find((s) => s.name === 'Check the review is still current');

  test('the deploy goes ahead only when the deployment on record is still the one the review saw', () => {
    const reviewed = { ENVIRONMENT: 'prod', REVIEWED_DEPLOYMENT: deployed, DEPLOY_FIRST: '' };
    expect(runStep(checkStep(), { ...reviewed, GITHUB_RECORDS: deployed }).status).toBe(0);
    const moved = runStep(checkStep(), { ...reviewed, GITHUB_RECORDS: branch });
    expect(moved.status).toBe(1);
    expect(moved.stdout).toContain(`was '${deployed}' when this release was reviewed and is '${branch}' now`);
    expect(runStep(checkStep(), { ...reviewed, GITHUB_RECORDS: '' }).status).toBe(1);
  });

  test.each([
    ['another option', '--app=curl'],
    ['a stack of another environment', 'dev/Data'],
    ['a wildcard', 'prod/*'],
  ])('the deploy refuses a stack to deploy first that is %s', (_, stack) => {
    const env = { ENVIRONMENT: 'prod', REVIEWED_DEPLOYMENT: deployed, GITHUB_RECORDS: deployed };
    expect(runStep(checkStep(), { ...env, DEPLOY_FIRST: 'prod/Data prod/Service' }).status).toBe(0);
    const refused = runStep(checkStep(), { ...env, DEPLOY_FIRST: `prod/Data ${stack}` });
    expect(refused.status).toBe(1);
    expect(refused.stdout).toContain('which is not a stack of prod');
  });
});

describe('pull-request workflow', () => {
  const pr = () => workflows.get('pull-request.yml') as Workflow;

  test('runs again when a label is added or removed (the `stateful-change` label lets the review pass)', () => {
    expect(pr().on).toEqual({
      pull_request: { branches: ['main'], types: ['opened', 'synchronize', 'reopened', 'labeled', 'unlabeled'] },
    });
  });

  test('tests, synthesizes and reviews against the base branch with the report in the job summary', () => {
    const runs = stepsOf(pr().jobs.test as Job).map((step) => step.run ?? '');
    expect(runs).toEqual(
      expect.arrayContaining([
        CFN_LINT_INSTALL,
        'npm test',
        'npm run synth',
        'npm run review -- --base "origin/$BASE_REF" --markdown "$GITHUB_STEP_SUMMARY"',
      ]),
    );
  });

  test('diffs every configured environment, each only when its diff role variable is set', () => {
    const diff = pr().jobs.diff as Job;
    expect(diff.strategy?.matrix?.include?.map((entry) => entry.environment)).toEqual(environments.map((e) => e.name));
    const steps = stepsOf(diff);
    const cdkDiff = steps.find((step) => step.run?.includes('npx cdk diff'));
    expect(cdkDiff?.run).toContain('--method=template');
    for (const step of steps.filter((s) => s.uses?.startsWith('aws-actions/') || s.run?.includes('npx cdk diff'))) {
      expect((step as Step & { if?: string }).if).toBe("env.ROLE_ARN != ''");
    }
  });

  test("runs the runner's tests and a synth on Node 22 as well, where the code cache takes Node's own path", () => {
    const node22 = pr().jobs.node22 as Job;
    const setupNode = stepsOf(node22).find((step) => step.uses?.startsWith('actions/setup-node@'));
    expect(String(setupNode?.with?.['node-version'])).toBe('22');
    expect(stepsOf(node22).map((step) => step.run ?? '')).toEqual(
      expect.arrayContaining(['npx jest test/bin', 'npm run synth']),
    );
  });

  test('never runs the diff in a GitHub Environment (the diff role trusts pull requests only)', () => {
    expect((pr().jobs.diff as Job).environment).toBeUndefined();
  });
});
