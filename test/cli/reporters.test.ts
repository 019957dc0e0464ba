import { createRequire } from 'node:module';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { CATEGORY_TITLES } from '../../server/src/engine/types.js';
import { RULES } from '../../server/src/rules/index.js';
import { useColor } from '../../server/src/cli/colors.js';
import type { ReportFile, ReportFinding } from '../../server/src/cli/report.js';
import { codeFrame } from '../../server/src/cli/reporters/stylish.js';
import { assertBuilt, REPO_ROOT, runCli, SAMPLE, type CliResult } from './cliHarness.js';

const require = createRequire(import.meta.url);
// CommonJS packages whose module.exports is the function itself.
const Ajv = require('ajv-draft-04') as typeof import('ajv-draft-04').default;
const addFormats = require('ajv-formats') as typeof import('ajv-formats').default;
/** The SARIF 2.1.0 schema (rtm.5, the version GitHub code scanning validates against), shipped in @microsoft/jest-sarif. */
const sarifSchema = require('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json') as object;

interface SarifResult {
  ruleId: string;
  ruleIndex: number;
  level: string;
  message: { text: string };
  locations: Array<{ physicalLocation: { artifactLocation: { uri: string; uriBaseId: string }; region: Record<string, number> } }>;
  partialFingerprints: Record<string, string>;
}
interface SarifLog {
  $schema: string;
  version: string;
  runs: Array<{
    tool: { driver: { name: string; version: string; informationUri: string; rules: Array<Record<string, any>> } };
    originalUriBaseIds: Record<string, { uri: string }>;
    results: SarifResult[];
  }>;
}
interface JsonReport {
  files: Array<{ path: string; findings: Array<{ ruleId: string; severity: string; message: string; range: { start: { line: number; column: number }; end: { line: number; column: number } } }> }>;
}

let sarif: CliResult;
let sarifAgain: CliResult;
let json: CliResult;
let markdown: CliResult;

beforeAll(async () => {
  assertBuilt();
  [sarif, sarifAgain, json, markdown] = await Promise.all([
    runCli(['check', SAMPLE, '--format', 'sarif']),
    runCli(['check', 'tests/unit', '--format', 'sarif'], { cwd: SAMPLE }),
    runCli(['check', SAMPLE, '--format', 'json']),
    runCli(['check', SAMPLE, '--format', 'markdown']),
  ]);
}, 180_000);

