import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ConfigProblem } from '../config/resolve.js';
import { CONFIG_FILE_NAME } from '../config/resolve.js';
import { unresolvedRunnerNote } from '../engine/analyze.js';
import type { Rule, Severity, SeveritySetting } from '../engine/types.js';
import { setProbeRecorder } from '../workspace/probes.js';
import { Workspace, type ConfigLayer } from '../workspace/workspace.js';
import { resultCacheKeyParts } from '../workspace/resultCache.js';
import { CheckCache } from './cache.js';
import type { FileAnalysis } from '../engine/analyze.js';
import { relativePath, summarize, toReportFile, type CheckReport, type ReportFile } from './report.js';
import { INFORMATION_URI, TOOL_NAME, toolVersion } from './version.js';

export interface CheckOptions {
  root: string;
  /** Files or directories to check (absolute or relative to the process cwd). */
  paths: string[];
  rules: readonly Rule[];
  /** `--rule id=severity` flags, applied over the config file. */
  ruleOverrides?: Record<string, SeveritySetting>;
  /** Report errors only. */
  quiet?: boolean;
  /** Called as soon as a note is known (a file's syntax errors, a skipped file), so long runs show progress. */
  onNote?: (note: string) => void;
  /** Result cache file (`--cache`): unchanged files are not analysed again. See cli/cache.ts. */
  cacheLocation?: string;
  /** Told how many files came from the cache and why the cache was not used when it was not. */
  onCache?: (stats: { hits: number; analysed: number; missReason?: string }) => void;
}

export type CheckOutcome =
  | { kind: 'config-error'; problems: ConfigProblem[] }
  | { kind: 'report'; report: CheckReport };

const ROOT_MARKERS = [CONFIG_FILE_NAME, 'package.json', '.git'];

/** The nearest directory, from `start` upwards, holding flakelens.config.json, package.json or .git; `start` itself when none does. */
export function findWorkspaceRoot(start: string): string {
  let dir = path.resolve(start);
  try {
    if (!fs.statSync(dir).isDirectory()) dir = path.dirname(dir);
  } catch {
    dir = path.dirname(dir);
  }
  const first = dir;
  for (;;) {
    if (ROOT_MARKERS.some((marker) => fs.existsSync(path.join(dir, marker)))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) return first;
    dir = parent;
  }
}

/** The deepest directory containing every path. */
export function commonAncestor(paths: readonly string[]): string {
  const split = paths.map((p) => path.resolve(p).split(path.sep));
  const common: string[] = [];
  for (let i = 0; ; i++) {
    const segment = split[0]?.[i];
    if (segment === undefined || split.some((s) => s[i] !== segment)) break;
    common.push(segment);
  }
  return common.join(path.sep) || path.sep;
}

/**
 * Analyses the test files under `paths` with the workspace's config. Config problems stop the run before any
 * analysis (a CI run must not pass on a config it misread). Files are analysed one at a time and only findings
 * plus the few source lines around them are kept.
 */
export function runCheck(options: CheckOptions): CheckOutcome {
  const layers: ConfigLayer[] = [];
  if (options.ruleOverrides && Object.keys(options.ruleOverrides).length > 0) {
    layers.push({ source: '--rule', value: { rules: options.ruleOverrides } });
  }
  const workspace = new Workspace({ root: options.root, rules: options.rules, layers });
  try {
    if (workspace.configProblems.length > 0) return { kind: 'config-error', problems: [...workspace.configProblems] };

    const note = options.onNote ?? (() => {});
    const targets: string[] = [];
    for (const p of options.paths) {
      if (workspace.contains(p) || path.resolve(p) === workspace.root) targets.push(p);
      else note(`${p}: outside the workspace root ${workspace.root}; skipped`);
    }
    const keep = (severity: Severity): boolean => !options.quiet || severity === 'error';
    const files: ReportFile[] = [];
    const testFiles = workspace.listTestFiles(targets, (dir, reason) => note(`${relativePath(workspace.root, dir) || '.'}: directory ${reason}; its test files were not checked`));
    const analyses = analyzeAll(workspace, testFiles, options);
    const unresolved = new Map<string, string>(); // runner module -> first file importing it
    for (const file of testFiles) {
      const analysis = analyses.get(file)!;
      for (const m of analysis.unresolvedRunnerModules ?? []) if (!unresolved.has(m)) unresolved.set(m, relativePath(workspace.root, file));
      const reportFile = toReportFile(workspace.root, analysis, analysis.findings.length ? workspace.readText(file) : undefined, keep);
      for (const n of reportFile.notes) note(`${reportFile.path}: ${n}`);
      files.push(reportFile);
    }
    // Python files with pytest verify verdicts: the verdicts alone (no static rule runs on Python), as the server shows them.
    for (const file of workspace.pythonFilesWithVerdicts(targets)) {
      const analysis = workspace.analyzeFile(file);
      const reportFile = toReportFile(workspace.root, analysis, analysis.findings.length ? workspace.readText(file) : undefined, keep);
      for (const n of reportFile.notes) note(`${reportFile.path}: ${n}`);
      files.push(reportFile);
    }
    // Runner config files governing these tests: rules report on their keys (retries, say). Listed when they have findings.
    const configAnalyses = analyses.cachedConfigFiles ?? workspace.runnerConfigFilesFor(testFiles).filter((f) => workspace.contains(f)).map((f): [string, FileAnalysis] => [f, workspace.analyzeConfigFile(f)]);
    for (const [configFile, analysis] of configAnalyses) {
      const reportFile = toReportFile(workspace.root, analysis, analysis.findings.length ? workspace.readText(configFile) : undefined, keep);
      if (reportFile.findings.length > 0) files.push({ ...reportFile, configFile: true });
    }
    // Problems found while building projects (an unreadable tsconfig, say) belong to no single file.
    const notes = [...new Set([
      ...workspace.problems.filter((p) => !workspace.configProblems.includes(p)).map((p) => `${relativePath(workspace.root, p.source)}: ${p.message}`),
      ...(analyses.cachedProblems ?? []),
    ])];
    analyses.saveCache?.(notes.slice(), configAnalyses);
    // Verify verdicts are shown from .flakelens/verify.json; one that cannot be read is said, not silently skipped.
    const verifyProblem = workspace.verifyResults().problem;
    if (verifyProblem) notes.push(`verify results not shown: ${verifyProblem}`);
    // Said once for the run, not per file: a copied workspace without node_modules loses findings silently otherwise.
    if (unresolved.size > 0) notes.push(unresolvedRunnerNote([...unresolved].map(([module, file]) => ({ module, file })), workspace.root));
    for (const n of notes) note(n);
    if (files.length === 0) note(`no test files found under ${options.paths.map((p) => path.relative(workspace.root, path.resolve(p)) || '.').join(', ')} (testFiles: ${workspace.config.testFiles.join(', ')})`);
    return {
      kind: 'report',
      report: {
        tool: { name: TOOL_NAME, version: toolVersion(), informationUri: INFORMATION_URI },
        root: workspace.root,
        files,
        notes,
        summary: summarize(files),
        rules: options.rules,
        docsBaseUrl: workspace.config.docsBaseUrl,
      },
    };
  } finally {
    workspace.dispose();
  }
}

