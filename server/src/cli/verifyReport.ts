import type { Palette } from './colors.js';
import { FLAKY_VERDICTS, MODES, SLICES, type RunRecord, type Slice, type Verdict, type VerdictKind, type VerifyResults } from '../verify/types.js';

export const VERIFY_FORMATS = ['stylish', 'json', 'markdown', 'junit'] as const;
export type VerifyFormat = (typeof VERIFY_FORMATS)[number];

export function isVerifyFormat(value: string): value is VerifyFormat {
  return (VERIFY_FORMATS as readonly string[]).includes(value);
}

export function formatVerify(results: VerifyResults, format: VerifyFormat, palette: Palette): string {
  switch (format) {
    case 'json':
      return `${JSON.stringify(results, null, 2)}\n`;
    case 'markdown':
      return formatVerifyMarkdown(results);
    case 'junit':
      return formatVerifyJunit(results);
    case 'stylish':
      return formatVerifyStylish(results, palette);
  }
}

const SLICE_LABEL: Record<Slice, string> = { serial: 'serial', parallel: 'parallel', shuffle: 'shuffle', stress: 'stress' };

/** Verdicts worth a reader's attention first, then the rest. */
const ORDER: VerdictKind[] = ['order-dependent', 'parallel-sensitive', 'timing-sensitive', 'flaky', 'failing', 'stable'];

function sorted(verdicts: readonly Verdict[]): Verdict[] {
  return verdicts.slice().sort((a, b) => ORDER.indexOf(a.verdict) - ORDER.indexOf(b.verdict) || a.id.localeCompare(b.id));
}

function countsText(v: Verdict): string {
  return SLICES.filter((s) => v.counts[s])
    .map((s) => `${SLICE_LABEL[s]} ${v.counts[s]!.passed}/${v.counts[s]!.passed + v.counts[s]!.failed}`)
    .join(', ');
}

function title(v: Verdict): string {
  return `${v.file}${v.location ? `:${v.location.line}` : ''} › ${v.titles.join(' › ')}`;
}

export interface ModeRow {
  slice: Slice;
  runs: number;
  clean: number;
  withFailures: number;
  seeds: number[];
  durationMs: number;
}

/** Plan runs per mode: how many, how many had no failing test, their seeds and time. */
export function modeRows(results: VerifyResults): ModeRow[] {
  const rows = new Map<Slice, ModeRow>();
  const logical = new Map<string, RunRecord[]>();
  for (const run of results.runs) {
    if (run.purpose !== 'plan') continue;
    const slice: Slice = run.stress ? 'stress' : run.mode;
    // Merged shards: runs of the same mode and seed at the same position are one logical run.
    const key = `${slice}:${run.seed ?? ''}:${logicalPosition(results, run)}`;
    const list = logical.get(key) ?? [];
    list.push(run);
    logical.set(key, list);
  }
  for (const [key, list] of logical) {
    const slice = key.split(':')[0] as Slice;
    const row = rows.get(slice) ?? { slice, runs: 0, clean: 0, withFailures: 0, seeds: [], durationMs: 0 };
    row.runs++;
    if (list.every((r) => r.failed === 0)) row.clean++;
    else row.withFailures++;
    const seed = list[0]!.seed;
    if (seed !== undefined && !row.seeds.includes(seed)) row.seeds.push(seed);
    row.durationMs += Math.max(...list.map((r) => r.durationMs));
    rows.set(slice, row);
  }
  return SLICES.filter((s) => rows.has(s)).map((s) => rows.get(s)!);
}

