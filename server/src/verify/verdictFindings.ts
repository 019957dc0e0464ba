import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { FileAnalysis } from '../engine/analyze.js';
import { PACKAGE_ROOT } from '../engine/docs.js';
import type { TestBlockInfo } from '../engine/testBlocks.js';
import { titleKey } from '../engine/testKeys.js';
import { withoutParameters } from '../engine/pythonTests.js';
import type { Category, Finding, RelatedLocation, Severity } from '../engine/types.js';
import { probeExists, probeRead } from '../workspace/probes.js';
import { firstLine } from './runners/adapter.js';
import { readResults, resultsPath } from './results.js';
import { FLAKY_VERDICTS, SLICES, type Slice, type Verdict, type VerdictKind, type VerifyResults } from './types.js';

/**
 * Verify verdicts as findings on the tests they are about: what `check` prints and the server publishes when the
 * workspace has a `.flakelens/verify.json`. No LSP here; the editor only converts these findings.
 */

export type ReportedVerdict = Exclude<VerdictKind, 'stable'>;

/** Diagnostic code per verdict: `verify/<verdict>`. */
export function verifyCode(kind: ReportedVerdict): string {
  return `verify/${kind}`;
}

export function isVerifyCode(ruleId: string): boolean {
  return ruleId.startsWith('verify/');
}

/** docs/verify/<verdict>.md, shipped with the package; `<docsBaseUrl>/../verify/<verdict>.md` for a hosted copy of docs/rules. */
export function verifyDocsUrl(kind: ReportedVerdict, docsBaseUrl = ''): string {
  if (docsBaseUrl) return `${docsBaseUrl.replace(/\/+$/, '').replace(/\/rules$/, '')}/verify/${kind}.md`;
  return pathToFileURL(path.join(PACKAGE_ROOT, 'docs', 'verify', `${kind}.md`)).href;
}

/**
 * Severity says how sure we are that the test is a flakiness problem: a verdict seen in real runs is a likely
 * one (warning). A test that failed every run is broken, not flaky, and the user's own test run already says so:
 * info. A verdict on text that changed since the run may no longer hold: info.
 */
const SEVERITY: Record<ReportedVerdict, Severity> = {
  flaky: 'warning',
  'order-dependent': 'warning',
  'parallel-sensitive': 'warning',
  'timing-sensitive': 'warning',
  failing: 'info',
};

/** The audit sections verdicts are listed under (the markdown report groups by category). */
const CATEGORY: Record<ReportedVerdict, Category> = {
  flaky: 'timing',
  'timing-sensitive': 'timing',
  'order-dependent': 'isolation',
  'parallel-sensitive': 'isolation',
  failing: 'timing',
};

const WHY: Record<ReportedVerdict, string> = {
  flaky: 'A verification run saw this test both pass and fail in the same mode and order: its result depends on something other than the code under test.',
  'order-dependent': 'The test fails reproducibly when other tests run before it: they leave state behind that it depends on.',
  'parallel-sensitive': 'The test passes with one worker and fails when tests run in parallel: it shares a resource (a file, a port, a database row) with tests running at the same time.',
  'timing-sensitive': 'The test fails only under CPU and event-loop load: it depends on how fast the machine is.',
  failing: 'The test failed every run of the verification: it is broken, not flaky.',
};

const SLICE_TEXT: Record<Slice, string> = { serial: 'serial', parallel: 'parallel', shuffle: 'shuffled', stress: 'stressed' };

/** verify.json as the editor and `check` read it: verdicts indexed by absolute file. */
export interface LoadedVerifyResults {
  file: string;
  /** The directory test paths in the results are relative to (the one holding .flakelens). */
  root: string;
  results: VerifyResults;
  byFile: Map<string, Verdict[]>;
}

/** Reads `<root>/.flakelens/verify.json`; undefined when there is none, a problem when it cannot be used. */
export function loadVerifyResults(root: string): { loaded?: LoadedVerifyResults; problem?: string } {
  const file = resultsPath(root);
  const exists = fs.existsSync(file);
  // check --cache: cached findings hold only while this file is as it was (see cli/cache.ts).
  probeExists(file, 'file', exists);
  if (!exists) return {};
  try {
    probeRead(file, fs.readFileSync(file, 'utf8'));
    const results = readResults(file);
    const byFile = new Map<string, Verdict[]>();
    for (const verdict of results.verdicts) {
      const abs = path.resolve(root, verdict.file);
      const list = byFile.get(abs) ?? [];
      list.push(verdict);
      byFile.set(abs, list);
    }
    return { loaded: { file, root, results, byFile } };
  } catch (error) {
    return { problem: (error as Error).message };
  }
}

