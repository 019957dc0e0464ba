import * as fs from 'node:fs';
import * as path from 'node:path';
import { titleKey } from '../engine/testKeys.js';
import { pythonTestSources, withoutParameters } from '../engine/pythonTests.js';
import { testSources } from '../engine/testSyntax.js';
import { summarize } from './classify.js';
import type { RunRecord, Verdict, VerifyResults } from './types.js';

/**
 * Records, per test, a hash of its source text as it was when verify ran (the editor compares it with the text
 * it shows, to mark verdicts on changed tests stale). `textOf` gives a file's text at run time (relative path);
 * by default the file on disk now. Tests whose text cannot be read or found keep no hash (no staleness claim).
 */
export function annotateSourceHashes(results: VerifyResults, root: string, textOf: (file: string) => string | undefined = (file) => readText(path.resolve(root, file))): VerifyResults {
  // JS/TS files through a syntax-only TypeScript parse (loaded on the first such file), Python files through the
  // indentation-based locator the editor uses for them: pytest results never load the TypeScript compiler.
  type Sources = { byTitle: Map<string, string>; byLine: Map<number, string> };
  const byFile = new Map<string, Sources | undefined>();
  for (const info of Object.values(results.tests)) {
    const python = info.file.endsWith('.py');
    if (!python && !/\.[cm]?[jt]sx?$/.test(info.file)) continue;
    if (!byFile.has(info.file)) {
      const text = textOf(info.file);
      byFile.set(info.file, text === undefined ? undefined : python ? pythonTestSources(text) : testSources(info.file, text));
    }
    const sources = byFile.get(info.file);
    // By title path (pytest: parametrised ids by their function); a computed title (it.each) by the line the
    // runner reported, as the editor places it.
    const titles = python ? withoutParameters(info.titles) : info.titles;
    const hash = sources?.byTitle.get(titleKey(titles)) ?? (info.location ? sources?.byLine.get(info.location.line) : undefined);
    if (hash !== undefined) info.sourceHash = hash;
  }
  return results;
}

function readText(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/**
 * The results of a run over part of the suite (a test, a suite or a file verified from the editor) folded into
 * the results already on disk: tests the new run gave a verdict replace their old runs and verdicts, every other
 * test keeps its own verdict and runs. Runs are renumbered. Results from another
 * runner or root cannot be combined: the new ones replace them.
 */
export function updateResults(existing: VerifyResults | undefined, fresh: VerifyResults): VerifyResults {
  if (!existing || existing.runner.id !== fresh.runner.id || existing.schemaVersion !== fresh.schemaVersion) return fresh;
  const replaced = new Set(fresh.verdicts.map((v) => v.id));
  const keep = (record: Record<string, unknown>) => Object.fromEntries(Object.entries(record).filter(([id]) => !replaced.has(id)));
  const runs: RunRecord[] = [];
  const moved = new Map<number, number>();
  for (const run of existing.runs) {
    const outcomes = keep(run.outcomes) as RunRecord['outcomes'];
    if (Object.keys(outcomes).length === 0) continue;
    const failures = keep(run.failures) as RunRecord['failures'];
    let passed = 0;
    let failed = 0;
    for (const outcome of Object.values(outcomes)) outcome === 'p' ? passed++ : failed++;
    moved.set(run.index, runs.length + 1);
    runs.push({ ...run, outcomes, failures, passed, failed, index: runs.length + 1 });
  }
  const offset = runs.length;
  for (const run of fresh.runs) runs.push({ ...run, index: offset + run.index });
  // A test the new run only skipped keeps the info (and source hash) its verdict was made with.
  const tests = { ...existing.tests };
  for (const [id, info] of Object.entries(fresh.tests)) if (replaced.has(id) || !tests[id]) tests[id] = info;
  const orderFindings = [...existing.orderFindings.filter((f) => !replaced.has(f.victim)), ...fresh.orderFindings];
  // Kept verdicts stay as they were made (their runs are kept too); only run numbers follow the renumbering.
  const renumbered = (verdict: Verdict, index: (run: number) => number | undefined): Verdict => {
    if (!verdict.firstFailure) return verdict;
    const run = index(verdict.firstFailure.run);
    return run === undefined ? verdict : { ...verdict, firstFailure: { ...verdict.firstFailure, run } };
  };
  const verdicts = [
    ...existing.verdicts.filter((v) => !replaced.has(v.id)).map((v) => renumbered(v, (run) => moved.get(run))),
    ...fresh.verdicts.map((v) => renumbered(v, (run) => offset + run)),
  ].sort((a, b) => (a.file === b.file ? (a.location?.line ?? 0) - (b.location?.line ?? 0) || a.id.localeCompare(b.id) : a.file.localeCompare(b.file)));
  return {
    ...fresh,
    startedAt: fresh.startedAt,
    files: [...new Set([...existing.files, ...fresh.files])].sort(),
    tests,
    runs,
    orderFindings,
    verdicts,
    summary: summarize(verdicts, Math.max(existing.summary.runs, fresh.summary.runs)),
  };
}
