/**
 * Offline release review: synthesizes a base git ref and the working tree, diffs every stack's
 * template and fails when a stateful resource would be replaced, deleted, overwritten, cut short or
 * left behind, or when the deploy would fail on an export another stack imports.
 *
 *   npm run review -- --base origin/main [--env prod] [--allow <LogicalId | stage/stack/LogicalId | stage/stack | export name>] [--markdown report.md]
 *
 * `--deploy-first <file>` writes the stacks to deploy alone before the rest (one per line), so that
 * they let go of exports the rest removes; the release action deploys them first.
 *
 * Exit codes: 0 pass; 1 blocked (the report names what and the --allow that lets it through);
 * 2 bad arguments or a failed synth.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { stacksOf } from '../lib/review/assembly';
import { renderMarkdown, renderText } from '../lib/review/report';
import { exitCodeOf, reviewRelease } from '../lib/review/review';
import { checkoutRef, synthesize } from '../lib/review/synth';

const USAGE =
  'usage: npm run review -- --base <git ref> [--env <name>]... [--allow <LogicalId | stage/stack/LogicalId | stage/stack (a stack that left the app) | export name>]... [--markdown <file>] [--deploy-first <file>] [-c key=value]...';

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      base: { type: 'string' },
      allow: { type: 'string', multiple: true, default: [] },
      env: { type: 'string', multiple: true },
      markdown: { type: 'string' },
      'deploy-first': { type: 'string' },
      context: { type: 'string', short: 'c', multiple: true, default: [] },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (!values.base) {
    console.error(`--base is required\n${USAGE}`);
    return 2;
  }
  const context: Record<string, string> = {};
  for (const pair of values.context) {
    const [key, ...rest] = pair.split('=');
    if (!key || rest.length === 0) {
      console.error(`-c must be key=value, got: ${pair}\n${USAGE}`);
      return 2;
    }
    context[key] = rest.join('=');
  }

  const repository = process.cwd();
  // Before the output directory: a ref that does not exist leaves nothing behind.
  const checkout = checkoutRef(repository, values.base);
  const work = mkdtempSync(join(tmpdir(), 'berth-review-out-'));
  try {
    const started = Date.now();
    // Both synths at once: each is mostly single-threaded. Both settle before anything is
    // removed, so a failed one never leaves the other writing into a deleted checkout.
    const synths = await Promise.allSettled([
      synthesize({ directory: checkout.directory, outdir: join(work, 'base') }),
      synthesize({ directory: repository, outdir: join(work, 'current'), context }),
    ]);
    for (const synth of synths) if (synth.status === 'rejected') throw synth.reason;
    const [base, current] = [stacksOf(join(work, 'base')), stacksOf(join(work, 'current'))];
    const known = new Set([...base, ...current].map((stack) => stack.environment));
    const unknown = (values.env ?? []).filter((name) => !known.has(name));
    if (unknown.length > 0) {
      console.error(`--env must be one of ${[...known].join(', ')}, got: ${unknown.join(', ')}`);
      return 2;
    }
    const review = reviewRelease(base, current, {
      allow: values.allow,
      environments: values.env,
    });
    const heading = { base: `${values.base} (${checkout.commit.slice(0, 12)})` };
    console.log(renderText(review, heading));
    console.log(`\n(synthesized both in ${((Date.now() - started) / 1000).toFixed(1)} s)`);
    if (values.markdown) writeFileSync(resolve(values.markdown), `${renderMarkdown(review, heading)}\n`);
    // One stack id per line: the review action passes them on to the release action, which deploys
    // them alone before the rest.
    const deployFirst = values['deploy-first'];
    if (deployFirst) writeFileSync(resolve(deployFirst), review.deployFirst.map((id) => `${id}\n`).join(''));
    return exitCodeOf(review);
  } finally {
    checkout.remove();
    rmSync(work, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(2);
  },
);
