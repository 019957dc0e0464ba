import * as fs from 'node:fs';
import * as path from 'node:path';
import { classifyAll, summarize } from './classify.js';
import { VERIFY_SCHEMA_VERSION, type VerifyResults } from './types.js';

export const RESULTS_DIR = '.flakelens';
export const RESULTS_FILE = 'verify.json';

export function resultsPath(root: string): string {
  return path.join(root, RESULTS_DIR, RESULTS_FILE);
}

export function writeResults(file: string, results: VerifyResults): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  // Write then rename, so a watcher (the language server) never reads a half-written file.
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, `${JSON.stringify(results, null, 2)}\n`);
  fs.renameSync(tmp, file);
}

export class ResultsError extends Error {}

/** Reads and checks a verify.json (its schema version and the fields the readers rely on). */
export function readResults(file: string): VerifyResults {
  let data: unknown;
  try {
    data = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (error) {
    throw new ResultsError(`${file}: ${(error as Error).message}`);
  }
  const r = data as Partial<VerifyResults>;
  if (!r || typeof r !== 'object' || r.schemaVersion !== VERIFY_SCHEMA_VERSION) {
    throw new ResultsError(`${file}: not a flakelens verify result (schemaVersion ${VERIFY_SCHEMA_VERSION} expected)`);
  }
  if (!Array.isArray(r.runs) || !r.tests || typeof r.tests !== 'object' || !r.runner || !Array.isArray(r.verdicts)) {
    throw new ResultsError(`${file}: missing runs, tests, runner or verdicts`);
  }
  return { ...r, orderFindings: r.orderFindings ?? [] } as VerifyResults;
}

/**
 * Combines shard results into one: runs are concatenated (re-numbered), tests and order findings united, and
 * every verdict recomputed from the combined runs. Shards must come from the same runner and modes.
 */
export function mergeResults(parts: readonly VerifyResults[]): VerifyResults {
  if (parts.length === 0) throw new ResultsError('nothing to merge');
  const first = parts[0]!;
  for (const part of parts.slice(1)) {
    if (part.runner.id !== first.runner.id) throw new ResultsError(`cannot merge ${part.runner.id} results with ${first.runner.id} results`);
    if (part.options.modes.join() !== first.options.modes.join()) throw new ResultsError('cannot merge results made with different --modes');
  }
  const runs: VerifyResults['runs'] = [];
  const tests: VerifyResults['tests'] = {};
  const files = new Set<string>();
  const orderFindings: VerifyResults['orderFindings'] = [];
  for (const part of parts) {
    for (const run of part.runs) runs.push({ ...run, index: runs.length + 1 });
    Object.assign(tests, part.tests);
    for (const file of part.files) files.add(file);
    orderFindings.push(...part.orderFindings);
  }
  const verdicts = classifyAll(tests, runs, orderFindings);
  // Shard k's run j and shard m's run j are two halves of one logical run: count logical runs.
  const planRuns = Math.max(...parts.map((p) => p.summary.runs));
  const { shard: _shard, ...options } = first.options;
  // Monorepo shards: each package's file and test counts are the sums over the shards.
  const packages = new Map<string, NonNullable<VerifyResults['packages']>[number]>();
  for (const part of parts) {
    for (const p of part.packages ?? []) {
      const seen = packages.get(p.dir);
      packages.set(p.dir, seen ? { ...seen, files: seen.files + p.files, tests: seen.tests + p.tests, durationMs: Math.max(seen.durationMs, p.durationMs) } : p);
    }
  }
  return {
    ...first,
    options,
    ...(packages.size ? { packages: [...packages.values()] } : {}),
    ...(parts.length > 1 ? { mergedFrom: parts.length } : {}),
    startedAt: parts.map((p) => p.startedAt).sort()[0]!,
    durationMs: Math.max(...parts.map((p) => p.durationMs)),
    files: [...files].sort(),
    tests,
    runs,
    orderFindings,
    verdicts,
    summary: summarize(verdicts, planRuns),
  };
}