/** The test (by title path, else by the runner's reported line) a verdict is about. */
function blockFor(verdict: Verdict, blocks: readonly TestBlockInfo[]): TestBlockInfo | undefined {
  const key = titleKey(verdict.titles);
  const exact = blocks.find((b) => b.kind === 'test' && b.titles && titleKey(b.titles) === key);
  if (exact) return exact;
  // pytest's parametrised ids (test_add[1-2]) are shown on their function.
  if (verdict.file.endsWith('.py')) {
    const base = titleKey(withoutParameters(verdict.titles));
    const fn = blocks.find((b) => b.kind === 'test' && b.titles && titleKey(b.titles) === base);
    if (fn) return fn;
  }
  const line = verdict.location?.line;
  if (line === undefined) return undefined;
  // it.each and computed titles: the runner's title differs from the source; its location names the call.
  return blocks.find((b) => b.kind === 'test' && b.callLine + 1 === line) ?? blocks.find((b) => b.kind === 'test' && b.range.start.line + 1 === line);
}

function failedSlices(verdict: Verdict, only?: readonly Slice[]): string {
  const parts = SLICES.filter((s) => (only ? only.includes(s) : true) && (verdict.counts[s]?.failed ?? 0) > 0).map((s) => {
    const c = verdict.counts[s]!;
    return `${c.failed} of ${c.passed + c.failed} ${SLICE_TEXT[s]}`;
  });
  if (parts.length === 0) return '';
  return `${parts.length > 1 ? `${parts.slice(0, -1).join(', ')} and ${parts.at(-1)}` : parts[0]} runs`;
}

function passedSlices(verdict: Verdict, slices: readonly Slice[]): string {
  const parts = slices.filter((s) => verdict.counts[s]).map((s) => `${verdict.counts[s]!.passed} of ${verdict.counts[s]!.passed + verdict.counts[s]!.failed} ${SLICE_TEXT[s]}`);
  return parts.join(' and ');
}

function shortError(verdict: Verdict): string {
  const line = firstLine(verdict.firstFailure?.message);
  if (!line) return '';
  return `: ${line.length > 160 ? `${line.slice(0, 157)}...` : line}`;
}

function testName(results: VerifyResults, id: string, sameFile: string): string {
  const info = results.tests[id];
  if (!info) return id;
  const titles = info.titles.join(' › ');
  return info.file === sameFile ? titles : `${titles} (${info.file})`;
}

/** The one line a diagnostic shows: what was observed, with the first failure's message. */
export function verdictMessage(verdict: Verdict, results: VerifyResults): string {
  const error = shortError(verdict);
  switch (verdict.verdict as ReportedVerdict) {
    case 'flaky':
      return `Flaky: failed ${failedSlices(verdict) || 'some runs'}${error}`;
    case 'order-dependent': {
      const polluters = verdict.polluters ?? [];
      const order = verdict.seed === undefined ? 'in the declared order' : `with shuffle seed ${verdict.seed}`;
      const who = verdict.failsAlone
        ? `fails ${order} and when run alone: it depends on state set up by tests declared before it`
        : polluters.length === 0
          ? `fails ${order}, but no single test that runs before it was isolated as the polluter`
          : `fails when ${polluters.slice(0, 3).map((p) => `"${testName(results, p, verdict.file)}"`).join(', ')}${polluters.length > 3 ? ` and ${polluters.length - 3} more` : ''} ${polluters.length > 1 ? 'run' : 'runs'} before it (${order})`;
      return `Order-dependent: ${who}${error}`;
    }
    case 'parallel-sensitive':
      return `Parallel-sensitive: passed ${passedSlices(verdict, ['serial', 'shuffle']) || 'every run'} with one worker, failed ${failedSlices(verdict, ['parallel'])}${error}`;
    case 'timing-sensitive':
      return `Timing-sensitive: failed ${failedSlices(verdict, ['stress'])} under CPU load, passed every run without load${error}`;
    case 'failing': {
      const n = SLICES.reduce((acc, s) => acc + (verdict.counts[s]?.failed ?? 0), 0);
      return `Failing: failed all ${n} verification runs (broken, not flaky)${error}`;
    }
  }
  return verdict.conclusion;
}

