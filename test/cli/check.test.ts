import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyEdits } from '../../server/src/engine/edits.js';
import { RULES, findRule } from '../../server/src/rules/index.js';
import { assertBuilt, CLI, runCli, SAMPLE, scratchWorkspace, type CliResult } from './cliHarness.js';

interface JsonFinding {
  ruleId: string;
  test?: string;
  justification?: string;
  category: string;
  severity: string;
  message: string;
  why: string;
  docsUrl: string;
  range: { start: { line: number; column: number }; end: { line: number; column: number } };
  fixes: Array<{ title: string; safe: boolean; edits: Array<{ start: number; end: number; newText: string }> }>;
  related?: Array<{ range: { start: { line: number; column: number }; end: { line: number; column: number } }; message: string }>;
}
interface JsonReport {
  version: number;
  tool: { name: string; version: string };
  root: string;
  files: Array<{ path: string; kind?: 'runner-config'; tests?: number; findings: JsonFinding[]; notes: string[] }>;
  notes: string[];
  summary: { filesScanned: number; tests: number; filesWithFindings: number; problems: number; errors: number; warnings: number; infos: number; hints: number };
}

const SAMPLE_TEST_FILES = [
  'tests/e2e/login.spec.ts',
  'tests/e2e/search.spec.ts',
  'tests/integration/checkout.test.ts',
  'tests/isolation/health-fixed-port.test.ts',
  'tests/isolation/health-free-port.test.ts',
  'tests/isolation/rates-clean.test.ts',
  'tests/isolation/rates-leaky.test.ts',
  'tests/isolation/rates-live.test.ts',
  'tests/isolation/rates-stubbed.test.ts',
  'tests/isolation/report-fixed-path.test.ts',
  'tests/isolation/report-temp-dir.test.ts',
  'tests/legacy/orders.test.ts',
  'tests/node/jobs.test.ts',
  'tests/reports/export-fixed.test.ts',
  'tests/reports/export.test.ts',
  'tests/state/cart-session-fresh.test.ts',
  'tests/state/cart-session.test.ts',
  'tests/unit/cart.test.ts',
  'tests/unit/pricing.test.ts',
  'tests/utils/format.test.ts',
  'tests/utils/jobs.test.ts',
];
/** Files in the sample workspace written without flaky patterns: any finding there is a false positive. */
const CLEAN_FILES = [
  'tests/e2e/search.spec.ts', 'tests/reports/export-fixed.test.ts', 'tests/unit/pricing.test.ts', 'tests/utils/format.test.ts', 'tests/utils/jobs.test.ts',
  // The fixed forms of the isolation rules' patterns.
  'tests/isolation/health-free-port.test.ts', 'tests/isolation/rates-clean.test.ts', 'tests/isolation/rates-stubbed.test.ts',
  'tests/isolation/report-temp-dir.test.ts',
  // The fixed form of the shared-state patterns.
  'tests/state/cart-session-fresh.test.ts',
];
/** Each CLI run starts Node and builds a typed program; with the whole suite sharing two cores that can take a while. */
const SLOW = 180_000;
/** The sample's flakelens.config.json turns fixed-sleep from warning to error. */
const SAMPLE_CONFIG_SEVERITIES: Record<string, string> = { 'fixed-sleep': 'error' };

function parseJson(result: CliResult): JsonReport {
  expect(result.stderr).not.toContain('internal error');
  return JSON.parse(result.stdout) as JsonReport;
}

function findingsOf(report: JsonReport, ruleId: string): Array<JsonFinding & { path: string }> {
  return report.files.flatMap((file) => file.findings.filter((f) => f.ruleId === ruleId).map((f) => ({ ...f, path: file.path })));
}

beforeAll(() => assertBuilt());

