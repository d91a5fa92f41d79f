import { spawnSync } from 'node:child_process';
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jsiiName } from '../../bin/nag-imports.cjs';

// bin/run.cjs defers the service modules cdk-nag imports (bin/nag-imports.cjs). These tests run the
// runner on apps written to a temp directory whose node_modules hold the real aws-cdk-lib.
const ROOT = join(__dirname, '..', '..');
const RUNNER = join(ROOT, 'bin', 'run.cjs');
const NODE_MODULES = realpathSync(join(ROOT, 'node_modules'));

let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'berth-nag-imports-'));
});

afterEach(() => rmSync(dir, { recursive: true, force: true }));

function write(name: string, lines: readonly string[]): string {
  const file = join(dir, name);
  mkdirSync(join(file, '..'), { recursive: true });
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

/** Runs `entry` through the runner; its last line of output is a JSON report. */
function report(entry: string, env: NodeJS.ProcessEnv = {}): Record<string, unknown> {
  const result = spawnSync(process.execPath, [RUNNER, entry, join(dir, 'cdk.out')], {
    encoding: 'utf8',
    env: { ...process.env, BERTH_CACHE_DIR: join(dir, 'cache'), ...env },
  });
  expect(result.stderr).not.toMatch(/Error:/);
  expect(result.status).toBe(0);
  return JSON.parse(result.stdout.trim().split('\n').pop() ?? '');
}

const LOADED = "(name: string) => Object.keys(require.cache).some((file) => file.endsWith(name + '.generated.js'))";

describe('an aws-cdk-lib service module that cdk-nag imports and nothing else loaded', () => {
  test('answers instanceof as the real class does, and hands out the real module for anything else', () => {
    write('node_modules/cdk-nag/index.js', [
      "const quicksight = require('aws-cdk-lib/aws-quicksight');",
      "const autoscaling = require('aws-cdk-lib/aws-autoscaling');",
      // Held from the start, so every check below goes through the stand-in, before and after loading.
      'const DataSource = quicksight.CfnDataSource;',
      'exports.DataSource = DataSource;',
      'exports.isQuickSightSource = (node) => node instanceof DataSource;',
      'exports.launchEvent = () => autoscaling.ScalingEvent.INSTANCE_LAUNCH;',
    ]);
    for (const name of ['aws-cdk-lib', 'constructs'])
      symlinkSync(join(NODE_MODULES, name), join(dir, 'node_modules', name));
    const entry = write('check.ts', [
      "import { Stack } from 'aws-cdk-lib';",
      "const nag = require('cdk-nag');",
      `const loaded = ${LOADED};`,
      'const stack = new Stack();',
      "const source = { awsAccountId: '111111111111', dataSourceId: 'id', name: 'name', type: 'POSTGRESQL' };",
      "const { CfnDataSource: AppSyncSource } = require('aws-cdk-lib/aws-appsync');",
      "const glue = require('aws-cdk-lib/aws-glue');",
      'void glue.CfnJob;',
      'const before = {',
      '  plainObject: nag.isQuickSightSource({}),',
      '  primitive: nag.isQuickSightSource(42),',
      "  sameNameOtherService: nag.isQuickSightSource(new AppSyncSource(stack, 'AppSync', { apiId: 'api', name: 'name', type: 'NONE' })),",
      "  quicksightLoaded: loaded('quicksight'),",
      "  appGetsRealModule: loaded('glue'),",
      '};',
      "const { CfnDataSource } = require('aws-cdk-lib/aws-quicksight');",
      'class Subclass extends CfnDataSource {}',
      // A class of a jsii library built on the L1 carries its own name, so the whole chain is searched.
      "class Named extends CfnDataSource { static [Symbol.for('jsii.rtti')] = { fqn: 'my-lib.Named', version: '1.0.0' }; }",
      'console.log(JSON.stringify({',
      '  ...before,',
      "  instance: nag.isQuickSightSource(new CfnDataSource(stack, 'Source', source)),",
      "  subclassInstance: nag.isQuickSightSource(new Subclass(stack, 'Subclass', source)),",
      "  namedSubclassInstance: nag.isQuickSightSource(new Named(stack, 'Named', source)),",
      "  constructedThroughStandIn: new nag.DataSource(stack, 'ThroughStandIn', source) instanceof CfnDataSource,",
      "  enumValue: nag.launchEvent() === require('aws-cdk-lib/aws-autoscaling').ScalingEvent.INSTANCE_LAUNCH,",
      '}));',
    ]);
    expect(report(entry)).toEqual({
      plainObject: false,
      primitive: false,
      sameNameOtherService: false,
      quicksightLoaded: false,
      appGetsRealModule: true,
      instance: true,
      subclassInstance: true,
      namedSubclassInstance: true,
      constructedThroughStandIn: true,
      enumValue: true,
    });
  });
});

describe('cdk-nag through the runner', () => {
  test('leaves the modules of services the app does not use unloaded, and flags a resource whose module it never loaded', () => {
    symlinkSync(NODE_MODULES, join(dir, 'node_modules'));
    const entry = write('app.ts', [
      "import { App, Stack, Validations } from 'aws-cdk-lib';",
      "import { AwsSolutionsChecks } from 'cdk-nag';",
      `const loaded = ${LOADED};`,
      "const indexLoaded = () => Object.keys(require.cache).some((file) => file.endsWith('aws-quicksight/index.js'));",
      'const app = new App({ outdir: process.argv[2], builtinCloudFormationValidation: false });',
      "const stack = new Stack(app, 'Plain');",
      // From the file that defines the class, so the service module cdk-nag imports stays unloaded
      // and its rule meets the stand-in.
      "const generated = require.resolve('aws-cdk-lib/aws-quicksight').replace(/index\\.js$/, 'lib/quicksight.generated.js');",
      'const { CfnDataSource } = require(generated);',
      "new CfnDataSource(stack, 'Source', { awsAccountId: '111111111111', dataSourceId: 'id', name: 'name', type: 'POSTGRESQL', sslProperties: { disableSsl: true } });",
      'Validations.of(app).addPlugins(new AwsSolutionsChecks(app));',
      'const indexLoadedBeforeSynth = indexLoaded();',
      "let failure = '';",
      'try { app.synth(); } catch (error) { failure = String(error); }',
      "console.log(JSON.stringify({ failure: failure.split(':')[0], indexLoadedBeforeSynth, sagemakerLoaded: loaded('sagemaker') }));",
    ]);
    expect(report(entry)).toEqual({
      failure: 'ValidationFailed',
      indexLoadedBeforeSynth: false,
      sagemakerLoaded: false,
    });
    const findings = readFileSync(join(dir, 'cdk.out', 'validation-report.json'), 'utf8');
    expect(findings).toContain('AwsSolutions-QS1');
    expect(findings).not.toContain('nag-imports.cjs');
  });
});

interface L1Use {
  readonly service: string;
  readonly name: string;
  readonly inInstanceof: boolean;
}

/**
 * Every `Cfn*` name cdk-nag reads from each aws-cdk-lib service module and how it reads it, and how
 * many imports of a service module this could not follow (their uses would go unchecked).
 */
function cdkNagL1Uses(): { uses: L1Use[]; unreadImports: number } {
  const uses: L1Use[] = [];
  let unreadImports = 0;
  const files = readdirSync(join(NODE_MODULES, 'cdk-nag', 'lib'), { recursive: true, encoding: 'utf8' });
  for (const file of files.filter((name) => name.endsWith('.js'))) {
    // Without the inline source map, which is most of each file.
    const code = readFileSync(join(NODE_MODULES, 'cdk-nag', 'lib', file), 'utf8').replace(
      /^\/\/# sourceMappingURL=.*$/m,
      '',
    );
    const imports = [...code.matchAll(/(\w+) = require\("aws-cdk-lib\/([a-z0-9-]+)"\)/g)];
    unreadImports += code.split('require("aws-cdk-lib/').length - 1 - imports.length;
    for (const [, binding, service] of imports) {
      for (const use of code.matchAll(new RegExp(`\\b${binding}\\.(Cfn\\w+)`, 'g'))) {
        const inInstanceof = code.slice(use.index - 'instanceof '.length, use.index) === 'instanceof ';
        uses.push({ service: service ?? '', name: use[1] ?? '', inInstanceof });
      }
    }
  }
  return { uses, unreadImports };
}

describe('what the deferral relies on in the installed cdk-nag and aws-cdk-lib', () => {
  const { uses, unreadImports } = cdkNagL1Uses();

  test('cdk-nag reads L1 classes from service modules only to test instanceof', () => {
    expect(unreadImports).toBe(0);
    expect(uses.length).toBeGreaterThan(100);
    expect(uses.filter((use) => !use.inInstanceof)).toEqual([]);
  });

  test('each of those classes carries the jsii name the stand-in looks for', () => {
    const expected = uses.map(({ service, name }) => [service, name, jsiiName(service, name)]);
    // A plain Node process: loading ~50 service modules through jest's registry is much slower.
    const result = spawnSync(
      process.execPath,
      [
        '-e',
        [
          "const rtti = Symbol.for('jsii.rtti');",
          'const wrong = JSON.parse(process.argv[1]).filter(([service, name, fqn]) => {',
          "  const cls = require('aws-cdk-lib/' + service)[name];",
          '  return !(cls && Object.hasOwn(cls, rtti) && cls[rtti].fqn === fqn && cls.prototype.constructor === cls);',
          '});',
          'console.log(JSON.stringify(wrong));',
        ].join('\n'),
        JSON.stringify(expected),
      ],
      { cwd: ROOT, encoding: 'utf8' },
    );
    expect(result.stderr).toBe('');
    expect(JSON.parse(result.stdout)).toEqual([]);
  });
});
