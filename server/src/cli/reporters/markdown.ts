import * as path from 'node:path';
import { CATEGORY_TITLES, type Category } from '../../engine/types.js';
import { plural, type CheckReport, type ReportFile, type ReportFinding } from '../report.js';

/** What each section of the audit covers, shown under its heading. */
export const CATEGORY_EXPLANATIONS: Record<Category, string> = {
  'focus-and-retry':
    'Markers that change what runs or hide failures: retries turn flaky tests green without fixing them, tests skipped as flaky no longer test anything, and focused tests skip the rest of the suite.',
  isolation:
    'State shared between tests (globals, module state, mocks, timers, the environment, ports, fixed resource names, the network) that makes a result depend on which tests ran before it, in what order, or in which worker.',
  'async-coordination':
    'Work the test does not wait for: promises, async assertions and callbacks that settle after the test has finished, so a failure lands in another test or nowhere and results depend on timing.',
  timing:
    'Inputs that are not fixed from run to run: fixed sleeps instead of waiting for the condition, real elapsed time and the current date, collections in no guaranteed order, and unseeded random values.',
};

/** The audit's sections, in the order a reviewer reads them. */
const SECTION_ORDER: Category[] = ['focus-and-retry', 'isolation', 'async-coordination', 'timing'];

/** Sections with more rows than this are collapsed, so a PR comment stays readable. */
const COLLAPSE_AFTER_ROWS = 10;

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

function code(text: string): string {
  return `\`${text.replace(/`/g, "'")}\``;
}

/** The message without the justification sentence the marker table shows in a column of its own. */
function riskText(finding: ReportFinding): string {
  const message = finding.justification ? finding.message.replace(/\s*Justification: ".*"\.$/, '') : finding.message;
  return `${cell(message)} ([${finding.ruleId}](${finding.docsUrl}))`;
}

function fixText(finding: ReportFinding): string {
  const fix = finding.fixes[0];
  return fix ? `Quick fix: ${cell(fix.title)}` : `[How to fix](${finding.docsUrl}#use-instead)`;
}

function verdict(findings: readonly ReportFinding[]): string {
  if (findings.length === 0) return 'clean';
  const counts = (['error', 'warning', 'info', 'hint'] as const)
    .map((severity) => [severity, findings.filter((f) => f.severity === severity).length] as const)
    .filter(([, n]) => n > 0)
    .map(([severity, n]) => (severity === 'info' ? `${n} info` : plural(n, severity)));
  return `${plural(findings.length, 'risk')} (${counts.join(', ')})`;
}

/** A flaky-test audit for a pull request comment or a CI job summary. */
export function formatMarkdown(report: CheckReport): string {
  const { summary } = report;
  const out: string[] = [];
  const name = path.basename(report.root);
  out.push('# Flaky-test audit', '');
  out.push(
    summary.problems === 0
      ? `No flaky-test risks found in ${plural(summary.filesScanned, 'test file')} (${plural(summary.tests, 'test')}) of \`${name}\` (${report.tool.name} ${report.tool.version}).`
      : `${plural(summary.problems, 'flaky-test risk')} found in ${plural(summary.filesWithFindings, 'file')} of \`${name}\`: ${plural(summary.filesScanned, 'test file')}, ${plural(summary.tests, 'test')} (${report.tool.name} ${report.tool.version}).`,
    '',
  );

  const entries = report.files.flatMap((file) => file.findings.map((finding) => ({ file, finding })));
  const bySection = new Map<Category, typeof entries>(SECTION_ORDER.map((category) => [category, entries.filter((e) => e.finding.category === category)]));

  out.push('## Summary', '', '| Measure | Count |', '| --- | ---: |');
  out.push(`| Test files scanned | ${summary.filesScanned} |`, `| Tests | ${summary.tests} |`, `| Files with findings | ${summary.filesWithFindings} |`);
  out.push(`| Errors | ${summary.errors} |`, `| Warnings | ${summary.warnings} |`, `| Info | ${summary.infos} |`, `| Hints | ${summary.hints} |`, '');
  out.push('| Section | Verdict |', '| --- | --- |');
  for (const category of SECTION_ORDER) {
    out.push(`| [${CATEGORY_TITLES[category]}](#${anchor(CATEGORY_TITLES[category])}) | ${verdict(bySection.get(category)!.map((e) => e.finding))} |`);
  }
  out.push('');

  for (const category of SECTION_ORDER) {
    const rows = bySection.get(category)!;
    out.push(`## ${CATEGORY_TITLES[category]}`, '', CATEGORY_EXPLANATIONS[category], '');
    out.push(`**Verdict: ${verdict(rows.map((e) => e.finding))}.**`, '');
    if (rows.length === 0) continue;
    const markers = category === 'focus-and-retry';
    const table = markers
      ? ['| Where | Test | Severity | Marker | Justification | Fix |', '| --- | --- | --- | --- | --- | --- |']
      : ['| Where | Test | Severity | Risk | Fix |', '| --- | --- | --- | --- | --- |'];
    for (const { file, finding } of rows) {
      const where = code(`${file.path}:${finding.range.start.line}`);
      const test = finding.test ? cell(finding.test) : file.configFile ? 'runner config' : '(file)';
      table.push(markers
        ? `| ${where} | ${test} | ${finding.severity} | ${riskText(finding)} | ${finding.justification ? cell(`"${finding.justification}"`) : 'none given'} | ${fixText(finding)} |`
        : `| ${where} | ${test} | ${finding.severity} | ${riskText(finding)} | ${fixText(finding)} |`);
    }
    if (rows.length > COLLAPSE_AFTER_ROWS) {
      out.push('<details>', `<summary>${plural(rows.length, 'finding')}</summary>`, '', ...table, '', '</details>', '');
    } else {
      out.push(...table, '');
    }
  }

  const withFindings = report.files.filter((f) => f.findings.length > 0);
  out.push('## Files', '');
  if (withFindings.length > 0) {
    out.push('| File | Tests | Errors | Warnings | Info |', '| --- | ---: | ---: | ---: | ---: |');
    for (const file of withFindings) out.push(fileRow(file));
    out.push('');
  }
  const clean = report.files.filter((f) => f.findings.length === 0 && !f.configFile);
  out.push(clean.length > 0 ? `${plural(clean.length, 'test file')} without findings.` : 'Every test file has findings.', '');

  const notes = [...report.notes, ...report.files.flatMap((file) => file.notes.map((note) => `\`${file.path}\`: ${note}`))];
  if (notes.length > 0) {
    out.push('## Notes', '', 'Results for these files may be partial:', '', ...notes.map((note) => `- ${cell(note)}`), '');
  }
  return out.join('\n');
}

function fileRow(file: ReportFile): string {
  const count = (severity: ReportFinding['severity']): number => file.findings.filter((f) => f.severity === severity).length;
  return `| ${code(file.path)} | ${file.configFile ? '–' : (file.tests ?? 0)} | ${count('error')} | ${count('warning')} | ${count('info') + count('hint')} |`;
}

/** GitHub's heading anchor: lower case, spaces to dashes, punctuation dropped. */
function anchor(heading: string): string {
  return heading.toLowerCase().replace(/[^\w\s-]/g, '').trim().replace(/\s+/g, '-');
}
