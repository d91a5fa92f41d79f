import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { environments } from '../lib/config/environments';
import { CFN_LINT_INSTALL } from './support/cfn-lint';

// The README is the runbook a newcomer follows command by command: every script, file, anchor
// and stage it names must exist. Plain text checks, no synth, so this stays fast.

const ROOT = join(__dirname, '..');
const README = readFileSync(join(ROOT, 'README.md'), 'utf8');
const scripts = Object.keys(
  (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts,
);

/** Fenced code blocks (also indented ones inside lists), with `\` line continuations joined. */
const codeBlocks = [...README.matchAll(/^[ \t]*```[^\n]*\n([\s\S]*?)^[ \t]*```/gm)].map((m) =>
  m[1].replace(/\\\n\s*/g, ' '),
);
/** Inline code spans outside the fenced blocks, e.g. `npm run migrate -- --env prod`. */
const inlineCode = [...README.replace(/^[ \t]*```[^\n]*\n[\s\S]*?^[ \t]*```/gm, '').matchAll(/`([^`\n]+)`/g)].map(
  (m) => m[1],
);
const commandText = [...codeBlocks, ...inlineCode];

function matchesIn(texts: readonly string[], pattern: RegExp): string[] {
  return texts.flatMap((text) => [...text.matchAll(pattern)].map((m) => m[1]));
}

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to dashes. */
function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N} _-]/gu, '')
    .replace(/ /g, '-');
}

describe('README', () => {
  test('has code blocks to check', () => {
    expect(codeBlocks.length).toBeGreaterThan(10);
  });

  test('every npm run <script> exists in package.json', () => {
    // npm options such as -s may come before the script name.
    const named = matchesIn(commandText, /\bnpm run (?:-\w+ )*([\w:][\w:-]*)/g);
    expect(named).toEqual(expect.arrayContaining(['synth', 'review', 'migrate', 'cost']));
    const missing = [...new Set(named)].filter((script) => !scripts.includes(script));
    expect(missing).toEqual([]);
  });

  test('every linked file exists', () => {
    const targets = [...README.matchAll(/\]\(([^)\s]+)\)/g)]
      .map((m) => m[1])
      .filter((target) => !/^(https?:|mailto:|#)/.test(target))
      .map((target) => target.split('#')[0]);
    expect(targets.length).toBeGreaterThan(5);
    const missing = [...new Set(targets)].filter((target) => !existsSync(join(ROOT, target)));
    expect(missing).toEqual([]);
  });

  test('every in-page link points at a heading', () => {
    const anchors = new Set(
      [...README.replace(/^[ \t]*```[^\n]*\n[\s\S]*?^[ \t]*```/gm, '').matchAll(/^#{1,6} (.+)$/gm)].map((m) =>
        slug(m[1]),
      ),
    );
    const links = [...README.matchAll(/\]\(#([^)]+)\)/g)].map((m) => m[1]);
    // The quick start's links to the runbook and reference sections, at least.
    expect(links.length).toBeGreaterThanOrEqual(5);
    const broken = [...new Set(links)].filter((anchor) => !anchors.has(anchor));
    expect(broken).toEqual([]);
  });

  test("every npx cdk '<pattern>' names a configured environment or a ci-<account> stack", () => {
    const names = new Set(environments.map((env) => env.name));
    const ciStacks = new Set(environments.map((env) => `ci-${env.account}`));
    const patterns = commandText.flatMap((text) =>
      [...text.matchAll(/\bnpx cdk \w+[^\n]*/g)].flatMap((m) => [...m[0].matchAll(/'([^']+)'/g)].map((p) => p[1])),
    );
    expect(patterns).toEqual(expect.arrayContaining(['prod/Data', 'prod/*', 'dev/*']));
    const unknown = patterns
      .filter((pattern) => !pattern.includes('<')) // placeholders such as '<env>/*'
      .filter((pattern) => {
        if (pattern.startsWith('ci-')) return !ciStacks.has(pattern);
        const [stage, stack] = pattern.split('/');
        return !names.has(stage) || !['*', 'Data', 'Service', 'Uptime'].includes(stack);
      });
    expect(unknown).toEqual([]);
  });

  test('every cdk bootstrap target is an environment account in its region or us-east-1', () => {
    const allowed = new Set(
      environments.flatMap((env) => [`${env.account}/${env.region}`, `${env.account}/us-east-1`]),
    );
    const targets = matchesIn(codeBlocks, /aws:\/\/(\d{12}\/[a-z0-9-]+)/g);
    expect(targets.length).toBeGreaterThan(0);
    expect(targets.filter((target) => !allowed.has(target))).toEqual([]);
  });

  test('the migrate examples name configured environments', () => {
    const names = new Set(environments.map((env) => env.name));
    const used = matchesIn(commandText, /\bnpm run (?:migrate|review) -- [^\n]*?--env (\S+)/g);
    expect(used.length).toBeGreaterThan(0);
    expect(used.filter((name) => !names.has(name))).toEqual([]);
  });
});

test('tells users to install the cfn-lint version CI pins, and no other', () => {
  const installs = matchesIn(commandText, /(pip install cfn-lint[^\s|`]*)/g);
  expect(installs.length).toBeGreaterThan(0);
  expect(new Set(installs)).toEqual(new Set([CFN_LINT_INSTALL]));
});