describe('sarif reporter', () => {
  it('is valid SARIF 2.1.0', () => {
    const log = JSON.parse(sarif.stdout) as unknown;
    // The schema's language-tag pattern is not valid as a unicode regex; the rest validates as written, formats included.
    const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false });
    addFormats(ajv);
    const validate = ajv.compile(sarifSchema);
    const valid = validate(log);
    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
  });

  it('describes the tool and every rule for code scanning', () => {
    const log = JSON.parse(sarif.stdout) as SarifLog;
    expect(log.version).toBe('2.1.0');
    expect(log.$schema).toMatch(/sarif-2\.1\.0/);
    const run = log.runs[0]!;
    expect(run.tool.driver).toMatchObject({ name: 'flakelens', informationUri: pathToFileURL(path.join(REPO_ROOT, 'README.md')).href });
    expect(run.tool.driver.rules.map((r) => r.id)).toEqual(RULES.map((r) => r.meta.id));
    for (const [index, descriptor] of run.tool.driver.rules.entries()) {
      const { meta } = RULES[index]!;
      expect(descriptor).toMatchObject({
        shortDescription: { text: meta.docs.summary },
        helpUri: expect.stringMatching(new RegExp(`docs/rules/${meta.id}\\.md$`)),
        defaultConfiguration: { level: meta.defaultSeverity === 'error' ? 'error' : meta.defaultSeverity === 'warning' ? 'warning' : 'note' },
        properties: { tags: expect.arrayContaining([meta.category]) },
      });
      expect(descriptor.help.markdown).toContain(CATEGORY_TITLES[meta.category]);
    }
    expect(run.originalUriBaseIds['%SRCROOT%']!.uri).toBe(pathToFileURL(SAMPLE + path.sep).href);
  });

  it('has one result per finding with 1-based regions relative to %SRCROOT%', () => {
    const log = JSON.parse(sarif.stdout) as SarifLog;
    const report = JSON.parse(json.stdout) as JsonReport;
    const run = log.runs[0]!;
    const expected = report.files.flatMap((file) =>
      file.findings.map((f) => ({
        ruleId: f.ruleId,
        level: f.severity === 'error' ? 'error' : f.severity === 'warning' ? 'warning' : 'note',
        message: { text: f.message },
        uri: file.path,
        region: { startLine: f.range.start.line, startColumn: f.range.start.column, endLine: f.range.end.line, endColumn: f.range.end.column },
      })),
    );
    const actual = run.results.map((r) => ({
      ruleId: r.ruleId,
      level: r.level,
      message: r.message,
      uri: r.locations[0]!.physicalLocation.artifactLocation.uri,
      region: r.locations[0]!.physicalLocation.region,
    }));
    expect(actual).toEqual(expected);
    for (const result of run.results) {
      expect(run.tool.driver.rules[result.ruleIndex]!.id).toBe(result.ruleId);
      expect(result.locations[0]!.physicalLocation.artifactLocation.uriBaseId).toBe('%SRCROOT%');
    }
    const focus = run.results.find((r) => r.ruleId === 'focused-test' && r.locations[0]!.physicalLocation.artifactLocation.uri === 'tests/unit/cart.test.ts');
    expect(focus?.locations[0]!.physicalLocation.region).toEqual({ startLine: 19, startColumn: 6, endLine: 19, endColumn: 10 });
  });

  it('fingerprints findings stably and distinctly', () => {
    const prints = (out: string) => (JSON.parse(out) as SarifLog).runs[0]!.results.map((r) => r.partialFingerprints['flakelens/v1']);
    const first = prints(sarif.stdout);
    expect(first.every((p) => typeof p === 'string' && p.length > 10)).toBe(true);
    expect(new Set(first).size).toBe(first.length);
    // A narrower run from another cwd fingerprints the same findings the same way.
    const inUnit = (JSON.parse(sarif.stdout) as SarifLog).runs[0]!.results
      .filter((r) => r.locations[0]!.physicalLocation.artifactLocation.uri.startsWith('tests/unit/'))
      .map((r) => r.partialFingerprints['flakelens/v1']);
    expect(inUnit.length).toBeGreaterThan(0);
    expect(prints(sarifAgain.stdout)).toEqual(inUnit);
  });
});

