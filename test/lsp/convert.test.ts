import { describe, expect, it } from 'vitest';
import { findingToDiagnostic, pathToUri } from '../../server/src/lsp/convert.js';
import type { Finding } from '../../server/src/engine/types.js';

const range = (line: number) => ({ start: { line, character: 2 }, end: { line, character: 10 } });

const finding: Finding = {
  ruleId: 'fixed-sleep', category: 'timing', severity: 'warning', file: '/w/a.test.ts', range: range(3), start: 40, end: 48,
  message: 'm', why: 'w', docsUrl: 'file:///docs/fixed-sleep.md', fixes: [],
};

describe('findingToDiagnostic', () => {
  it('maps related locations of the same claim to relatedInformation in the same document', () => {
    const diagnostic = findingToDiagnostic({ ...finding, related: [{ range: range(7), start: 90, end: 98, message: 'also awaits `signIn()`, which sleeps' }] });
    expect(diagnostic.relatedInformation).toEqual([
      { location: { uri: pathToUri('/w/a.test.ts'), range: range(7) }, message: 'also awaits `signIn()`, which sleeps' },
    ]);
  });

  it('sends no relatedInformation when there is none', () => {
    expect(findingToDiagnostic(finding)).not.toHaveProperty('relatedInformation');
  });
});

describe('json report', () => {
  it('carries related locations 1-based, like the finding range', async () => {
    const { toReportFile } = await import('../../server/src/cli/report.js');
    const { toJsonReport } = await import('../../server/src/cli/reporters/json.js');
    const file = toReportFile('/w', { file: '/w/a.test.ts', notes: [], findings: [{ ...finding, related: [{ range: range(7), start: 90, end: 98, message: 'also' }] }] }, undefined, () => true);
    const json = toJsonReport({ tool: { name: 'flakelens', version: '0', informationUri: '' }, root: '/w', files: [file], notes: [], summary: { filesScanned: 1, tests: 0, filesWithFindings: 1, problems: 1, errors: 0, warnings: 1, infos: 0, hints: 0 }, rules: [] });
    expect(json.files[0]!.findings[0]!.related).toEqual([{ range: { start: { line: 8, column: 3 }, end: { line: 8, column: 11 } }, message: 'also' }]);
  });
});
