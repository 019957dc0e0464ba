import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { titleKey, type TestBlockInfo } from '../engine/testBlocks.js';
import { readResults, resultsPath, writeResults } from './results.js';
import { runVerifyTargets, verifyTargets } from './packages.js';
import { MODES, type Mode, type VerifyResults } from './types.js';
import { annotateSourceHashes, updateResults } from './update.js';
import { VerifyError, type VerifyHooks } from './verify.js';

/** What the editor's "Verify" on a test, a suite or a file asks for. */
export interface VerifyTestsRequest {
  /** Workspace root: results go to its .flakelens/verify.json; the runner is the one of the package holding the file. */
  root: string;
  /** Absolute test file. */
  file: string;
  /** Title path of the test or suite; empty: the whole file. */
  titles: string[];
  /** The file's tests and suites (from its analysis): a suite is verified through the titles of its tests. */
  blocks?: readonly TestBlockInfo[];
  runs: number;
  modes?: Mode[];
  seed?: number;
  timeoutMs?: number;
  toolVersion: string;
}

export interface VerifyTestsOutcome {
  /** This run's results alone. */
  results: VerifyResults;
  /** Where the combined results were written. */
  resultsFile: string;
  /** How the run was limited, in words (said in progress and logs). */
  scope: string;
}

/**
 * The title paths to pass the runner's name filter: the test itself, or every test of a suite. Undefined (the
 * whole file runs) when a title in the way is not a literal or is an `each` template, since a filter could miss it.
 */
export function nameFilterFor(titles: readonly string[], blocks: readonly TestBlockInfo[] | undefined): string[][] | undefined {
  if (titles.length === 0 || !blocks) return undefined;
  // `it.each` titles are templates (`adds %i`, `$a + $b`): the runner reports formatted names a filter would miss.
  const template = (paths: ReadonlyArray<readonly string[]>) => paths.some((p) => p.some((t) => /%[sdifjopP#]|\$[\w#]/.test(t)));
  const key = titleKey(titles);
  const target = blocks.find((b) => b.titles && titleKey(b.titles) === key);
  if (!target) return undefined;
  if (target.kind === 'test') return template([titles]) ? undefined : [[...titles]];
  const inside = blocks.filter((b) => b.kind === 'test' && b.callStart >= target.callStart && b.callEnd <= target.callEnd);
  if (inside.length === 0 || inside.some((b) => !b.titles) || template(inside.map((b) => b.titles!))) return undefined;
  return inside.map((b) => [...b.titles!]);
}

/**
 * Verifies one test, suite or file (the editor's explicit command; never run otherwise) and folds the results into
 * the workspace's verify.json, so the server's watcher shows them. The source hashes are taken from the file as
 * it was when the run started.
 */
export async function verifyTests(request: VerifyTestsRequest, hooks: VerifyHooks = {}, signal?: AbortSignal): Promise<VerifyTestsOutcome> {
  // In a monorepo the package holding the file decides the runner (and runs in its own directory).
  const targets = verifyTargets(request.root, { paths: [request.file] });
  const runner = targets[0]?.runner;
  if (!runner) throw new VerifyError(`cannot tell which test runner ${request.root} uses for ${request.file} (no runner config, test script or runner dependency found)`);
  const relative = path.relative(request.root, request.file).split(path.sep).join('/');
  const textAtStart = readText(request.file);
  const only = nameFilterFor(request.titles, request.blocks);
  const scope = only ? `${relative} › ${request.titles.join(' › ')}` : request.titles.length ? `${relative} (whole file: a title is computed or a template)` : relative;
  const results = await runVerifyTargets(
    targets,
    {
      root: request.root,
      runs: request.runs,
      modes: request.modes ?? [...MODES],
      stress: false,
      stressCpu: 0.5,
      seed: request.seed ?? Date.now() % 1_000_000,
      workers: Math.max(2, os.availableParallelism()),
      timeoutMs: request.timeoutMs ?? 600_000,
      paths: [request.file],
      ...(only ? { only } : {}),
      bisect: true,
      toolVersion: request.toolVersion,
    },
    hooks,
    signal,
  );
  annotateSourceHashes(results, request.root, (file) => (file === relative ? textAtStart : readText(path.resolve(request.root, file))));
  const resultsFile = resultsPath(request.root);
  let existing: VerifyResults | undefined;
  if (fs.existsSync(resultsFile)) {
    try {
      existing = readResults(resultsFile);
    } catch (error) {
      hooks.onNote?.(`${(error as Error).message}; replaced by the new results`);
    }
  }
  writeResults(resultsFile, updateResults(existing, results));
  return { results, resultsFile, scope };
}

function readText(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}
