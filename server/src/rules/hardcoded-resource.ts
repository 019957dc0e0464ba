import * as path from 'node:path';
import { fixedNames, ISOLATED_STORE, MOCKED_STORE, ROLLED_BACK, WORKER_INDEX, type FixedName } from '../engine/resourceNames.js';
import type { RunnerConfigModel, SourceLocation } from '../engine/runnerConfig.js';
import type { Rule, RuleContext, Severity } from '../engine/types.js';

const RUNNER_NAMES: Record<RunnerConfigModel['runner'], string> = {
  vitest: 'Vitest', jest: 'Jest', mocha: 'Mocha', 'node-test': 'The node:test runner', playwright: 'Playwright', unknown: 'The runner',
};

type Parallelism = { state: 'parallel' | 'serial' | 'unknown'; why: string };

function where(source: SourceLocation | undefined): string {
  return source ? ` (\`${source.keyPath}\` in ${path.basename(source.file)})` : '';
}

/** Whether test files (or tests of one file) of this runner run at the same time, from the runner-config model. */
function parallelism(config: RunnerConfigModel): Parallelism {
  const { fileParallelism, fullyParallel, runner } = config;
  if (fullyParallel.kind === 'known' && fullyParallel.value) return { state: 'parallel', why: `tests run in parallel${where(fullyParallel.source)}` };
  if (fileParallelism.kind === 'unknown') return { state: 'unknown', why: 'whether test files run in parallel is not known statically' };
  if (fileParallelism.kind === 'known') {
    return fileParallelism.value
      ? { state: 'parallel', why: `test files run in parallel workers${where(fileParallelism.source)}` }
      : { state: 'serial', why: `test files run one at a time${where(fileParallelism.source)}` };
  }
  const display = RUNNER_NAMES[runner];
  if (fileParallelism.value === true) return { state: 'parallel', why: `${display} runs test files in parallel workers by default` };
  if (fileParallelism.value === false) return { state: 'serial', why: `${display} runs test files one at a time by default` };
  // jest and node:test decide at run time, in parallel workers whenever there is more than one file and core.
  if (runner === 'jest' || runner === 'node-test') return { state: 'parallel', why: `${display} runs test files in parallel workers by default` };
  return { state: 'unknown', why: 'whether test files run in parallel is not known' };
}

/** The per-worker name the runner offers, for the advice. */
function workerIndex(config: RunnerConfigModel): string {
  switch (config.runner) {
    case 'vitest': return '`process.env.VITEST_POOL_ID`';
    case 'jest': return '`process.env.JEST_WORKER_ID`';
    case 'playwright': return '`test.info().parallelIndex`';
    default: return 'the worker or process id';
  }
}

function subject(name: FixedName): string {
  switch (name.kind) {
    case 'temp-path': return `\`${name.client}\` writes the fixed temp path \`${name.value.replace('<tmpdir>', 'os.tmpdir()')}\``;
    case 'row': return `\`${name.client}\` inserts a row with the fixed ${name.value.includes(',') ? 'values' : 'value'} \`${name.value}\` (${name.module})`;
    case 'database': return name.value.startsWith('USES ')
      ? `\`${name.client}\` connects to the fixed database \`${name.value.slice(5)}\` (${name.module}) and this file creates its schema`
      : `\`${name.client}\` creates the fixed ${name.value.startsWith('SCHEMA') ? 'schema' : 'database'} \`${name.value.replace(/^\w+ /, '')}\``;
    case 'redis-key': return `\`${name.client}\` writes the fixed Redis key \`${name.value}\` (${name.module})`;
    case 'queue': return `\`${name.client}\` uses the fixed queue name \`${name.value}\` (${name.module})`;
    case 'bucket': return `\`${name.client}\` creates the fixed bucket \`${name.value}\``;
  }
}

/** Only primary keys are fixed: they collide only with writers of the same table, which often belong to this file alone. */
function keyOnly(name: FixedName): boolean {
  return name.kind === 'row' && name.value.split(', ').every((field) => /^(?:id|_id|uuid|guid):/.test(field));
}

/**
 * A name built from the test file's own name (`mikro_orm_gh4377` in GH4377.test.ts): other files of the suite do not
 * use it, so only a concurrent run of the suite collides.
 */
function ownName(name: FixedName, fileName: string): boolean {
  if (name.kind !== 'database' && name.kind !== 'queue' && name.kind !== 'bucket') return false;
  const base = path.basename(fileName).replace(/\..*$/, '').toLowerCase().replace(/[^a-z0-9]/g, '');
  const raw = name.value.replace(/^\w+ /, '').toLowerCase();
  if (base.length >= 4 && raw.replace(/[^a-z0-9]/g, '').includes(base)) return true;
  // The file's number as a whole number in the name (`7123-1` in GH7123), not inside a longer one.
  return (base.match(/\d{3,}/g) ?? []).some((digits) => new RegExp(`(?:^|\\D)${digits}(?:\\D|$)`).test(raw));
}

