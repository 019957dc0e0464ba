import type { Severity } from '../../engine/types.js';
import { PLAIN, type Palette } from '../colors.js';
import { FRAME_CONTEXT_LINES, FRAME_MAX_RANGE_LINES, plural, summaryLine, type CheckReport, type ReportFile, type ReportFinding } from '../report.js';

/** Longer source lines are cut in frames (minified or generated code would flood the terminal). */
const MAX_FRAME_LINE = 200;

function severityColor(severity: Severity, palette: Palette): (text: string) => string {
  switch (severity) {
    case 'error':
      return palette.red;
    case 'warning':
      return palette.yellow;
    case 'info':
      return palette.blue;
    default:
      return palette.gray;
  }
}

/** Spaces up to a column, keeping tabs so the caret lines up with the source above it. */
function padTo(line: string, column: number): string {
  let pad = '';
  for (let i = 0; i < column - 1 && i < line.length; i++) pad += line[i] === '\t' ? '\t' : ' ';
  return pad;
}

/** The source around a finding with line numbers, `>` on its lines and carets under its range. */
export function codeFrame(file: ReportFile, finding: ReportFinding, palette: Palette = PLAIN): string[] {
  const { start, end } = finding.range;
  const lastMarked = Math.min(end.line, start.line + FRAME_MAX_RANGE_LINES - 1);
  const first = Math.max(1, start.line - FRAME_CONTEXT_LINES);
  // A cut-off range ends the frame at its last marked line: context after it would be the finding's own lines, unmarked.
  const last = end.line > lastMarked ? lastMarked : lastMarked + FRAME_CONTEXT_LINES;
  const numbers: number[] = [];
  for (let line = first; line <= last; line++) if (file.lines.has(line)) numbers.push(line);
  if (numbers.length === 0) return [];
  const width = String(numbers[numbers.length - 1]).length;
  const color = severityColor(finding.severity, palette);
  const out: string[] = [];
  for (const number of numbers) {
    const full = file.lines.get(number)!;
    const text = full.length > MAX_FRAME_LINE ? `${full.slice(0, MAX_FRAME_LINE)}…` : full;
    const marked = number >= start.line && number <= lastMarked;
    const gutter = `${marked ? '>' : ' '} ${String(number).padStart(width)} |`;
    out.push(`${marked ? color(gutter) : palette.gray(gutter)}${text ? ` ${text}` : ''}`);
    if (!marked) continue;
    const from = number === start.line ? start.column : full.length - full.trimStart().length + 1;
    const to = number === end.line ? end.column : full.length + 1;
    const visibleTo = Math.min(to, MAX_FRAME_LINE + 1);
    const carets = '^'.repeat(Math.max(1, visibleTo - from));
    if (from > MAX_FRAME_LINE + 1) continue;
    out.push(`${palette.gray(`  ${' '.repeat(width)} |`)} ${padTo(full, from)}${color(carets)}`);
  }
  if (end.line > lastMarked) out.push(palette.gray(`  ${' '.repeat(width)} | … (finding continues to line ${end.line})`));
  return out;
}

/** eslint-like output grouped by file, with a code frame under every finding and a summary line. */
export function formatStylish(report: CheckReport, palette: Palette = PLAIN): string {
  const out: string[] = [];
  for (const file of report.files) {
    if (file.findings.length === 0) continue;
    out.push(palette.bold(palette.underline(file.path)));
    const positionWidth = Math.max(...file.findings.map((f) => `${f.range.start.line}:${f.range.start.column}`.length));
    const severityWidth = Math.max(...file.findings.map((f) => f.severity.length));
    for (const finding of file.findings) {
      const position = `${finding.range.start.line}:${finding.range.start.column}`.padEnd(positionWidth);
      const severity = severityColor(finding.severity, palette)(finding.severity.padEnd(severityWidth));
      out.push(`  ${palette.gray(position)}  ${severity}  ${finding.message}  ${palette.gray(finding.ruleId)}`);
      const frame = codeFrame(file, finding, palette);
      if (frame.length) out.push('', ...frame.map((line) => `    ${line}`), '');
    }
    if (out[out.length - 1] !== '') out.push('');
  }
  const { summary } = report;
  if (summary.problems > 0) {
    const color = summary.errors ? palette.red : summary.warnings ? palette.yellow : palette.blue;
    out.push(color(palette.bold(`✖ ${summaryLine(summary)}`)));
    out.push(palette.gray(`  in ${plural(summary.filesWithFindings, 'file')} of ${plural(summary.filesScanned, 'test file')} checked; see each rule's page for why it makes tests flaky`));
  } else {
    out.push(palette.green(`✔ No flaky-test risks found in ${plural(summary.filesScanned, 'test file')}.`));
  }
  return `${out.join('\n')}\n`;
}
