import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, IN_CI, missingEditor, prepareProject, REPO_ROOT, runEditor, type Editor, type EditorDiagnostic, type EditorRun, type Project } from './harness.js';

// Real editors (Debian's Neovim 0.7 and Emacs 28 with eglot and lsp-mode) run the configs shipped in
// client-examples/ exactly as written, against flakelens installed from `npm pack` as the README says, and against a
// plain path to the bin (FLAKELENS_BIN). In CI a missing editor fails the run; elsewhere its tests are skipped.

const VERSION = (JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
const EDIT_LINE = 12; // `  it('adds up line items', () => {`
const FOCUS = { line: 18, character: 5 }; // the `only` of `it.only('persists the cart'` in the sample file

interface CliFinding {
  ruleId: string;
  severity: string;
  range: { start: { line: number; column: number }; end: { line: number; column: number } };
}

const LSP_SEVERITY: Record<string, number> = { error: 1, warning: 2, info: 3, hint: 4 };

/** What an editor shows, reduced to what must match the CLI: rule, severity, zero-based range. */
function shape(list: EditorDiagnostic[]): Array<[string, number, number, number, number, number]> {
  return list.map((d) => [d.code, d.severity, d.line, d.character, d.endLine, d.endCharacter]);
}

let project: Project | undefined;
let expected: Array<[string, number, number, number, number, number]> = [];
let original = '';
const measured: string[] = [];

beforeAll(async () => {
  project = await prepareProject();
  original = fs.readFileSync(project.file, 'utf8');
  // The CLI of the installed package on the same file is the reference for positions (1-based there).
  const check = spawnSync('npx', ['--no-install', 'flakelens', 'check', 'tests/unit/cart.test.ts', '--format', 'json'], { cwd: project.root, encoding: 'utf8' });
  if (check.status !== 1) throw new Error(`flakelens check exited ${check.status}: ${check.stderr}`); // 1: findings
  const json = check.stdout;
  const findings = (JSON.parse(json) as { files: Array<{ findings: CliFinding[] }> }).files.flatMap((f) => f.findings);
  expected = findings.map((f) => [f.ruleId, LSP_SEVERITY[f.severity]!, f.range.start.line - 1, f.range.start.column - 1, f.range.end.line - 1, f.range.end.column - 1]);
}, 240_000);

afterAll(() => {
  project?.remove();
  if (measured.length > 0) console.log(`editor runs:\n${measured.join('\n')}`);
});

describe('install from a clone, as the README says', () => {
  it('npm pack + npm install --save-dev ./flakelens-<version>.tgz gives a working `npx --no-install flakelens`', () => {
    expect(path.basename(project!.tarball)).toBe(`flakelens-${VERSION}.tgz`);
    const version = execFileSync('npx', ['--no-install', 'flakelens', '--version'], { cwd: project!.root, encoding: 'utf8' });
    expect(version.trim()).toBe(VERSION);
    // The installed bin is the packed one, not this checkout.
    const bin = fs.realpathSync(path.join(project!.root, 'node_modules/.bin/flakelens'));
    expect(bin).toBe(path.join(fs.realpathSync(project!.root), 'node_modules/flakelens/server/dist/bin/cli.js'));
    // The docs pages ship with the package (diagnostics link to them).
    expect(fs.existsSync(path.join(project!.root, 'node_modules/flakelens/docs/rules/focused-test.md'))).toBe(true);
    expect(expected.map((e) => e[0])).toEqual(['focused-test', 'floating-promise', 'async-assertion']);
  });

  it('`npx --no flakelens --stdio` (the old examples) does not start the server: npm eats --stdio', () => {
    // Documents why the examples use --no-install: with current npm this prints npm's own version.
    const out = execFileSync('npx', ['--no', 'flakelens', '--version'], { cwd: project!.root, encoding: 'utf8' }).trim();
    expect(out).not.toBe(VERSION);
  });
});

const EDITORS: Array<{ editor: Editor; server: 'installed' | 'path' }> = [
  { editor: 'nvim', server: 'installed' },
  { editor: 'nvim', server: 'path' },
  { editor: 'eglot', server: 'installed' },
  { editor: 'eglot', server: 'path' },
  { editor: 'lsp-mode', server: 'installed' },
  { editor: 'lsp-mode', server: 'path' },
];

describe.each(EDITORS)('$editor with the shipped config, server: $server', ({ editor, server }) => {
  const missing = missingEditor(editor);
  // Outside CI a missing editor is skipped; in CI the test runs and fails on it.
  const test = missing && !IN_CI ? it.skip : it;

  // The whole scenario with the installed package; with FLAKELENS_BIN only the start (all that differs).
  const full = server === 'installed';
  const title = full ? 'diagnostics at the CLI positions, a new one after an edit, the quick fix applied, hover' : 'starts the server from the bin path and shows the diagnostics at the CLI positions';
  test(title, async () => {
    if (missing) throw new Error(`${missing}: CI must run the real-editor tests (.ci/run installs the editors)`);
    const run: EditorRun = await runEditor(editor, project!, { editLine: EDIT_LINE, hoverLine: FOCUS.line, hoverCharacter: FOCUS.character + 1, server, steps: full ? 'all' : 'startup' });
    measured.push(`  ${editor} (${server}): ${run.editor}; first diagnostics ${Math.round(run.firstDiagnosticsMs)} ms${full ? `, edit->diagnostic ${Math.round(run.editLatencyMs)} ms` : ''}, whole run ${run.wallMs} ms`);
    expect(run.error, JSON.stringify(run, null, 1).slice(0, 8000)).toBeUndefined();
    if (editor !== 'nvim') expect(run.mode).toMatch(/typescript/); // Emacs 28: the example's flakelens-typescript-mode

    // 1. Diagnostics where the CLI puts them, with the rule as code and a docs link.
    expect(shape(run.initial)).toEqual(expected);
    // Docs links: the pages installed with the server that runs (the packed package, or the clone FLAKELENS_BIN names).
    const docsRoot = server === 'installed' ? path.join(fs.realpathSync(project!.root), 'node_modules/flakelens') : REPO_ROOT;
    for (const d of run.initial) expect(d.href).toBe(pathToFileURL(path.join(docsRoot, 'docs/rules', `${d.code}.md`)).href);
    if (!full) return;

    // 2. Typing `.only` on another test adds a focused-test diagnostic under the new `only`.
    const focusedHere: [string, number, number, number, number, number] = ['focused-test', 1, EDIT_LINE, 5, EDIT_LINE, 9];
    expect(shape(run.afterEdit)).toEqual([focusedHere, ...expected]);

    // 3. The quick fix (offered first) removes exactly that `.only`, and the diagnostic goes.
    expect(run.offered[0]).toBe('Remove .only');
    expect(run.fixedLine).toBe("  it('adds up line items', () => {");
    expect(run.text).toBe(original);
    expect(shape(run.afterFix)).toEqual(expected);

    // 4. Hover over the original `.only` explains the rule.
    expect(run.hover).toContain('focused-test');
    expect(run.hover).toMatch(/Why it makes tests flaky/);
    expect(run.hover).toContain('To run one test locally, use the runner'); // from docs/rules/focused-test.md
  }, 180_000);
});

describe('the editors are checked in CI', () => {
  it.runIf(IN_CI)('every editor the suite drives is installed', () => {
    for (const editor of ['nvim', 'eglot', 'lsp-mode'] as const) expect(missingEditor(editor)).toBeUndefined();
    expect(fs.existsSync(CLI)).toBe(true);
  });
});