describe('markdown reporter', () => {
  it('has a title, a summary table with tests counted, and a verdict per section', () => {
    const out = markdown.stdout;
    expect(out.startsWith('# Flaky-test audit\n')).toBe(true);
    expect(out).toContain('## Summary');
    const report = JSON.parse(json.stdout) as JsonReport & { summary: { tests: number } };
    expect(out).toContain(`| Test files scanned | ${report.files.filter((f) => !('kind' in f)).length} |`);
    expect(report.summary.tests).toBeGreaterThan(11);
    expect(out).toContain(`| Tests | ${report.summary.tests} |`);
    const errors = report.files.flatMap((f) => f.findings).filter((f) => f.severity === 'error').length;
    expect(out).toContain(`| Errors | ${errors} |`);
    for (const title of ['Retry and flaky markers', 'Isolation and race conditions', 'Async coordination', 'Timing and nondeterministic inputs']) {
      expect(out).toMatch(new RegExp(`\\| \\[${title}\\]\\(#[a-z-]+\\) \\| (clean|\\d+ risks? \\(.*\\)) \\|`));
      expect(out).toContain(`\n## ${title}\n`);
    }
  });

  it('lists the retry and flaky markers with their justification', () => {
    const out = markdown.stdout;
    const section = out.slice(out.indexOf('\n## Retry and flaky markers'), out.indexOf('\n## Isolation and race conditions'));
    expect(section).toContain('| Where | Test | Severity | Marker | Justification | Fix |');
    expect(section).toMatch(/\| `tests\/reports\/export\.test\.ts:9` \| exportReports › writes one file per report \| info \| This test is retried up to 2 times .*\(\[retry-marker\]\(\S+retry-marker\.md\)\) \| "retried because the export is flaky on CI" \|/);
    expect(section).toMatch(/\| `playwright\.config\.ts:5` \| runner config \| info \|/);
    expect(section).toMatch(/\| `tests\/unit\/cart\.test\.ts:19` \| .* \| error \| Focused test `it\.only`.* \| none given \| Quick fix: Remove \.only \|/);
    expect(section).toMatch(/\[focused-test\]\(file:\/\/\S+\/docs\/rules\/focused-test\.md\)/);
  });

  it('lists the files with findings and counts the clean ones', () => {
    const out = markdown.stdout;
    const section = out.slice(out.indexOf('\n## Files'));
    const report = JSON.parse(json.stdout) as JsonReport;
    for (const file of report.files) {
      if (file.findings.length) expect(section).toContain(`| \`${file.path}\` |`);
      else expect(section).not.toContain(`\`${file.path}\``);
    }
    const clean = report.files.filter((f) => f.findings.length === 0).length;
    expect(section).toContain(`${clean} test files without findings.`);
  });

  it('matches the reviewed audit of the sample workspace', async () => {
    // Absolute paths (docs links to the installed package) differ between checkouts.
    const normalised = markdown.stdout.split(REPO_ROOT).join('<repo>');
    await expect(normalised).toMatchFileSnapshot('./__snapshots__/sample-audit.md');
  });
});

describe('stylish code frames and colour choice', () => {
  const file = (lines: string[]): ReportFile => ({
    path: 'a.test.ts',
    absolutePath: '/w/a.test.ts',
    findings: [],
    notes: [],
    lines: new Map(lines.map((text, i) => [i + 1, text])),
  });
  const finding = (start: [number, number], end: [number, number]): ReportFinding => ({
    ruleId: 'focused-test',
    category: 'focus-and-retry',
    severity: 'error',
    message: 'm',
    why: 'w',
    docsUrl: 'u',
    range: { start: { line: start[0], column: start[1] }, end: { line: end[0], column: end[1] } },
    fixes: [],
  });

  it('keeps tabs in the caret line so carets line up under tab-indented code', () => {
    const frame = codeFrame(file(['describe(() => {', '\tit.only("x", () => {});', '});']), finding([2, 5], [2, 9]));
    expect(frame).toEqual(['  1 | describe(() => {', '> 2 | \tit.only("x", () => {});', '    | \t   ^^^^', '  3 | });']);
  });

  it('marks every line of a multi-line range and cuts very long ranges', () => {
    const lines = Array.from({ length: 12 }, (_, i) => `line ${i + 1}`);
    const frame = codeFrame(file(lines), finding([3, 1], [10, 3]));
    expect(frame.filter((l) => l.startsWith('>'))).toHaveLength(4);
    expect(frame[frame.length - 1]).toContain('finding continues to line 10');
    // No unmarked lines of the finding itself between the last marked line and the cut-off note.
    expect(frame[frame.length - 3]).toMatch(/^> 6 \|/);
  });

  it('uses colour for a terminal unless NO_COLOR or --no-color says otherwise', () => {
    expect(useColor(undefined, { isTTY: true }, {})).toBe(true);
    expect(useColor(undefined, { isTTY: false }, {})).toBe(false);
    expect(useColor(undefined, { isTTY: true }, { NO_COLOR: '1' })).toBe(false);
    expect(useColor(undefined, { isTTY: false }, { FORCE_COLOR: '1' })).toBe(true);
    expect(useColor(undefined, { isTTY: true }, { FORCE_COLOR: '0' })).toBe(false);
    expect(useColor(false, { isTTY: true }, { FORCE_COLOR: '1' })).toBe(false);
    expect(useColor(true, { isTTY: false }, { NO_COLOR: '1' })).toBe(true);
  });
});