describe('flakelens check on the sample workspace', () => {
  let json: CliResult;
  let stylish: CliResult;
  beforeAll(async () => {
    [json, stylish] = await Promise.all([runCli(['check', SAMPLE, '--format', 'json']), runCli(['check', SAMPLE])]);
  }, SLOW);

  it('exits 1 when there are findings', () => {
    expect(json.code).toBe(1);
    expect(stylish.code).toBe(1);
  });

  it('lists every test file, relative to the workspace root found from the path', () => {
    const report = parseJson(json);
    expect(report.version).toBe(1);
    expect(report.tool.name).toBe('flakelens');
    expect(report.root).toBe(SAMPLE);
    expect(report.files.filter((f) => f.kind !== 'runner-config').map((f) => f.path)).toEqual(SAMPLE_TEST_FILES);
    expect(report.summary.filesScanned).toBe(SAMPLE_TEST_FILES.length);
    // The runner config governing the e2e tests is listed after them, for the retries it sets.
    expect(report.files.filter((f) => f.kind === 'runner-config').map((f) => f.path)).toEqual(['playwright.config.ts']);
  });

  it('reports the focused tests with their positions and a fix that removes the focus', () => {
    const report = parseJson(json);
    const focused = findingsOf(report, 'focused-test');
    expect(focused.map((f) => `${f.path}:${f.range.start.line}:${f.range.start.column}`)).toEqual([
      'tests/node/jobs.test.ts:6:32',
      'tests/unit/cart.test.ts:19:6',
    ]);
    const itOnly = focused[1]!;
    expect(itOnly).toMatchObject({ category: 'focus-and-retry', severity: 'error', range: { end: { line: 19, column: 10 } } });
    expect(itOnly.message).toContain('it.only');
    expect(itOnly.why).toBe(findRule('focused-test')!.meta.docs.why);
    expect(itOnly.docsUrl).toMatch(/docs\/rules\/focused-test\.md$/);
    const text = fs.readFileSync(path.join(SAMPLE, itOnly.path), 'utf8');
    const fixed = applyEdits(text, itOnly.fixes[0]!.edits);
    expect(fixed.split('\n')[18]).toBe("  it('persists the cart', async () => {");
  });

  it('gives every finding its registry metadata and the configured severity', () => {
    const report = parseJson(json);
    for (const file of report.files) {
      for (const finding of file.findings) {
        const rule = findRule(finding.ruleId);
        expect(rule, finding.ruleId).toBeDefined();
        expect(finding.category).toBe(rule!.meta.category);
        expect(finding.severity).toBe(SAMPLE_CONFIG_SEVERITIES[finding.ruleId] ?? rule!.meta.defaultSeverity);
        expect(finding.message.length).toBeGreaterThan(10);
        expect(finding.range.start.line).toBeGreaterThanOrEqual(1);
        expect(finding.range.start.column).toBeGreaterThanOrEqual(1);
      }
    }
  });

  it('reports the isolation patterns of the flaky files, and none in their fixed forms', () => {
    const report = parseJson(json);
    const isolation = report.files.filter((f) => f.path.startsWith('tests/isolation/'))
      .flatMap((f) => f.findings.map((x) => `${f.path}:${x.range.start.line} ${x.ruleId}`));
    expect(isolation).toEqual([
      'tests/isolation/health-fixed-port.test.ts:7 fixed-port',
      'tests/isolation/rates-leaky.test.ts:10 missing-cleanup',
      'tests/isolation/rates-leaky.test.ts:14 missing-cleanup',
      'tests/isolation/rates-live.test.ts:4 real-network',
      'tests/isolation/report-fixed-path.test.ts:6 hardcoded-resource',
    ]);
    const [port] = findingsOf(report, 'fixed-port');
    expect(port!.message).toContain('The file also connects to localhost:3000 (line 15).');
    const [tmp] = findingsOf(report, 'hardcoded-resource');
    expect(tmp!.severity).toBe('warning');
    expect(tmp!.message).toContain('`writeFile` writes the fixed temp path `/tmp/sample-shop-report.csv`. Vitest runs test files in parallel workers by default');
  });

  it('reports state one test leaves for another, naming the writer, and nothing in the fixed form', () => {
    const report = parseJson(json);
    const shared = findingsOf(report, 'shared-state');
    expect(shared.map((f) => `${f.path}:${f.range.start.line}`)).toEqual(['tests/state/cart-session.test.ts:16', 'tests/state/cart-session.test.ts:17']);
    expect(shared[0]!.message).toContain("Test 'saves the cart' (and 1 other test) reads `cart`, which test 'starts a cart' assigns (line 10");
    expect(shared[0]!.related?.[0]).toMatchObject({ range: { start: { line: 10, column: 5 } }, message: "`cart` changed here by test 'starts a cart'" });
    expect(shared[1]!.message).toContain("asserts how often `save` was called (`toHaveBeenCalledOnce`)");
  });

  it('stays silent on the clean files', () => {
    const report = parseJson(json);
    for (const file of report.files.filter((f) => CLEAN_FILES.includes(f.path))) {
      expect(file.findings.map((f) => `${file.path}:${f.range.start.line} ${f.ruleId}`)).toEqual([]);
    }
  });

  it('reports the nondeterministic inputs and retry markers of the reports suite, and the retries of the Playwright config', () => {
    const report = parseJson(json);
    const rows = (ruleId: string) => findingsOf(report, ruleId).map((f) => `${f.path}:${f.range.start.line}`);
    expect(rows('retry-marker')).toEqual(['tests/reports/export.test.ts:9', 'playwright.config.ts:5']);
    expect(rows('unordered-result')).toEqual(['tests/reports/export.test.ts:13']);
    expect(rows('wall-clock-assertion')).toEqual(['tests/reports/export.test.ts:19']);
    expect(rows('unseeded-random')).toEqual(['tests/reports/export.test.ts:25']);
    const marker = findingsOf(report, 'retry-marker')[0]!;
    expect(marker).toMatchObject({ severity: 'info', test: 'exportReports › writes one file per report', justification: 'retried because the export is flaky on CI' });
  });

  it('reports the flaky patterns of every finished rule', () => {
    const report = parseJson(json);
    const seen = new Set(report.files.flatMap((f) => f.findings.map((x) => x.ruleId)));
    // Rules still being written have a placeholder summary; every finished rule must find its pattern in the sample.
    for (const rule of RULES.filter((r) => r.meta.docs.summary !== 'TODO')) {
      expect(seen.has(rule.meta.id), `${rule.meta.id} has no finding in the sample workspace`).toBe(true);
    }
  });

  it('counts findings in the summary', () => {
    const report = parseJson(json);
    const all = report.files.flatMap((f) => f.findings);
    expect(report.summary).toMatchObject({
      problems: all.length,
      errors: all.filter((f) => f.severity === 'error').length,
      warnings: all.filter((f) => f.severity === 'warning').length,
      filesWithFindings: report.files.filter((f) => f.findings.length > 0).length,
    });
  });

  it('prints stylish output grouped by file with code frames and a summary line', () => {
    const out = stylish.stdout;
    expect(out).not.toMatch(/\u001b\[/); // stdout is a pipe: no colour
    const lines = out.split('\n');
    const header = lines.indexOf('tests/unit/cart.test.ts');
    expect(header).toBeGreaterThanOrEqual(0);
    const findingLine = lines.findIndex((l, i) => i > header && /^\s+19:6\s+error\s+Focused test `it\.only`.*focused-test$/.test(l));
    expect(findingLine).toBeGreaterThan(header);
    const frame = lines.slice(findingLine + 1, findingLine + 9).join('\n');
    expect(frame).toContain('   17 |   });');
    expect(frame).toContain("> 19 |   it.only('persists the cart', async () => {");
    expect(frame).toContain('   21 |     cart.persist();');
    // The caret line: the carets sit exactly under `only` (columns 6-9).
    const source = lines.find((l) => l.includes("> 19 |   it.only("))!;
    const caret = lines[lines.indexOf(source) + 1]!;
    expect(caret.indexOf('^^^^')).toBe(source.indexOf('only'));
    expect(caret.trim()).toMatch(/^\|\s+\^{4}$/);
    const report = parseJson(json);
    const { problems, errors, warnings, infos } = report.summary;
    expect(out).toContain(`✖ ${problems} problems (${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}${infos ? `, ${infos} info` : ''})`);
  });

  it('colours stylish output only when asked', async () => {
    const colored = await runCli(['check', path.join(SAMPLE, 'tests/unit/cart.test.ts'), '--color']);
    expect(colored.stdout).toMatch(/\u001b\[31m/);
    const forced = await runCli(['check', path.join(SAMPLE, 'tests/unit/cart.test.ts'), '--no-color'], { env: { FORCE_COLOR: '1' } });
    expect(forced.stdout).not.toMatch(/\u001b\[/);
  }, SLOW);
});

describe('flakelens check exit codes and options', () => {
  it('exits 0 on a clean directory', async () => {
    const result = await runCli(['check', 'tests/utils'], { cwd: SAMPLE });
    expect(result.stderr).toBe('');
    expect(result.stdout).toContain('No flaky-test risks found in 2 test files.');
    expect(result.code).toBe(0);
  }, SLOW);

  it('checks the current directory by default', async () => {
    const result = await runCli(['check', '--format', 'json'], { cwd: path.join(SAMPLE, 'tests/unit') });
    const report = parseJson(result);
    expect(report.root).toBe(SAMPLE);
    expect(report.files.map((f) => f.path)).toEqual(['tests/unit/cart.test.ts', 'tests/unit/pricing.test.ts']);
  }, SLOW);

  it('layers --rule over the config file', async () => {
    const file = path.join(SAMPLE, 'tests/unit/cart.test.ts');
    const [warning, off] = await Promise.all([
      runCli(['check', file, '--format', 'json', '--rule', 'focused-test=warning']),
      runCli(['check', file, '--format', 'json', '--rule', 'focused-test=off', '--rule', 'fixed-sleep=off']),
    ]);
    expect(findingsOf(parseJson(warning), 'focused-test').map((f) => f.severity)).toEqual(['warning']);
    const offReport = parseJson(off);
    expect(findingsOf(offReport, 'focused-test')).toEqual([]);
    expect(findingsOf(offReport, 'fixed-sleep')).toEqual([]);
  }, SLOW);

  it('reports errors only with --quiet', async () => {
    const result = await runCli(['check', 'tests/unit', 'tests/e2e', '--format', 'json', '--quiet'], { cwd: SAMPLE });
    const report = parseJson(result);
    const severities = new Set(report.files.flatMap((f) => f.findings.map((x) => x.severity)));
    expect([...severities]).toEqual(['error']);
    expect(report.summary.warnings).toBe(0);
    expect(result.code).toBe(1);
  }, SLOW);

  it('writes the report to --output and nothing to stdout', async () => {
    const scratch = scratchWorkspace('output', {});
    try {
      const target = path.join(scratch.dir, 'reports/flakelens.json');
      const result = await runCli(['check', path.join(SAMPLE, 'tests/unit'), '--format', 'json', '--output', target]);
      expect(result.stdout).toBe('');
      expect(result.code).toBe(1);
      const report = JSON.parse(fs.readFileSync(target, 'utf8')) as JsonReport;
      expect(findingsOf(report, 'focused-test')).toHaveLength(1);
    } finally {
      scratch.remove();
    }
  }, SLOW);

  describe('severity thresholds', () => {
    const focusedOnly = `import { it } from 'vitest';\n\nit.only('adds', () => {\n  const sum = 1 + 1;\n  if (sum !== 2) throw new Error('math');\n});\n`;
    let scratch: ReturnType<typeof scratchWorkspace>;
    beforeAll(() => {
      scratch = scratchWorkspace('thresholds', { 'math.test.ts': focusedOnly });
    });
    afterAll(() => scratch.remove());

    it('exits 1 for errors and for warnings, 0 under --max-warnings and for info', async () => {
      const [error, warning, allowed, over, info, quiet] = await Promise.all([
        runCli(['check', scratch.dir]),
        runCli(['check', scratch.dir, '--rule', 'focused-test=warning']),
        runCli(['check', scratch.dir, '--rule', 'focused-test=warning', '--max-warnings', '1']),
        runCli(['check', scratch.dir, '--rule', 'focused-test=warning', '--max-warnings', '0']),
        runCli(['check', scratch.dir, '--rule', 'focused-test=info', '--format', 'json']),
        runCli(['check', scratch.dir, '--rule', 'focused-test=warning', '--quiet']),
      ]);
      expect(error.code).toBe(1);
      expect(warning.code).toBe(1);
      expect(allowed.code).toBe(0);
      expect(allowed.stdout).toContain('1 problem (0 errors, 1 warning)');
      expect(over.code).toBe(1);
      expect(over.stderr).toContain('too many warnings (1, maximum 0)');
      expect(info.code).toBe(0);
      expect(findingsOf(parseJson(info), 'focused-test').map((f) => f.severity)).toEqual(['info']);
      expect(quiet.code).toBe(0);
    }, SLOW);

    it('takes a negative number as an option value: --max-warnings -1 never fails on warnings', async () => {
      const [never, joined] = await Promise.all([
        runCli(['check', scratch.dir, '--rule', 'focused-test=warning', '--max-warnings', '-1']),
        runCli(['check', scratch.dir, '--rule', 'focused-test=warning', '--max-warnings=-1']),
      ]);
      for (const result of [never, joined]) {
        expect(result.stderr).toBe('');
        expect(result.code).toBe(0);
        expect(result.stdout).toContain('1 problem (0 errors, 1 warning)');
      }
      const below = await runCli(['check', scratch.dir, '--max-warnings', '-2']);
      expect(below.code).toBe(2);
      expect(below.stderr).toContain('--max-warnings must be an integer >= -1, got "-2"');
    }, SLOW);

    it('reads severities from the workspace config file', async () => {
      fs.writeFileSync(path.join(scratch.dir, 'flakelens.config.json'), '{ "rules": { "focused-test": "hint" } }');
      try {
        const result = await runCli(['check', scratch.dir, '--format', 'json']);
        expect(result.code).toBe(0);
        expect(findingsOf(parseJson(result), 'focused-test').map((f) => f.severity)).toEqual(['hint']);
      } finally {
        fs.rmSync(path.join(scratch.dir, 'flakelens.config.json'));
      }
    }, SLOW);
  });

  describe('usage and config errors exit 2', () => {
    it.each([
      [['check', '--bogus'], /Unknown option '--bogus'/],
      [['check', '--format', 'xml'], /unknown format "xml"/],
      [['check', '--rule', 'no-such-rule=error'], /unknown rule "no-such-rule"/],
      [['check', '--rule', 'focused-test=loud'], /severity must be one of/],
      [['check', '--rule', 'focused-test'], /--rule expects id=severity/],
      [['check', '--max-warnings', 'many'], /--max-warnings must be an integer/],
      [['check', 'no/such/dir'], /no such file or directory: no\/such\/dir/],
      [['lint'], /unknown command "lint"/],
      [[], /missing command/],
    ])('%j', { timeout: SLOW }, async (args, message) => {
      const result = await runCli(args as string[], { cwd: SAMPLE });
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(message);
      expect(result.stderr).toContain("Run 'flakelens --help' for usage.");
      expect(result.stdout).toBe('');
    });

    it('prints every config problem, naming the key, and analyses nothing', async () => {
      const scratch = scratchWorkspace('bad-config', {
        'flakelens.config.json': JSON.stringify({ rules: { 'no-such-rule': 'error', 'focused-test': 'loud' }, testFiles: 3, colour: true }),
        'a.test.ts': `import { it } from 'vitest';\nit.only('x', () => {});\n`,
      });
      try {
        const result = await runCli(['check', scratch.dir, '--format', 'json']);
        expect(result.code).toBe(2);
        expect(result.stdout).toBe('');
        const problems = result.stderr.split('\n').filter((l) => l.startsWith('flakelens: config error:'));
        expect(problems).toHaveLength(4);
        for (const key of ['"rules.no-such-rule"', '"rules.focused-test"', '"testFiles"', '"colour"']) {
          expect(problems.some((p) => p.includes(key) && p.includes('flakelens.config.json')), key).toBe(true);
        }
        expect(result.stderr).toContain('nothing was analysed');
      } finally {
        scratch.remove();
      }
    }, SLOW);

    it('treats an unparsable config file as a config error', async () => {
      const scratch = scratchWorkspace('broken-config', { 'flakelens.config.json': '{ "rules": { "focused-test": ', 'a.test.ts': 'export {};\n' });
      try {
        const result = await runCli(['check', scratch.dir]);
        expect(result.code).toBe(2);
        expect(result.stderr).toMatch(/config error: .*flakelens\.config\.json: invalid JSON at line 1/);
      } finally {
        scratch.remove();
      }
    }, SLOW);
  });

  it('puts notes for a syntax error and a binary file on stderr and keeps going', async () => {
    const scratch = scratchWorkspace('notes', {
      'broken.test.ts': `import { it } from 'vitest';\n\nit.only('x', () => {\n  const a = ;\n});\n`,
      'blob.test.ts': Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0x00, 0x01, 0x02]),
      'fine.test.ts': `import { it, expect } from 'vitest';\nit('x', () => {\n  expect(1).toBe(1);\n});\n`,
    });
    try {
      const result = await runCli(['check', scratch.dir, '--format', 'json']);
      expect(result.stderr).not.toContain('internal error');
      const notes = result.stderr.split('\n').filter((l) => l.startsWith('flakelens: note:'));
      expect(notes.some((n) => n.includes('broken.test.ts: 1 syntax error(s), first at line 4'))).toBe(true);
      expect(notes.some((n) => n.includes('blob.test.ts: file looks binary'))).toBe(true);
      const report = parseJson(result);
      expect(report.files.map((f) => f.path)).toEqual(['blob.test.ts', 'broken.test.ts', 'fine.test.ts']);
      // Partial results: the focus in the broken file is still found.
      expect(findingsOf(report, 'focused-test').map((f) => `${f.path}:${f.range.start.line}`)).toEqual(['broken.test.ts:3']);
      expect(report.files.find((f) => f.path === 'blob.test.ts')!.notes).toEqual(['file looks binary (contains NUL bytes); skipped']);
      expect(result.code).toBe(1);
    } finally {
      scratch.remove();
    }
  }, SLOW);

  it.runIf(fs.existsSync('/dev/full'))('exits 2 with one line when stdout cannot be written (> /dev/full)', async () => {
    const full = fs.openSync('/dev/full', 'w');
    try {
      const result = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
        const child = spawn(process.execPath, [CLI, 'check', SAMPLE], { stdio: ['ignore', full, 'pipe'] });
        let stderr = '';
        child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
        child.on('close', (code) => resolve({ code, stderr }));
      });
      expect(result.code).toBe(2);
      expect(result.stderr.trim().split('\n')).toEqual(['flakelens: cannot write to stdout: ENOSPC: no space left on device, write']);
    } finally {
      fs.closeSync(full);
    }
  }, SLOW);

  it('counts lines as editors do: U+2028/U+2029 inside a line are not line breaks', async () => {
    const scratch = scratchWorkspace('separators', { 'sep.test.ts': `import { it } from 'vitest';\n// a comment\u2028with a separator\nconst s = 'a\u2029b';\nit.only('x', () => {\n  void s;\n});\n` });
    try {
      const [json, stylish] = await Promise.all([runCli(['check', scratch.dir, '--format', 'json']), runCli(['check', scratch.dir])]);
      expect(findingsOf(parseJson(json), 'focused-test').map((f) => `${f.range.start.line}:${f.range.start.column}`)).toEqual(['4:4']);
      expect(stylish.stdout).toContain('  4:4  error');
      expect(stylish.stdout).toContain("> 4 | it.only('x', () => {");
    } finally {
      scratch.remove();
    }
  }, SLOW);

  it('says why a test file it was given could not be read (a named pipe is not opened)', async () => {
    const scratch = scratchWorkspace('unreadable', { 'fine.test.ts': `import { it } from 'vitest';\nit.only('x', () => {});\n` });
    const fifo = path.join(scratch.dir, 'pipe.test.ts');
    try {
      execFileSync('mkfifo', [fifo]);
      const result = await runCli(['check', scratch.dir, fifo, '--format', 'json']);
      const notes = result.stderr.split('\n').filter((l) => l.startsWith('flakelens: note:'));
      expect(notes).toContain('flakelens: note: pipe.test.ts: not a regular file (a named pipe); skipped');
      expect(findingsOf(parseJson(result), 'focused-test').map((f) => f.path)).toEqual(['fine.test.ts']);
    } finally {
      scratch.remove();
    }
  }, SLOW);
});