function logicalPosition(results: VerifyResults, run: RunRecord): number {
  // The k-th plan run of its slice within its shard (runs are numbered across shards after a merge).
  let shardStart = 0;
  const planLength = results.options.runs * (results.options.modes.length + (results.options.stress ? 1 : 0));
  let count = 0;
  for (const r of results.runs) {
    if (r === run) break;
    if (r.purpose === 'plan') count++;
  }
  shardStart = planLength > 0 ? count % planLength : count;
  return shardStart;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

function header(results: VerifyResults): string[] {
  const o = results.options;
  return [
    `${results.runner.id} ${results.runner.version} · ${o.runs} run(s) per mode · modes ${o.modes.join(', ')}${o.stress ? ' + stress' : ''} · seed ${o.seed} · ${o.workers} parallel workers${
      o.shard ? ` · shard ${o.shard.index}/${o.shard.count}` : ''
    }${results.mergedFrom ? ` · merged from ${results.mergedFrom} shards` : ''}`,
  ];
}

function summaryLine(results: VerifyResults): string {
  const s = results.summary;
  const parts = ORDER.filter((k) => s[k] > 0).map((k) => `${s[k]} ${k}`);
  return `${s.tests} test(s) over ${s.runs} run(s): ${parts.join(', ') || 'nothing ran'} (${seconds(results.durationMs)})`;
}

export function formatVerifyStylish(results: VerifyResults, p: Palette): string {
  const lines: string[] = [p.gray(header(results)[0]!), ''];
  if (results.packages?.length) lines.splice(1, 0, p.gray(`packages: ${results.packages.map((k) => `${k.dir} (${k.runner.id})`).join(', ')}`));
  const paint = (kind: VerdictKind, text: string) => (kind === 'stable' ? p.green(text) : kind === 'failing' ? p.red(text) : p.yellow(text));
  const shown = sorted(results.verdicts);
  const width = Math.max(...shown.map((v) => v.verdict.length), 7);
  for (const v of shown) {
    lines.push(`${paint(v.verdict, v.verdict.padEnd(width))}  ${title(v)}  ${p.gray(countsText(v))}`);
    if (v.verdict === 'stable') continue;
    if (v.firstFailure?.message) lines.push(`${' '.repeat(width + 2)}${p.gray('first failure:')} ${v.firstFailure.message}${v.firstFailure.at ? p.gray(` (${v.firstFailure.at})`) : ''}`);
    if (v.polluters?.length) lines.push(`${' '.repeat(width + 2)}${p.gray('polluter:')} ${v.polluters.join(', ')}`);
    if (v.verdict !== 'failing') lines.push(`${' '.repeat(width + 2)}${p.gray(v.conclusion)}`);
    if (v.repro) lines.push(`${' '.repeat(width + 2)}${p.gray('reproduce:')} ${v.repro}`);
  }
  lines.push('', p.bold(summaryLine(results)));
  return `${lines.join('\n')}\n`;
}

function mdEscape(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

export function formatVerifyMarkdown(results: VerifyResults): string {
  const out: string[] = ['# flakelens verification report', ''];
  out.push(`- Runner: ${results.runner.id} ${results.runner.version} (\`${results.runner.command.join(' ')}\`), shuffle: ${results.runner.shuffle === 'native' ? 'runner-native seeded shuffle' : 'file order permuted by flakelens from the seed'}`);
  out.push(`- Plan: ${results.options.runs} run(s) per mode, modes ${results.options.modes.join(', ')}${results.options.stress ? ', plus stressed serial runs' : ''}; base seed ${results.options.seed}; ${results.options.workers} parallel workers; retries forced off`);
  if (results.packages?.length) {
    out.push(`- Packages (each run in its own directory): ${results.packages.map((p) => `${p.dir} (${p.runner.id} ${p.runner.version}, ${p.tests} test(s))`).join(', ')}`);
  }
  if (results.options.names?.length) out.push(`- Tests whose names match: ${results.options.names.map((n) => `\`${n}\``).join(', ')}`);
  const unavailable = Object.entries(results.runner.unavailable ?? {});
  if (unavailable.length) out.push(`- Not run: ${unavailable.map(([mode, why]) => `${mode} mode (${why})`).join('; ')}`);
  if (results.options.shard) out.push(`- Shard ${results.options.shard.index}/${results.options.shard.count}`);
  if (results.mergedFrom) out.push(`- Merged from ${results.mergedFrom} shard results; verdicts recomputed from all runs`);
  out.push(`- ${results.files.length} test file(s), ${results.summary.tests} test(s), ${results.runs.length} runner invocation(s) in ${seconds(results.durationMs)}`, '');

  out.push('## Runs per mode', '', '| Mode | Runs | Runs without failures | Runs with failures | Seeds | Time |', '| --- | ---: | ---: | ---: | --- | ---: |');
  for (const row of modeRows(results)) {
    out.push(`| ${row.slice === 'stress' ? 'serial under --stress' : row.slice} | ${row.runs} | ${row.clean} | ${row.withFailures} | ${row.seeds.join(', ') || '–'} | ${seconds(row.durationMs)} |`);
  }
  out.push('');

  out.push('## Verdicts', '', '| Verdict | Test | ' + SLICES.map((s) => SLICE_LABEL[s]).join(' | ') + ' |', '| --- | --- | ' + SLICES.map(() => '---:').join(' | ') + ' |');
  for (const v of sorted(results.verdicts)) {
    const cells = SLICES.map((s) => (v.counts[s] ? `${v.counts[s]!.passed}/${v.counts[s]!.passed + v.counts[s]!.failed}` : '–'));
    out.push(`| **${v.verdict}** | ${mdEscape(title(v))} | ${cells.join(' | ')} |`);
  }
  out.push('', '_Cells: passed/runs._', '');

  const notable = sorted(results.verdicts).filter((v) => v.verdict !== 'stable');
  if (notable.length > 0) {
    out.push('## Evidence', '');
    for (const v of notable) {
      out.push(`### ${v.verdict}: ${mdEscape(v.titles.join(' › '))}`, '', `- Test: \`${v.file}${v.location ? `:${v.location.line}:${v.location.column}` : ''}\``, `- ${v.conclusion}`, `- Counts: ${countsText(v)}`);
      if (v.firstFailure) {
        const where = `run ${v.firstFailure.run}, ${v.firstFailure.stress ? 'stressed ' : ''}${v.firstFailure.mode}${v.firstFailure.seed !== undefined ? `, seed ${v.firstFailure.seed}` : ''}`;
        out.push(`- First failure (${where}): \`${mdEscape(v.firstFailure.message || '(no message)')}\`${v.firstFailure.at ? ` at \`${v.firstFailure.at}\`` : ''}`);
      }
      if (v.polluters?.length) out.push(`- Polluter → victim: ${v.polluters.map((p) => `\`${p}\``).join(' + ')} → \`${v.id}\``);
      if (v.repro) out.push('- Reproduce:', '', '  ```sh', `  ${v.repro}`, '  ```');
      out.push('');
    }
  }

  out.push('## Conclusions', '');
  const counts = results.summary;
  const stable = results.verdicts.filter((v) => v.verdict === 'stable');
  const n = results.summary.runs;
  if (stable.length > 0) out.push(`- ${stable.length} test(s) stable: ${n}/${n} runs consistent in every mode.`);
  if (counts.failing > 0) out.push(`- ${counts.failing} test(s) failed in every run: broken, not flaky (fix them first).`);
  for (const v of notable.filter((x) => FLAKY_VERDICTS.has(x.verdict))) out.push(`- ${v.verdict}: ${mdEscape(v.titles.join(' › '))} — ${v.conclusion}`);
  if (notable.every((v) => !FLAKY_VERDICTS.has(v.verdict))) out.push(`- No flaky test found in ${n} runs.`);
  out.push('');
  return out.join('\n');
}

