import { SLICES, testId, type OrderFinding, type RunRecord, type Slice, type SliceCounts, type TestInfo, type Verdict, type VerdictKind } from './types.js';

export function sliceOf(run: Pick<RunRecord, 'mode' | 'stress'>): Slice {
  return run.stress ? 'stress' : run.mode;
}

interface Observed {
  counts: Partial<Record<Slice, SliceCounts>>;
  /** Outcomes per shuffle seed, to tell "same order, different result" (flaky) from order effects. */
  bySeed: Map<number, { passed: number; failed: number }>;
  firstFailure?: Verdict['firstFailure'];
}

function observe(id: string, runs: readonly RunRecord[]): Observed {
  const counts: Partial<Record<Slice, SliceCounts>> = {};
  const bySeed = new Map<number, { passed: number; failed: number }>();
  let firstFailure: Verdict['firstFailure'];
  for (const run of runs) {
    if (run.purpose !== 'plan' || run.status !== 'ok') continue;
    const outcome = run.outcomes[id];
    if (outcome === undefined) continue;
    const slice = sliceOf(run);
    const entry = (counts[slice] ??= { passed: 0, failed: 0 });
    if (outcome === 'p') entry.passed++;
    else entry.failed++;
    if (run.mode === 'shuffle' && run.seed !== undefined && !run.stress) {
      const seedEntry = bySeed.get(run.seed) ?? { passed: 0, failed: 0 };
      if (outcome === 'p') seedEntry.passed++;
      else seedEntry.failed++;
      bySeed.set(run.seed, seedEntry);
    }
    if (outcome === 'f' && firstFailure === undefined) {
      const failure = run.failures[id] ?? { message: '' };
      firstFailure = { ...failure, run: run.index, mode: run.mode, stress: run.stress, ...(run.seed !== undefined ? { seed: run.seed } : {}) };
    }
  }
  return { counts, bySeed, firstFailure };
}

const zero: SliceCounts = { passed: 0, failed: 0 };

function describeCounts(counts: Partial<Record<Slice, SliceCounts>>): string {
  return SLICES.filter((s) => counts[s])
    .map((s) => {
      const c = counts[s]!;
      return `${c.passed}/${c.passed + c.failed} ${s === 'stress' ? 'stressed' : s} runs passed`;
    })
    .join(', ');
}

/**
 * A test's verdict from the plan runs and any order finding:
 * stable (never failed), failing (never passed), flaky (different results in the same mode and order),
 * order-dependent (one order fails reproducibly, another passes; polluter found by bisect), parallel-sensitive
 * (passes serially, fails in parallel), timing-sensitive (fails only under --stress); anything else is flaky.
 */