describe('flakelens rules, --help and --version', () => {
  it('lists every rule in a table', async () => {
    const result = await runCli(['rules']);
    expect(result.code).toBe(0);
    for (const { meta } of RULES) {
      expect(result.stdout).toMatch(new RegExp(`^${meta.id}\\s+${meta.category}\\s+${meta.defaultSeverity}\\s+\\S+/docs/rules/${meta.id}\\.md$`, 'm'));
    }
  }, SLOW);

  it('lists every rule as JSON', async () => {
    const result = await runCli(['rules', '--format', 'json']);
    const rules = JSON.parse(result.stdout) as Array<Record<string, unknown>>;
    expect(rules.map((r) => r.id)).toEqual(RULES.map((r) => r.meta.id));
    expect(rules[0]).toEqual(expect.objectContaining({ category: RULES[0]!.meta.category, defaultSeverity: RULES[0]!.meta.defaultSeverity, requiresTypes: RULES[0]!.meta.requiresTypes }));
    expect(rules[0]!.docsUrl).toMatch(/docs\/rules\/.+\.md$/);
  }, SLOW);

  it('rejects a check-only format for rules', async () => {
    const result = await runCli(['rules', '--format', 'sarif']);
    expect(result.code).toBe(2);
  }, SLOW);

  it('prints help and the package version', async () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(SAMPLE, '../../../package.json'), 'utf8')) as { version: string };
    const [help, version] = await Promise.all([runCli(['--help']), runCli(['--version'])]);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('flakelens check [paths...]');
    expect(help.stdout).toContain('Exit codes:');
    expect(version.stdout.trim()).toBe(pkg.version);
  }, SLOW);
});