function xml(text: string): string {
  return text
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}

/**
 * JUnit XML: one testcase per test; failing tests carry <failure>, tests with a flaky verdict carry
 * <flakyFailure> (the surefire convention dashboards show as flaky) and a flakelens.verdict property.
 */
export function formatVerifyJunit(results: VerifyResults): string {
  const byFile = new Map<string, Verdict[]>();
  for (const v of results.verdicts) byFile.set(v.file, [...(byFile.get(v.file) ?? []), v]);
  const out: string[] = ['<?xml version="1.0" encoding="UTF-8"?>'];
  const failures = results.summary.failing;
  out.push(`<testsuites name="flakelens verify" tests="${results.summary.tests}" failures="${failures}" time="${(results.durationMs / 1000).toFixed(3)}">`);
  for (const [file, verdicts] of [...byFile.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    const suiteFailures = verdicts.filter((v) => v.verdict === 'failing').length;
    const flaky = verdicts.filter((v) => FLAKY_VERDICTS.has(v.verdict)).length;
    out.push(`  <testsuite name="${xml(file)}" tests="${verdicts.length}" failures="${suiteFailures}" flaky="${flaky}">`);
    for (const v of verdicts) {
      out.push(`    <testcase classname="${xml(file)}" name="${xml(v.titles.join(' > '))}"${v.location ? ` line="${v.location.line}"` : ''}>`);
      out.push('      <properties>', `        <property name="flakelens.verdict" value="${v.verdict}"/>`, `        <property name="flakelens.counts" value="${xml(countsText(v))}"/>`);
      if (v.seed !== undefined) out.push(`        <property name="flakelens.seed" value="${v.seed}"/>`);
      if (v.polluters?.length) out.push(`        <property name="flakelens.polluter" value="${xml(v.polluters.join(', '))}"/>`);
      out.push('      </properties>');
      const message = v.firstFailure?.message ?? '';
      if (v.verdict === 'failing') out.push(`      <failure message="${xml(message)}" type="failing">${xml(v.conclusion)}</failure>`);
      else if (FLAKY_VERDICTS.has(v.verdict)) {
        out.push(`      <flakyFailure message="${xml(message)}" type="${v.verdict}">${xml([v.conclusion, v.repro ? `reproduce: ${v.repro}` : ''].filter(Boolean).join('\n'))}</flakyFailure>`);
      }
      out.push('    </testcase>');
    }
    out.push('  </testsuite>');
  }
  out.push('</testsuites>', '');
  return out.join('\n');
}

/** The live progress line for one finished run. */
export function progressLine(progress: { index: number; total: number; mode: string; stress: boolean; seed?: number; purpose: string }, record: RunRecord): string {
  const label = progress.purpose === 'plan' ? `run ${progress.index}/${progress.total}` : `${progress.purpose} run ${progress.index}`;
  const mode = `${progress.stress ? 'stressed ' : ''}${progress.mode}${progress.seed !== undefined ? ` seed ${progress.seed}` : ''}`;
  const status = record.status === 'ok' ? `${record.passed} passed, ${record.failed} failed` : record.status;
  return `${label}  ${mode}  ${status}  (${seconds(record.durationMs)})`;
}

export { MODES };
