#!/usr/bin/env node
// Benchmark: a generated mid-size test repository, checked cold by the built CLI, compared with `tsc --noEmit` and with
// the floor (the same programs built and bound with no rule run, bench/floor.mjs), then warm re-analysis of one edited
// file through the Workspace API, and resident memory.
// Usage: node bench/run.mjs [--files N] [--helpers M] [--runs R] [--process-runs P] [--workspace DIR [--paths A,B] [--tsconfig T]...]
//   --workspace DIR: measure a real workspace instead of the generated one (its tsconfig.json for tsc).
//   --paths A,B: check only these paths of the workspace (relative to it), e.g. test/node/src.
//   --tsconfig T: the tsconfig(s) tsc builds instead (relative to the workspace; repeatable: one tsc run each, times added,
//     the largest RSS kept), so tsc builds the programs that own the checked test files.
//   --skip-warm: only the process measurements (cold, cached, tsc), not the in-process warm re-analysis.
//   --cli FILE: the flakelens CLI to measure (default: this checkout's build), e.g. an older build for a before/after.
// Every ratio is against `tsc --noEmit` measured in the same run, interleaved, medians: it holds on a noisy machine.
// (npm run bench builds first)
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { ensureRepo } from './generate.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
let CLI = path.join(ROOT, 'server/dist/bin/cli.js');
const TSC = path.join(ROOT, 'node_modules/typescript/bin/tsc');

const { values } = parseArgs({
  options: {
    files: { type: 'string', default: '300' },
    helpers: { type: 'string' },
    runs: { type: 'string', default: '5' },
    'process-runs': { type: 'string', default: '3' },
    workspace: { type: 'string' },
    paths: { type: 'string' },
    tsconfig: { type: 'string', multiple: true },
    cli: { type: 'string' },
    'skip-warm': { type: 'boolean', default: false },
  },
});
const processRuns = Number(values['process-runs']);
const testCount = Number(values.files);
const helperCount = values.helpers === undefined ? Math.max(2, Math.round(testCount / 3)) : Number(values.helpers);
const runs = Number(values.runs);
if (![testCount, helperCount, runs, processRuns].every((n) => Number.isInteger(n) && n > 0) || helperCount < 2) {
  console.error('usage: node bench/run.mjs [--files N] [--helpers M] [--runs R] [--process-runs P] [--workspace DIR]  (positive integers, M >= 2)');
  process.exit(2);
}
if (values.cli) CLI = path.resolve(values.cli);
if (!fs.existsSync(CLI)) {
  console.error(`${path.relative(ROOT, CLI)} is missing: run npm run build first (npm run bench does)`);
  process.exit(2);
}

// ---------------------------------------------------------------- measurement

const ms = (start) => Number(process.hrtime.bigint() - start) / 1e6;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const mb = (bytes) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;
const seconds = (millis) => (millis >= 1000 ? `${(millis / 1000).toFixed(2)} s` : `${millis.toFixed(1)} ms`);

const TIME = fs.existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;
const mbOrNa = (bytes) => (bytes === undefined ? 'RSS n/a' : mb(bytes));