function collision(name: FixedName): string {
  switch (name.kind) {
    case 'temp-path': return 'the temp directory is shared by every worker and every other process on the machine, so another test file or run using the same path overwrites or deletes it';
    case 'row': return keyOnly(name)
      ? 'another test file or a concurrent run that inserts the same key into this table fails on it or reads and changes this row'
      : 'another test file, a retry or a concurrent run inserting the same value fails on the unique constraint or reads and changes this row';
    case 'database': return 'another test file or a concurrent run creating it fails, or drops it while this one uses it';
    case 'redis-key': return 'another test file or a concurrent run on the same Redis reads, overwrites or deletes it';
    case 'queue': return 'another test file or a concurrent run on the same Redis shares the queue, so its workers take jobs this test waits for';
    case 'bucket': return 'another test file or a concurrent run creating it fails, and objects written there are shared';
  }
}

function advice(name: FixedName, config: RunnerConfigModel): string {
  if (name.kind === 'temp-path') return 'Create a unique directory per test (`await fs.mkdtemp(path.join(os.tmpdir(), \'name-\'))`) and remove it in a teardown.';
  return `Make it unique per test (\`randomUUID()\`) or per worker (${workerIndex(config)}).`;
}

function check(context: RuleContext): void {
  const { model, report, sourceFile } = context;
  if (model.blocks.length === 0) return;
  // Cheap text filters before the walk: a file naming the worker index partitions its resources already.
  if (WORKER_INDEX.test(sourceFile.text)) return;
  const names = fixedNames(model);
  if (names.length === 0) return;
  const config = context.runnerConfig();
  const text = sourceFile.text;
  // Stores that are not shared: in memory or per file (in this file or a setup file), mocked clients, rolled-back transactions.
  const setupFiles = config.setupFiles.kind === 'unknown' ? undefined : config.setupFiles.value ?? [];
  const storesIsolated = ISOLATED_STORE.test(text) || MOCKED_STORE.test(text) || setupFiles === undefined
    || setupFiles.some((f) => f.isolatedStore !== undefined || f.status !== 'read');
  const rolledBack = ROLLED_BACK.test(text);
  const { state, why } = parallelism(config);
  const severity: Severity | undefined = state === 'parallel' ? undefined : 'info';
  const reported = new Map<string, number[]>();
  const kept: FixedName[] = [];
  for (const name of names) {
    if (name.kind !== 'temp-path' && storesIsolated) continue;
    if (name.kind === 'row' && rolledBack) continue;
    // One finding per fixed name per file: later uses are listed in it.
    const key = `${name.kind}:${name.value}`;
    const line = sourceFile.getLineAndCharacterOfPosition(name.node.getStart(sourceFile)).line + 1;
    const lines = reported.get(key);
    if (lines) {
      lines.push(line);
      continue;
    }
    reported.set(key, []);
    kept.push(name);
  }
  for (const name of kept) {
    const also = reported.get(`${name.kind}:${name.value}`)!;
    const alsoText = also.length ? ` (also at line ${[...new Set(also)].join(', ')})` : '';
    const Why = why.charAt(0).toUpperCase() + why.slice(1);
    const own = ownName(name, sourceFile.fileName);
    const context = own
      ? `The name is this file's own, so other test files do not use it, but a concurrent run of the suite (another checkout, CI job or watch mode on the same server) does: ${collision(name).replace(/^another test file or a concurrent run/, 'the second one')}`
      : state === 'parallel' ? `${Why}, and ${collision(name)}` : state === 'serial'
      ? `${Why}, but a concurrent run of the suite (another checkout, CI job or watch mode) still collides: ${collision(name)}`
      : `${Why}; when they do, ${collision(name)}`;
    // A fixed primary key alone is the minor case: only another writer of the same table collides.
    const ceiling: Severity | undefined = severity ?? (keyOnly(name) || own ? 'info' : undefined);
    report({
      node: name.node,
      message: `${subject(name)}${alsoText}. ${context}. ${advice(name, config)}`,
      ...(ceiling ? { severity: ceiling } : {}),
    });
  }
}

export const hardcodedResource: Rule = {
  meta: {
    id: 'hardcoded-resource',
    category: 'isolation',
    defaultSeverity: 'warning',
    requiresTypes: true,
    docs: {
      summary: 'Reports fixed names for shared external resources that tests create or write: temp paths under /tmp, unique keys of inserted rows, Redis keys, queue, bucket and database names.',
      why: 'Test files run in parallel workers (and suites run concurrently in CI and on developer machines) against the same /tmp, database and Redis: two of them using the same fixed name overwrite each other\'s data or fail on a unique constraint, depending on timing.',
      badExample: "it('exports the report', async () => {\n  await fs.writeFile('/tmp/report.json', JSON.stringify(report));\n  await prisma.user.create({ data: { email: 'alice@example.com', name: 'Alice' } });\n});",
      goodExample: "it('exports the report', async () => {\n  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'report-'));\n  await fs.writeFile(path.join(dir, 'report.json'), JSON.stringify(report));\n  await prisma.user.create({ data: { email: `alice-${randomUUID()}@example.com`, name: 'Alice' } });\n});",
    },
  },
  check,
};