function code(text: string): string {
  const clean = text.replace(/\r?\n/g, ' ');
  const ticks = clean.includes('`') ? '``' : '`';
  return `${ticks}${ticks.length > 1 ? ' ' : ''}${clean}${ticks.length > 1 ? ' ' : ''}${ticks}`;
}

/** The command of the run a failure was first seen in (what to paste to try it again). */
function firstFailureCommand(verdict: Verdict, results: VerifyResults): string | undefined {
  const run = verdict.firstFailure ? results.runs.find((r) => r.index === verdict.firstFailure!.run) : undefined;
  return run?.commands.join(' && ');
}

/** Hover content: per-mode counts, seed, first failure, reproduction command, when and how it was verified. */
export function verdictDetail(verdict: Verdict, results: VerifyResults, stale: boolean): string {
  const heading = verdict.verdict === 'stable' ? '**Verified stable**' : `**Verified ${verdict.verdict}**`;
  const out = [`${heading}: ${verdict.conclusion}`];
  if (stale) out.push('_Stale: the test changed since this run; run Verify again._');
  const rows = SLICES.filter((s) => verdict.counts[s]).map((s) => `| ${SLICE_TEXT[s]} | ${verdict.counts[s]!.passed} | ${verdict.counts[s]!.failed} |`);
  if (rows.length) out.push(['| runs | passed | failed |', '|---|---:|---:|', ...rows].join('\n'));
  const facts: string[] = [];
  const seed = verdict.seed ?? verdict.firstFailure?.seed;
  if (seed !== undefined) facts.push(`**Seed:** ${seed}${results.runner.shuffle === 'files' ? ' (file order permuted by flakelens)' : ` (${results.runner.id}'s own shuffle)`}`);
  else {
    const seeds = [...new Set(results.runs.filter((r) => r.mode === 'shuffle' && r.seed !== undefined && r.outcomes[verdict.id] !== undefined).map((r) => r.seed!))].sort((a, b) => a - b);
    if (seeds.length) facts.push(`**Shuffle seeds:** ${seeds.length > 6 ? `${seeds.slice(0, 6).join(', ')} … (${seeds.length})` : seeds.join(', ')}`);
  }
  if (verdict.firstFailure) {
    const f = verdict.firstFailure;
    const where = `run ${f.run}, ${f.stress ? 'stressed ' : ''}${f.mode}${f.seed !== undefined ? `, seed ${f.seed}` : ''}`;
    facts.push(`**First failure** (${where}): ${code(firstLine(f.message) || '(no message)')}${f.at ? ` at ${code(f.at)}` : ''}`);
  }
  if (verdict.polluters?.length) facts.push(`**Polluter${verdict.polluters.length > 1 ? 's' : ''}:** ${verdict.polluters.map((p) => code(testName(results, p, verdict.file))).join(', ')}`);
  if (verdict.repro) facts.push(`**Reproduce:** ${code(verdict.repro)}`);
  else {
    const command = firstFailureCommand(verdict, results);
    if (command) facts.push(`**Run that failed first:** ${code(command)}`);
  }
  out.push(facts.join('  \n'));
  const date = results.startedAt.replace('T', ' ').replace(/\.\d+Z$/, ' UTC').replace(/Z$/, ' UTC');
  out.push(`Runner: ${results.runner.id} ${results.runner.version}; last verify run ${date}.`);
  return out.join('\n\n');
}

/**
 * A file's analysis with its verify verdicts: one finding per non-stable verdict on the test's title, blocks
 * annotated with their verdict (hover on stable tests), and static findings inside a test verified flaky given
 * that evidence as related information. Verdicts on tests whose text changed since the run are kept, marked
 * stale, at info. Verdicts that match no test of the file are left out (nothing true to point at).
 */
export function withVerdicts(analysis: FileAnalysis, verify: LoadedVerifyResults | undefined, docsBaseUrl = ''): FileAnalysis {
  const verdicts = verify?.byFile.get(path.resolve(analysis.file));
  if (!verify || !verdicts?.length || !analysis.testBlocks?.length || analysis.skipped) return analysis;
  const { results } = verify;
  const blocks = analysis.testBlocks.map((b) => ({ ...b }));
  const found: Finding[] = [];
  const evidence = new Map<TestBlockInfo, { verdict: Verdict; stale: boolean }>();
  for (const verdict of verdicts) {
    const block = blockFor(verdict, blocks);
    if (!block) continue;
    const recorded = results.tests[verdict.id]?.sourceHash;
    const stale = recorded !== undefined && block.hash !== undefined && recorded !== block.hash;
    const detail = verdictDetail(verdict, results, stale);
    if (!block.verdict) block.verdict = { kind: verdict.verdict, stale, detail };
    if (verdict.verdict === 'stable') continue;
    const kind = verdict.verdict as ReportedVerdict;
    if (!stale && FLAKY_VERDICTS.has(kind) && !evidence.has(block)) evidence.set(block, { verdict, stale });
    const sameTitle = block.titles !== undefined && titleKey(block.titles) === titleKey(verdict.titles);
    const message = `${sameTitle ? '' : `"${verdict.titles.join(' › ')}": `}${verdictMessage(verdict, results)}${stale ? ' (stale: test changed since the run)' : ''}`;
    found.push({
      ruleId: verifyCode(kind),
      category: CATEGORY[kind],
      severity: stale ? 'info' : SEVERITY[kind],
      file: analysis.file,
      range: block.range,
      start: block.start,
      end: block.end,
      message,
      why: WHY[kind],
      docsUrl: verifyDocsUrl(kind, docsBaseUrl),
      fixes: [],
      test: verdict.titles.join(' › '),
      ...relatedFor(verdict, verify, blocks, analysis.file),
      detail,
    });
  }
  if (found.length === 0 && evidence.size === 0) return { ...analysis, testBlocks: blocks };
  // A static finding inside a test that verification confirmed flaky: the evidence goes with it.
  const findings = analysis.findings.map((finding) => {
    const block = innermostTest(blocks, finding.start);
    const seen = block && evidence.get(block);
    if (!seen) return finding;
    const related: RelatedLocation = { file: analysis.file, range: block.range, message: `Verified ${seen.verdict.verdict}: ${verdictMessage(seen.verdict, results)}` };
    return { ...finding, related: [...(finding.related ?? []), related] };
  });
  findings.push(...found);
  findings.sort((a, b) => a.start - b.start || a.ruleId.localeCompare(b.ruleId));
  return { ...analysis, findings, testBlocks: blocks };
}

function innermostTest(blocks: readonly TestBlockInfo[], offset: number): TestBlockInfo | undefined {
  let best: TestBlockInfo | undefined;
  for (const b of blocks) {
    if (b.kind !== 'test' || offset < b.callStart || offset >= b.callEnd) continue;
    if (!best || b.callEnd - b.callStart < best.callEnd - best.callStart) best = b;
  }
  return best;
}

/** Polluters (order-dependent) and where the first failure was raised, as related locations. */
function relatedFor(verdict: Verdict, verify: LoadedVerifyResults, blocks: readonly TestBlockInfo[], file: string): { related?: RelatedLocation[] } {
  const related: RelatedLocation[] = [];
  for (const id of (verdict.polluters ?? []).slice(0, 5)) {
    const info = verify.results.tests[id];
    if (!info) continue;
    const polluterFile = path.resolve(verify.root, info.file);
    const inFile = polluterFile === path.resolve(file) ? blocks.find((b) => b.kind === 'test' && b.titles && titleKey(b.titles) === titleKey(info.titles)) : undefined;
    const range = inFile?.range ?? (info.location ? pointAt(info.location.line - 1, info.location.column - 1) : pointAt(0, 0));
    related.push({ file: polluterFile, range, message: `Polluter: "${info.titles.join(' › ')}" runs before this test and makes it fail` });
  }
  const at = verdict.firstFailure?.at && /^(.*):(\d+):(\d+)$/.exec(verdict.firstFailure.at);
  if (at) related.push({ file: path.resolve(verify.root, at[1]!), range: pointAt(Number(at[2]) - 1, Number(at[3]) - 1), message: `First failure raised here: ${firstLine(verdict.firstFailure!.message)}` });
  return related.length ? { related } : {};
}

function pointAt(line: number, character: number) {
  const position = { line: Math.max(0, line), character: Math.max(0, character) };
  return { start: position, end: position };
}