/** Wall time and (where GNU time exists) peak RSS of a fresh node process. */
function timeProcess(args) {
  const rssFile = path.join(ROOT, 'bench/.work', `rss-${process.pid}.txt`);
  const [command, commandArgs] = TIME ? [TIME, ['-f', '%M', '-o', rssFile, process.execPath, ...args]] : [process.execPath, args];
  const start = process.hrtime.bigint();
  const result = spawnSync(command, commandArgs, { cwd: ROOT, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  const elapsed = ms(start);
  let rss;
  if (TIME) {
    const kb = Number(fs.readFileSync(rssFile, 'utf8').trim().split('\n').pop());
    if (Number.isFinite(kb)) rss = kb * 1024;
    fs.rmSync(rssFile, { force: true });
  }
  return { elapsed, rss, status: result.status, stdout: result.stdout, stderr: result.stderr };
}

const rows = [];
fs.mkdirSync(path.join(ROOT, 'bench/.work'), { recursive: true });
let repo;
if (values.workspace) {
  repo = path.resolve(values.workspace);
  console.log(`bench workspace: ${repo}`);
} else {
  const start = process.hrtime.bigint();
  const ensured = ensureRepo(path.join(ROOT, 'bench/.work'), testCount, helperCount);
  repo = ensured.repo;
  const generationNote = ensured.generated ? `generated in ${seconds(ms(start))}` : 'reused';
  console.log(`bench repository: ${path.relative(ROOT, repo)} (${testCount} test files, ${helperCount} helper modules; ${generationNote})`);
}

// Cold check, cached re-check and tsc, each a fresh process, interleaved so load drifts hit all three alike.
const cacheFile = path.join(ROOT, 'bench/.work', `cache-${path.basename(repo)}.json`);
const checkPaths = values.paths ? values.paths.split(',').map((p) => path.resolve(repo, p)) : [repo];
const checkArgs = [CLI, 'check', ...checkPaths, '--root', repo, '--format', 'json', '--max-warnings=-1'];
const tsconfigs = values.tsconfig?.length ? values.tsconfig.map((t) => path.resolve(repo, t)) : [repo];
/** tsc over every tsconfig, one after the other: wall times added, the largest RSS. */
function timeTsc() {
  const runs = tsconfigs.map((t) => timeProcess([TSC, '--noEmit', '-p', t]));
  const rssValues = runs.map((r) => r.rss).filter((r) => r !== undefined);
  return {
    elapsed: runs.reduce((sum, r) => sum + r.elapsed, 0),
    rss: rssValues.length ? Math.max(...rssValues) : undefined,
    status: runs.find((r) => r.status !== 0)?.status ?? 0,
  };
}
// The floor: what a cold check costs before any rule runs (bench/floor.mjs), so the ratios below can be read against it.
const FLOOR = path.join(ROOT, 'bench/floor.mjs');
const samples = { cold: [], cached: [], tsc: [], floor: [] };
let floorReport;
let coldReport;
for (let run = 0; run < processRuns; run++) {
  fs.rmSync(cacheFile, { force: true });
  const cold = timeProcess([...checkArgs, '--cache-location', cacheFile]);
  if (cold.status !== 0 && cold.status !== 1) {
    console.error(`flakelens check failed (exit ${cold.status}):\n${cold.stderr}`);
    process.exit(1);
  }
  coldReport = JSON.parse(cold.stdout);
  samples.cold.push(cold);
  const cached = timeProcess([...checkArgs, '--cache-location', cacheFile]);
  if (cached.stdout !== cold.stdout) {
    console.error('the cached re-check reported something else than the cold check: a cache bug');
    process.exit(1);
  }
  samples.cached.push(cached);
  samples.tsc.push(timeTsc());
  const floor = timeProcess([FLOOR, repo, ...checkPaths]);
  if (floor.status !== 0) {
    console.error(`bench/floor.mjs failed (exit ${floor.status}${floor.error ? `, ${floor.error.message}` : ''}):\n${floor.stderr}`);
    process.exit(1);
  }
  floorReport = JSON.parse(floor.stdout);
  samples.floor.push(floor);
}
const med = (key, field) => median(samples[key].map((s) => s[field]));
const ratio = (a, b) => (a !== undefined && b ? (a / b).toFixed(2) : 'n/a');
const tscStatus = samples.tsc[0].status === 0 ? 'no type errors' : `exit ${samples.tsc[0].status}`;
rows.push([`\`tsc --noEmit -p\` ${tsconfigs.map((t) => path.relative(repo, t) || '.').join(' + ')}`, `${seconds(med('tsc', 'elapsed'))}, ${mbOrNa(med('tsc', 'rss'))}`, `${tscStatus}; median of ${processRuns}`]);
rows.push([
  'cold `flakelens check` (built CLI, new process)',
  `${seconds(med('cold', 'elapsed'))}, ${mbOrNa(med('cold', 'rss'))}`,
  `${coldReport.summary.filesScanned} files, ${coldReport.summary.problems} findings; **${ratio(med('cold', 'elapsed'), med('tsc', 'elapsed'))}× tsc wall, ${ratio(med('cold', 'rss'), med('tsc', 'rss'))}× tsc RSS**`,
]);
rows.push([
  'floor: the same programs built and bound, no rule run (bench/floor.mjs)',
  `${seconds(med('floor', 'elapsed'))}, ${mbOrNa(med('floor', 'rss'))}`,
  `${floorReport.programs} program(s), ${floorReport.sourceFiles} source files; ${ratio(med('floor', 'elapsed'), med('tsc', 'elapsed'))}× tsc wall, ${ratio(med('floor', 'rss'), med('tsc', 'rss'))}× tsc RSS; ${values.cli ? 'this checkout\'s build (not --cli\'s), so no share for the rules' : `the rules: ${ratio(med('cold', 'elapsed') - med('floor', 'elapsed'), med('tsc', 'elapsed'))}× tsc wall`}${floorReport.testFiles === coldReport.summary.filesScanned ? '' : `; NB ${floorReport.testFiles} test files against the check's ${coldReport.summary.filesScanned}`}`,
]);
rows.push([
  're-check of the unchanged workspace (`--cache`)',
  `${seconds(med('cached', 'elapsed'))}, ${mbOrNa(med('cached', 'rss'))}`,
  `**${ratio(med('cached', 'elapsed'), med('tsc', 'elapsed'))}× tsc wall**; same report as cold`,
]);

if (!values['skip-warm']) {
// Warm: the Workspace API in this process, the project already built, one edited buffer re-analysed.
const { Workspace } = await import(pathToFileURL(path.join(ROOT, 'server/dist/workspace/workspace.js')).href);
const { RULES } = await import(pathToFileURL(path.join(ROOT, 'server/dist/rules/index.js')).href);
const workspace = new Workspace({ root: repo, rules: RULES });
let start = process.hrtime.bigint();
const files = workspace.listTestFiles(checkPaths);
workspace.addRoots(files);
let findings = 0;
for (const file of files) findings += workspace.analyzeFile(file).findings.length;
rows.push(['in-process first analysis (Workspace API)', seconds(ms(start)), `${files.length} files, ${findings} findings`]);

const edited = files[Math.floor(files.length / 2)];
const original = fs.readFileSync(edited, 'utf8');
const timings = [];
for (let run = 0; run < runs; run++) {
  const text = `${original}\n// edit ${run}\nit.skip('added while editing ${run}', () => {});\n`;
  start = process.hrtime.bigint();
  workspace.setBuffer(edited, text);
  workspace.analyzeFile(edited);
  timings.push(ms(start));
}
rows.push([`warm re-analysis of one edited test file (median of ${runs})`, seconds(median(timings)), `setBuffer + analyzeFile, ${path.relative(repo, edited)}`]);

const helper = path.join(repo, 'src/helper0.ts');
if (fs.existsSync(helper)) {
const helperText = fs.readFileSync(helper, 'utf8');
const helperTimings = [];
let affectedCount = 0;
for (let run = 0; run < Math.min(runs, 3); run++) {
  start = process.hrtime.bigint();
  workspace.setBuffer(helper, `${helperText}\nexport const edit${run} = ${run};\n`);
  const affected = workspace.affectedBy(helper);
  for (const file of affected) workspace.analyzeFile(file);
  affectedCount = affected.length;
  helperTimings.push(ms(start));
}
rows.push(['warm edit of a shared helper (re-analyse its importers)', seconds(median(helperTimings)), `${affectedCount} affected test files`]);
}

const memory = process.memoryUsage();
rows.push(['memory after (this process: workspace built, all files analysed)', mb(memory.rss), `heap used ${mb(memory.heapUsed)}`]);
workspace.dispose();
}

// ---------------------------------------------------------------- report

const header = ['measure', 'time / size', 'detail'];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
const line = (cells) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
console.log();
console.log(line(header));
console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
for (const row of rows) console.log(line(row));
console.log(`\nnode ${process.version}, ${process.platform}/${process.arch}; times are wall-clock (process.hrtime), one run each unless noted.`);
