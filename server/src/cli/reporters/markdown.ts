import * as path from 'node:path';
import { CATEGORY_TITLES, type Category } from '../../engine/types.js';
import { plural, type CheckReport, type ReportFinding } from '../report.js';

/** What each category means for a suite, shown above its findings. */
export const CATEGORY_EXPLANATIONS: Record<Category, string> = {
  'async-coordination':
    'Work the test does not wait for: promises, async assertions and callbacks that settle after the test has finished, so a failure lands in another test or nowhere and results depend on timing.',
  'focus-and-retry':
    'Markers that change what runs: focused tests skip the rest of the suite and retries hide real failures, so a green run says less than it seems.',
  isolation:
    'State shared between tests (globals, module state, timers, the environment) that makes a result depend on which tests ran before it and in what order.',
  timing:
    'Waits on the clock instead of on the condition itself: fixed sleeps and real timers pass on a fast machine and fail on a loaded CI runner.',
};

const CATEGORY_ORDER: Category[] = ['focus-and-retry', 'async-coordination', 'timing', 'isolation'];

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

function ruleLink(finding: ReportFinding): string {
  return `[${finding.ruleId}](${finding.docsUrl})`;
}

/** A flaky-test audit for a pull request comment or a CI job summary. */
export function formatMarkdown(report: CheckReport): string {
  const { summary } = report;
  const out: string[] = [];
  out.push('# Flaky-test audit', '');
  out.push(
    summary.problems === 0
      ? `No flaky-test risks found in ${plural(summary.filesScanned, 'test file')} of \`${path.basename(report.root)}\` (${report.tool.name} ${report.tool.version}).`
      : `${plural(summary.problems, 'flaky-test risk')} found in ${plural(summary.filesWithFindings, 'file')} of \`${path.basename(report.root)}\` (${report.tool.name} ${report.tool.version}).`,
    '',
  );
  out.push('## Summary', '', '| Measure | Count |', '| --- | ---: |');
  out.push(`| Test files scanned | ${summary.filesScanned} |`);
  out.push(`| Files with findings | ${summary.filesWithFindings} |`);
  out.push(`| Errors | ${summary.errors} |`, `| Warnings | ${summary.warnings} |`, `| Info | ${summary.infos} |`, `| Hints | ${summary.hints} |`, '');

  const withFindings = report.files.filter((f) => f.findings.length > 0);
  if (withFindings.length > 0) {
    out.push('## Findings by category', '');
    for (const category of CATEGORY_ORDER) {
      const entries = withFindings.flatMap((file) => file.findings.filter((f) => f.category === category).map((finding) => ({ file, finding })));
      if (entries.length === 0) continue;
      out.push(`### ${CATEGORY_TITLES[category]} (${entries.length})`, '', CATEGORY_EXPLANATIONS[category], '');
      for (const { file, finding } of entries) {
        out.push(`- \`${file.path}:${finding.range.start.line}\` (${finding.severity}): ${cell(finding.message)} ${ruleLink(finding)}`);
      }
      out.push('');
    }

    out.push('## Findings by file', '');
    for (const file of withFindings) {
      out.push(`### \`${file.path}\``, '', '| Line | Severity | Rule | Message |', '| ---: | --- | --- | --- |');
      for (const finding of file.findings) {
        out.push(`| ${finding.range.start.line}:${finding.range.start.column} | ${finding.severity} | ${ruleLink(finding)} | ${cell(finding.message)} |`);
      }
      out.push('');
    }
  }

  const notes = [...report.notes, ...report.files.flatMap((file) => file.notes.map((note) => `\`${file.path}\`: ${note}`))];
  if (notes.length > 0) {
    out.push('## Notes', '', 'Results for these files may be partial:', '', ...notes.map((note) => `- ${cell(note)}`), '');
  }
  return out.join('\n');
}
