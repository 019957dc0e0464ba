import * as path from 'node:path';
import type { FileAnalysis } from '../engine/analyze.js';
import type { Category, Fix, Rule, Severity } from '../engine/types.js';

/** 1-based line and column (UTF-16 code units), as editors and SARIF show them. */
export interface HumanPosition {
  line: number;
  column: number;
}

export interface ReportFinding {
  ruleId: string;
  category: Category;
  severity: Severity;
  message: string;
  why: string;
  docsUrl: string;
  /** `end` is exclusive: the column just after the last character. */
  range: { start: HumanPosition; end: HumanPosition };
  /** Edits use 0-based UTF-16 offsets into the file text, as the engine produces them. */
  fixes: Fix[];
  /** Title path of the test (or hook, or suite) the finding sits in. */
  test?: string;
  /** The comment the code gives for it (a retry's or skip's justification). */
  justification?: string;
  /** Other places in the same file the finding refers to (the test that wrote shared state). */
  related?: Array<{ range: { start: HumanPosition; end: HumanPosition }; message: string }>;
}

export interface ReportFile {
  /** Relative to the report root, with forward slashes. */
  path: string;
  absolutePath: string;
  findings: ReportFinding[];
  notes: string[];
  /** Tests the file registers; undefined for files that are not test files (a runner config). */
  tests?: number;
  /** A runner config file (reported on for its keys), not a test file. */
  configFile?: boolean;
  /**
   * Source lines (1-based line number to text) around each finding, for code frames and fingerprints.
   * Only these lines are kept, so a report stays small however large the files are.
   */
  lines: Map<number, string>;
}

export interface ReportSummary {
  /** Test files checked (runner config files with findings are listed but not counted here). */
  filesScanned: number;
  /** Tests registered by the checked files, as the test model counts them. */
  tests: number;
  filesWithFindings: number;
  problems: number;
  errors: number;
  warnings: number;
  infos: number;
  hints: number;
}

export interface CheckReport {
  tool: { name: string; version: string; informationUri: string };
  /** Absolute workspace root; file paths in reports are relative to it. */
  root: string;
  files: ReportFile[];
  /** Notes that belong to no single file (e.g. a tsconfig that could not be loaded). */
  notes: string[];
  summary: ReportSummary;
  /** The registry, so reporters can describe every rule (SARIF tool.driver.rules). */
  rules: readonly Rule[];
  /** The `docsBaseUrl` setting: where rule docs links point ("" for the pages installed with flakelens). */
  docsBaseUrl?: string;
}

/** Lines of context shown above and below a finding. */
export const FRAME_CONTEXT_LINES = 2;
/** A multi-line finding shows at most this many of its own lines. */
export const FRAME_MAX_RANGE_LINES = 4;

export function relativePath(root: string, file: string): string {
  const rel = path.relative(root, file);
  return (rel === '' ? path.basename(file) : rel).split(path.sep).join('/');
}

/** Turns one engine result into report data, keeping only the source lines the reporters need. */
export function toReportFile(root: string, analysis: FileAnalysis, text: string | undefined, keep: (severity: Severity) => boolean): ReportFile {
  const findings: ReportFinding[] = analysis.findings
    .filter((f) => keep(f.severity))
    .map((f) => ({
      ruleId: f.ruleId,
      category: f.category,
      severity: f.severity,
      message: f.message,
      why: f.why,
      docsUrl: f.docsUrl,
      range: {
        start: { line: f.range.start.line + 1, column: f.range.start.character + 1 },
        end: { line: f.range.end.line + 1, column: f.range.end.character + 1 },
      },
      fixes: f.fixes,
      ...(f.test ? { test: f.test } : {}),
      ...(f.justification ? { justification: f.justification } : {}),
      ...(f.related && f.related.length > 0 ? {
        related: f.related.map((r) => ({
          range: {
            start: { line: r.range.start.line + 1, column: r.range.start.character + 1 },
            end: { line: r.range.end.line + 1, column: r.range.end.character + 1 },
          },
          message: r.message,
        })),
      } : {}),
    }));
  const lines = new Map<number, string>();
  if (text !== undefined && findings.length > 0) {
    const all = text.split(/\r?\n|\r/);
    for (const finding of findings) {
      const first = Math.max(1, finding.range.start.line - FRAME_CONTEXT_LINES);
      const lastOfRange = Math.min(finding.range.end.line, finding.range.start.line + FRAME_MAX_RANGE_LINES - 1);
      const last = Math.min(all.length, lastOfRange + FRAME_CONTEXT_LINES);
      for (let line = first; line <= last; line++) lines.set(line, all[line - 1]!);
    }
  }
  return {
    path: relativePath(root, analysis.file),
    absolutePath: analysis.file,
    findings,
    notes: analysis.notes,
    ...(analysis.tests !== undefined ? { tests: analysis.tests } : {}),
    lines,
  };
}

export function summarize(files: readonly ReportFile[]): ReportSummary {
  const summary: ReportSummary = { filesScanned: 0, tests: 0, filesWithFindings: 0, problems: 0, errors: 0, warnings: 0, infos: 0, hints: 0 };
  for (const file of files) {
    if (!file.configFile) summary.filesScanned++;
    summary.tests += file.tests ?? 0;
    if (file.findings.length > 0) summary.filesWithFindings++;
    for (const finding of file.findings) {
      summary.problems++;
      if (finding.severity === 'error') summary.errors++;
      else if (finding.severity === 'warning') summary.warnings++;
      else if (finding.severity === 'info') summary.infos++;
      else summary.hints++;
    }
  }
  return summary;
}

export function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

/** "N problems (E errors, W warnings)", plus info and hint counts when there are any. */
export function summaryLine(summary: ReportSummary): string {
  const parts = [plural(summary.errors, 'error'), plural(summary.warnings, 'warning')];
  if (summary.infos) parts.push(`${summary.infos} info`);
  if (summary.hints) parts.push(plural(summary.hints, 'hint'));
  return `${plural(summary.problems, 'problem')} (${parts.join(', ')})`;
}
