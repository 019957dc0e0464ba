import type { CheckReport, ReportFinding, ReportSummary } from '../report.js';

/** Bumped when a field changes meaning or disappears (new fields do not bump it). */
export const JSON_REPORT_VERSION = 1;

/**
 * The shape of `flakelens check --format json` (documented in the README):
 * - `range` is 1-based (line and column, columns in UTF-16 code units), `end` exclusive;
 * - `fixes[].edits` replace `[start, end)` 0-based UTF-16 offsets of the file text with `newText`;
 * - `path` is relative to `root`, with forward slashes; every checked file is listed, with or without findings.
 */
export interface JsonReport {
  version: number;
  tool: { name: string; version: string };
  root: string;
  files: Array<{ path: string; kind?: 'runner-config'; tests?: number; findings: ReportFinding[]; notes: string[] }>;
  notes: string[];
  summary: ReportSummary;
}

export function toJsonReport(report: CheckReport): JsonReport {
  return {
    version: JSON_REPORT_VERSION,
    tool: { name: report.tool.name, version: report.tool.version },
    root: report.root,
    files: report.files.map((file) => ({
      path: file.path,
      ...(file.configFile ? { kind: 'runner-config' as const } : {}),
      ...(file.tests !== undefined ? { tests: file.tests } : {}),
      findings: file.findings.map((f) => ({
        ruleId: f.ruleId,
        category: f.category,
        severity: f.severity,
        message: f.message,
        why: f.why,
        docsUrl: f.docsUrl,
        range: f.range,
        fixes: f.fixes,
        ...(f.test ? { test: f.test } : {}),
        ...(f.justification ? { justification: f.justification } : {}),
        ...(f.related ? { related: f.related } : {}),
      })),
      notes: file.notes,
    })),
    notes: report.notes,
    summary: report.summary,
  };
}

export function formatJson(report: CheckReport): string {
  return `${JSON.stringify(toJsonReport(report), null, 2)}\n`;
}