export function classifyTest(id: string, info: TestInfo, runs: readonly RunRecord[], findings: readonly OrderFinding[]): Verdict | undefined {
  const { counts, bySeed, firstFailure } = observe(id, runs);
  const total = SLICES.reduce((acc, s) => ({ passed: acc.passed + (counts[s]?.passed ?? 0), failed: acc.failed + (counts[s]?.failed ?? 0) }), zero);
  if (total.passed + total.failed === 0) return undefined; // only ever skipped
  const base = { id, file: info.file, titles: info.titles, ...(info.location ? { location: info.location } : {}), counts };
  const make = (verdict: VerdictKind, conclusion: string, extra: Partial<Verdict> = {}): Verdict => ({
    ...base,
    verdict,
    ...(firstFailure ? { firstFailure } : {}),
    ...extra,
    conclusion,
  });
  const n = total.passed + total.failed;
  if (total.failed === 0) return make('stable', `${n}/${n} runs consistent: passed every run.`);
  if (total.passed === 0) return make('failing', `${n}/${n} runs consistent: failed every run (broken, not flaky).`);

  const serial = counts.serial ?? zero;
  const parallel = counts.parallel ?? zero;
  const shuffle = counts.shuffle ?? zero;
  const stress = counts.stress ?? zero;
  if (serial.passed > 0 && serial.failed > 0) {
    return make('flaky', `Different results in the same mode and order: failed ${serial.failed} of ${serial.passed + serial.failed} serial runs (${describeCounts(counts)}).`);
  }
  for (const [seed, c] of bySeed) {
    if (c.passed > 0 && c.failed > 0) return make('flaky', `Different results with the same shuffle seed ${seed} (${describeCounts(counts)}).`, { seed });
  }
  const finding = findings.find((f) => f.victim === id && f.reproduced);
  if (finding) {
    const order = finding.seed === undefined ? 'the declared order' : `shuffle seed ${finding.seed}`;
    const who = finding.failsAlone
      ? 'it also fails run alone, so it depends on state that tests declared before it set up (no polluter: a missing setup)'
      : finding.polluters.length === 0
        ? 'no single polluter was isolated'
        : `${finding.minimal ? 'polluter' : 'polluters (together)'}: ${finding.polluters.join(', ')}`;
    return make('order-dependent', `Fails reproducibly in ${order} and passes in another order; ${who}.`, {
      ...(finding.seed !== undefined ? { seed: finding.seed } : {}),
      polluters: finding.polluters,
      ...(finding.failsAlone ? { failsAlone: true } : {}),
      ...(finding.repro ? { repro: finding.repro } : {}),
    });
  }
  if (stress.failed > 0 && serial.failed + parallel.failed + shuffle.failed === 0 && serial.passed + parallel.passed + shuffle.passed > 0) {
    return make('timing-sensitive', `Passes without load and failed ${stress.failed} of ${stress.passed + stress.failed} runs under --stress.`);
  }
  if (parallel.failed > 0 && serial.failed + shuffle.failed === 0 && serial.passed + shuffle.passed > 0) {
    return make(
      'parallel-sensitive',
      `Passed ${serial.passed + shuffle.passed}/${serial.passed + shuffle.passed} runs with one worker and failed ${parallel.failed} of ${parallel.passed + parallel.failed} parallel runs.`,
    );
  }
  return make('flaky', `Mixed results without a consistent cause (${describeCounts(counts)}).`);
}

export function classifyAll(tests: Record<string, TestInfo>, runs: readonly RunRecord[], findings: readonly OrderFinding[]): Verdict[] {
  const verdicts: Verdict[] = [];
  for (const [id, info] of Object.entries(tests)) {
    const verdict = classifyTest(id, info, runs, findings);
    if (verdict) verdicts.push(verdict);
  }
  return verdicts.sort((a, b) => (a.file === b.file ? (a.location?.line ?? 0) - (b.location?.line ?? 0) || a.id.localeCompare(b.id) : a.file.localeCompare(b.file)));
}

/**
 * Tests whose result follows the order: they never fail serially but fail in a shuffled order (or always fail
 * serially and pass in some shuffled order), with no mixed results in the same order. Each comes with the
 * failing order to confirm and bisect.
 */
export function orderSuspects(tests: Record<string, TestInfo>, runs: readonly RunRecord[]): Array<{ id: string; seed?: number }> {
  const suspects: Array<{ id: string; seed?: number }> = [];
  for (const id of Object.keys(tests)) {
    const { counts, bySeed } = observe(id, runs);
    const serial = counts.serial ?? zero;
    const shuffle = counts.shuffle ?? zero;
    if ([...bySeed.values()].some((c) => c.passed > 0 && c.failed > 0)) continue;
    if (serial.failed === 0 && shuffle.failed > 0 && shuffle.passed + serial.passed > 0) {
      const seed = [...bySeed.entries()].find(([, c]) => c.failed > 0)?.[0];
      suspects.push({ id, seed });
    } else if (serial.passed === 0 && serial.failed > 0 && shuffle.passed > 0) {
      suspects.push({ id });
    }
  }
  return suspects;
}

export function summarize(verdicts: readonly Verdict[], runs: number): Record<VerdictKind, number> & { tests: number; runs: number } {
  const summary = { stable: 0, failing: 0, flaky: 0, 'order-dependent': 0, 'parallel-sensitive': 0, 'timing-sensitive': 0, tests: verdicts.length, runs };
  for (const v of verdicts) summary[v.verdict]++;
  return summary;
}

export { testId };