type Analyses = Map<string, FileAnalysis> & {
  cachedProblems?: string[];
  /** The runner config files' analyses from the cache, when no test file was analysed (they cannot differ then). */
  cachedConfigFiles?: Array<[file: string, analysis: FileAnalysis]>;
  saveCache?: (problems: string[], configFiles: Array<[file: string, analysis: FileAnalysis]>) => void;
};

/**
 * Every test file's analysis, from the result cache where it holds (see cli/cache.ts) and from one program per
 * tsconfig over the rest (built once with every such file as a root, not once per file).
 */
function analyzeAll(workspace: Workspace, testFiles: readonly string[], options: CheckOptions): Analyses {
  const analyses: Analyses = new Map();
  if (!options.cacheLocation) {
    workspace.addRoots(testFiles);
    for (const file of workspace.inAnalysisOrder(testFiles)) analyses.set(file, workspace.analyzeFile(file));
    return analyses;
  }
  // The same key as the language server's (workspace/resultCache.ts): they share the file.
  const cache = CheckCache.open(options.cacheLocation, resultCacheKeyParts(workspace, testFiles));
  setProbeRecorder(cache.recorder);
  try {
    // Every file's findings include its verify verdicts: the results file is one of the answers a hit depends on.
    workspace.verifyResults();
    const hits = new Set<string>();
    if (cache.valid) {
      for (const file of testFiles) {
        const cached = cache.lookup(path.resolve(file));
        if (cached) {
          analyses.set(file, cached);
          hits.add(file);
        }
      }
    }
    const analyse = (files: readonly string[]): void => {
      workspace.addRoots(files);
      for (const file of workspace.inAnalysisOrder(files)) {
        const analysis = workspace.analyzeFile(file);
        analyses.set(file, analysis);
        const closure = workspace.privateClosureOf(file);
        if (!analysis.skipped && closure) cache.store(path.resolve(file), closure, analysis, workspace.dependenciesOf(file));
      }
    };
    analyse(testFiles.filter((f) => !hits.has(f)));
    // Something the misses brought in may be seen by every file of their program: re-analyse the rest as a full run would.
    if (hits.size > 0 && cache.readSomethingNewShared()) {
      analyse([...hits]);
      hits.clear();
    }
    options.onCache?.({ hits: hits.size, analysed: testFiles.length - hits.size, ...(cache.missReason ? { missReason: cache.missReason } : {}) });
    if (cache.valid) analyses.cachedProblems = cache.problems();
    // Nothing analysed: the compiler need not even be loaded (a config file's analysis parses it).
    if (cache.valid && hits.size === testFiles.length) {
      const configFiles = cache.configFileAnalyses();
      if (configFiles) analyses.cachedConfigFiles = configFiles;
    }
    analyses.saveCache = (problems, configFiles) => {
      const failure = cache.save(problems, configFiles);
      if (failure) options.onNote?.(failure);
    };
    return analyses;
  } finally {
    setProbeRecorder(undefined);
  }
}
