import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { Rule } from '../../server/src/engine/types.js';
import { findRule } from '../../server/src/rules/index.js';
import { TsconfigIndex } from '../../server/src/workspace/tsconfigs.js';
import { Workspace } from '../../server/src/workspace/workspace.js';

const FIXTURES = path.resolve(__dirname, '../fixtures');
const created: string[] = [];

/** A scratch workspace; `typed` ones live under test/fixtures/.tmp so node resolution finds the root node_modules. */
function scratch(files: Record<string, string | Buffer>, typed = false): string {
  const parent = typed ? path.join(FIXTURES, '.tmp') : os.tmpdir();
  fs.mkdirSync(parent, { recursive: true });
  const root = fs.mkdtempSync(path.join(parent, typed ? 'ws-' : 'flakelens-ws-'));
  created.push(root);
  for (const [name, content] of Object.entries(files)) write(root, name, content);
  return root;
}

function write(root: string, name: string, content: string | Buffer): string {
  const file = path.join(root, name);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, content);
  return file;
}

afterAll(() => {
  for (const dir of created) fs.rmSync(dir, { recursive: true, force: true });
});

const json = (value: unknown) => JSON.stringify(value, null, 2);
const focusedTest = findRule('focused-test')!;
const floatingPromise = findRule('floating-promise')!;

/** A rule that reports the tsconfig of the program analysing the file (`<inferred>` when none). */
const projectProbe: Rule = {
  meta: {
    id: 'project-probe',
    category: 'isolation',
    defaultSeverity: 'info',
    requiresTypes: false,
    docs: { summary: 'probe', why: 'probe', badExample: '', goodExample: '' },
  },
  check({ program, report }) {
    const configFile = program.getCompilerOptions().configFilePath;
    report({ start: 0, end: 0, message: typeof configFile === 'string' ? path.basename(configFile) : '<inferred>' });
  },
};

function projectOf(workspace: Workspace, file: string): string | undefined {
  return workspace.analyzeFile(file).findings.find((f) => f.ruleId === 'project-probe')?.message;
}

describe('buffers', () => {
  it('a buffer holding half of a surrogate pair is analysed as the file it would save as (U+FFFD, same offsets)', () => {
    const root = scratch({ 'tsconfig.json': json({}), 'a.test.ts': '' });
    const workspace = new Workspace({ root, rules: [] });
    try {
      const broken = "const s = '\ud83d';\n";
      workspace.setBuffer(path.join(root, 'a.test.ts'), broken);
      fs.writeFileSync(path.join(root, 'saved.ts'), broken);
      const saved = fs.readFileSync(path.join(root, 'saved.ts'), 'utf8');
      expect(workspace.readText(path.join(root, 'a.test.ts'))).toBe(saved);
      expect(saved).toHaveLength(broken.length);
    } finally {
      workspace.dispose();
    }
  });
});

describe('tsconfig ownership', () => {
  const ownerName = (root: string, file: string) => {
    const owner = new TsconfigIndex(root).ownerOf(path.join(root, file));
    return owner ? path.relative(root, owner.path) : undefined;
  };

  it('the nearest tsconfig that includes the file', () => {
    const root = scratch({ 'tsconfig.json': json({}), 'pkg/tsconfig.json': json({}), 'pkg/a.test.ts': '', 'b.test.ts': '' });
    expect(ownerName(root, 'pkg/a.test.ts')).toBe(path.join('pkg', 'tsconfig.json'));
    expect(ownerName(root, 'b.test.ts')).toBe('tsconfig.json');
  });

  it('include and exclude', () => {
    const root = scratch({ 'tsconfig.json': json({ include: ['src'], exclude: ['src/legacy'] }) });
    expect(ownerName(root, 'src/a.test.ts')).toBe('tsconfig.json');
    expect(ownerName(root, 'src/deep/er/a.test.tsx')).toBe('tsconfig.json');
    expect(ownerName(root, 'src/legacy/b.test.ts')).toBeUndefined();
    expect(ownerName(root, 'test/c.test.ts')).toBeUndefined();
    expect(ownerName(root, 'src/a.test.js')).toBeUndefined(); // no allowJs
  });

  it('include with wildcards and an explicit files list', () => {
    const root = scratch({ 'tsconfig.json': json({ files: ['setup.ts'], include: ['test/**/*.spec.ts'] }) });
    expect(ownerName(root, 'setup.ts')).toBe('tsconfig.json');
    expect(ownerName(root, 'test/x/a.spec.ts')).toBe('tsconfig.json');
    expect(ownerName(root, 'test/x/a.test.ts')).toBeUndefined();
  });

  it('files alone owns only those files', () => {
    const root = scratch({ 'tsconfig.json': json({ files: ['only.test.ts'] }) });
    expect(ownerName(root, 'only.test.ts')).toBe('tsconfig.json');
    expect(ownerName(root, 'other.test.ts')).toBeUndefined();
  });

  it('extends: include inherited from the base, relative to the base', () => {
    const root = scratch({
      'config/base.json': json({ compilerOptions: { allowJs: true }, include: ['../src'] }),
      'tsconfig.json': json({ extends: './config/base.json' }),
    });
    expect(ownerName(root, 'src/a.test.ts')).toBe('tsconfig.json');
    expect(ownerName(root, 'src/a.test.js')).toBe('tsconfig.json'); // allowJs inherited
    expect(ownerName(root, 'other/a.test.ts')).toBeUndefined();
  });

  it('extends without extension, and an own include replacing the base one', () => {
    const root = scratch({
      'tsconfig.base.json': json({ include: ['src'] }),
      'tsconfig.json': json({ extends: './tsconfig.base', include: ['test'] }),
    });
    expect(ownerName(root, 'test/a.test.ts')).toBe('tsconfig.json');
    // src/ is not in tsconfig.json, but the sibling tsconfig.base.json includes it
    expect(ownerName(root, 'src/a.test.ts')).toBe('tsconfig.base.json');
  });

  it('a root tsconfig.json that includes the file wins over an unreferenced sibling config nearer to it', () => {
    // A monorepo package with its own tsconfig.base.json (no include: everything below it) and the root
    // tsconfig.json including the packages' tests: tsserver gives the tests to the root config.
    const root = scratch({
      'tsconfig.json': json({ include: ['packages/*/test'] }),
      'packages/a/tsconfig.base.json': json({}),
      'packages/a/test/x.test.ts': '',
      'packages/a/src/y.ts': '',
    });
    expect(ownerName(root, 'packages/a/test/x.test.ts')).toBe('tsconfig.json');
    // No tsconfig.json owns src/: the sibling is the fallback (tsserver would infer a project there).
    expect(ownerName(root, 'packages/a/src/y.ts')).toBe(path.join('packages', 'a', 'tsconfig.base.json'));
  });

  it('solution-style tsconfig: the referenced project that includes the file', () => {
    const root = scratch({
      'tsconfig.json': json({ files: [], references: [{ path: './tsconfig.app.json' }, { path: './tsconfig.spec.json' }] }),
      'tsconfig.app.json': json({ include: ['src/**/*.ts'], exclude: ['src/**/*.spec.ts'] }),
      'tsconfig.spec.json': json({ include: ['src/**/*.spec.ts'] }),
    });
    expect(ownerName(root, 'src/app/x.spec.ts')).toBe('tsconfig.spec.json');
    expect(ownerName(root, 'src/main.ts')).toBe('tsconfig.app.json');
  });

  it('references to a directory mean its tsconfig.json', () => {
    const root = scratch({
      'tsconfig.json': json({ files: [], references: [{ path: './packages/a' }] }),
      'packages/a/tsconfig.json': json({ include: ['../../e2e'] }),
    });
    expect(ownerName(root, 'e2e/a.test.ts')).toBe(path.join('packages', 'a', 'tsconfig.json'));
  });

  it('a sibling tsconfig.test.json as a fallback', () => {
    const root = scratch({ 'tsconfig.json': json({ include: ['src'] }), 'tsconfig.test.json': json({ include: ['test'] }) });
    expect(ownerName(root, 'src/a.ts')).toBe('tsconfig.json');
    expect(ownerName(root, 'test/a.test.ts')).toBe('tsconfig.test.json');
  });

  it('files outside the workspace folder have no owner, even in a folder sharing its name prefix', () => {
    const root = scratch({ 'ws/a.test.ts': '', 'ws2/tsconfig.json': json({}), 'ws2/b.test.ts': '', 'tsconfig.json': json({}) });
    const index = new TsconfigIndex(path.join(root, 'ws'));
    expect(index.ownerOf(path.join(root, 'ws2/b.test.ts'))).toBeUndefined();
    expect(index.ownerOf(path.join(root, 'ws/a.test.ts'))).toBeUndefined(); // the parent's tsconfig is outside the workspace
  });

  it('node_modules is excluded by default, outDir too', () => {
    const root = scratch({ 'tsconfig.json': json({ compilerOptions: { outDir: 'lib' } }) });
    expect(ownerName(root, 'node_modules/x/a.test.ts')).toBeUndefined();
    expect(ownerName(root, 'lib/a.test.ts')).toBeUndefined();
    expect(ownerName(root, 'src/a.test.ts')).toBe('tsconfig.json');
  });

  it('a broken tsconfig still owns its directory, marked unreadable with the line of the error', () => {
    const root = scratch({ 'tsconfig.json': '{\n  "compilerOptions": { "strict": true },\n  "include": [\n' });
    const owner = new TsconfigIndex(root).ownerOf(path.join(root, 'a.test.ts'));
    expect(owner?.unreadable).toBe(true);
    expect(owner?.problems).toEqual([expect.stringMatching(/tsconfig\.json: cannot be read \(invalid JSON at line \d+: .*\); its files are analysed with inferred settings/)]);
  });

  it('a valid tsconfig with an unknown compiler option is usable and reports the option', () => {
    const root = scratch({ 'tsconfig.json': json({ compilerOptions: { strictest: true } }) });
    const owner = new TsconfigIndex(root).ownerOf(path.join(root, 'a.test.ts'));
    expect(owner?.unreadable).toBe(false);
    expect(owner?.problems.join('\n')).toContain('strictest');
  });
});

describe('Workspace projects', () => {
  it('a JS file in a TS project without allowJs goes to the inferred project; with allowJs to the tsconfig', () => {
    const root = scratch({
      'tsconfig.json': json({ compilerOptions: { strict: true } }),
      'a.test.ts': 'export {};\n',
      'b.test.js': 'it("b", () => {});\n',
      'js/tsconfig.json': json({ compilerOptions: { allowJs: true } }),
      'js/c.test.js': 'it("c", () => {});\n',
    });
    const workspace = new Workspace({ root, rules: [projectProbe] });
    try {
      expect(projectOf(workspace, path.join(root, 'a.test.ts'))).toBe('tsconfig.json');
      expect(projectOf(workspace, path.join(root, 'b.test.js'))).toBe('<inferred>');
      expect(projectOf(workspace, path.join(root, 'js/c.test.js'))).toBe('tsconfig.json');
    } finally {
      workspace.dispose();
    }
  });

  it('a file no tsconfig owns goes to the inferred project', () => {
    const root = scratch({ 'tsconfig.json': json({ include: ['src'] }), 'e2e/a.test.ts': 'export {};\n' });
    const workspace = new Workspace({ root, rules: [projectProbe] });
    try {
      expect(projectOf(workspace, path.join(root, 'e2e/a.test.ts'))).toBe('<inferred>');
    } finally {
      workspace.dispose();
    }
  });

  it('a broken tsconfig: reported, and its files are analysed with inferred settings', () => {
    const root = scratch({ 'tsconfig.json': '{ "compilerOptions": { "strict": tru } ', 'a.test.ts': `it.only('a', () => {});\n` });
    const workspace = new Workspace({ root, rules: [projectProbe, focusedTest] });
    try {
      const result = workspace.analyzeFile(path.join(root, 'a.test.ts'));
      expect(result.skipped).toBeFalsy();
      expect(result.findings.map((f) => f.ruleId)).toEqual(['project-probe', 'focused-test']);
      expect(result.findings[0]!.message).toBe('<inferred>');
      expect(result.notes.join('\n')).toMatch(/tsconfig\.json.*inferred/);
      expect(workspace.problems.map((p) => p.source)).toContain(path.join(root, 'tsconfig.json'));
    } finally {
      workspace.dispose();
    }
  });
});

  it('global declaration files the tsconfig includes are part of the program', () => {
    const root = scratch({
      'tsconfig.json': json({ compilerOptions: { strict: true, types: [] }, include: ['src'] }),
      'src/env.d.ts': 'declare function resetDatabase(): Promise<void>;\n',
      // A real test: floating-promise stays silent in files that register no test, suite or hook.
      'src/a.test.ts': "import { it } from 'vitest';\nit('resets', async () => {\n  resetDatabase();\n});\n",
    }, true);
    const workspace = new Workspace({ root, rules: [floatingPromise] });
    try {
      const result = workspace.analyzeFile(path.join(root, 'src/a.test.ts'));
      expect(result.findings.map((f) => `${f.ruleId}:${f.range.start.line + 1}`)).toEqual(['floating-promise:3']);
    } finally {
      workspace.dispose();
    }
  });

describe('compiler settings for test files (typed)', () => {
  const frameworkProbe: Rule = {
    meta: { ...projectProbe.meta, id: 'framework-probe' },
    check({ model, report }) {
      report({ start: 0, end: 0, message: model.blocks.map((b) => `${b.kind}:${b.framework}`).join(',') || 'none' });
    },
  };
  const probe = (workspace: Workspace, file: string) =>
    workspace.analyzeFile(file).findings.filter((f) => f.ruleId === 'framework-probe').map((f) => f.message);

  it('a tsconfig without `types` still sees @types globals (TypeScript 6 defaults types to [])', () => {
    const root = scratch({
      'tsconfig.json': json({ compilerOptions: { strict: true, noEmit: true } }),
      'a.test.ts': `describe('s', () => { it('t', () => {}); });\nexport {};\n`,
    }, true);
    const workspace = new Workspace({ root, rules: [frameworkProbe] });
    try {
      expect(probe(workspace, path.join(root, 'a.test.ts'))).toEqual(['suite:mocha,test:mocha']);
    } finally {
      workspace.dispose();
    }
  });

  it('an explicit `types` list is respected', () => {
    const root = scratch({
      'tsconfig.json': json({ compilerOptions: { strict: true, noEmit: true, types: ['node'] } }),
      'a.test.ts': `describe('s', () => { it('t', () => {}); });\nexport {};\n`,
    }, true);
    const workspace = new Workspace({ root, rules: [frameworkProbe] });
    try {
      // Mocha's typings are not loaded, so the globals fall back to their names.
      expect(probe(workspace, path.join(root, 'a.test.ts'))).toEqual(['suite:unknown,test:unknown']);
    } finally {
      workspace.dispose();
    }
  });

  it('a test file the tsconfig excludes borrows its compiler options (paths aliases resolve)', () => {
    const root = scratch({
      'tsconfig.json': json({
        compilerOptions: { strict: true, noEmit: true, baseUrl: '.', paths: { '@helpers/*': ['src/helpers/*'] }, module: 'ESNext', moduleResolution: 'Bundler' },
        exclude: ['**/*.test.ts'],
      }),
      'src/helpers/db.ts': 'export async function save(): Promise<void> {}\n',
      'src/db.test.ts': `import { it } from 'vitest';\nimport { save } from '@helpers/db';\nit('saves', async () => {\n  save();\n});\n`,
    }, true);
    const workspace = new Workspace({ root, rules: [projectProbe, floatingPromise] });
    try {
      const findings = workspace.analyzeFile(path.join(root, 'src/db.test.ts')).findings;
      expect(findings.map((f) => f.ruleId === 'project-probe' ? f.message : `${f.ruleId}:${f.range.start.line + 1}`)).toEqual(['<inferred>', 'floating-promise:4']);
    } finally {
      workspace.dispose();
    }
  });
});

describe('test files and robustness', () => {
  it('default test-file globs, always-ignored directories and ignore globs (build output only through .gitignore)', () => {
    const root = scratch({
      'src/a.test.ts': '', 'src/b.spec.js': '', 'src/c.ts': '', 'src/__tests__/d.ts': '', 'test/e.mjs': '', 'tests/f.cts': '',
      'node_modules/x/g.test.ts': '', 'dist/h.test.js': '', 'legacy/i.test.ts': '', 'src/j.test.d.ts': '', 'src/k.test.json': '',
      // Type tests (vitest typecheck, tsd): only type-checked, never run.
      'src/__tests__/l.test-d.tsx': '', 'test/types/m.test-d.ts': '', 'src/n.spec-d.mts': '',
    });
    const workspace = new Workspace({ root, rules: [], layers: [{ source: 'test', value: { ignore: ['legacy/**'] } }] });
    const rel = (files: string[]) => files.map((f) => path.relative(root, f).replace(/\\/g, '/'));
    expect(rel(workspace.listTestFiles())).toEqual(['dist/h.test.js', 'src/__tests__/d.ts', 'src/a.test.ts', 'src/b.spec.js', 'test/e.mjs', 'tests/f.cts']);
    expect(workspace.isTestFile(path.join(root, 'src/c.ts'))).toBe(false);
    expect(workspace.isTestFile(path.join(root, 'legacy/i.test.ts'))).toBe(false);
    expect(workspace.isTestFile(path.join(root, 'src/__tests__/l.test-d.tsx'))).toBe(false);
    // Explicit file paths are taken as given
    expect(rel(workspace.listTestFiles([path.join(root, 'src/c.ts')]))).toEqual(['src/c.ts']);
  });

  it('custom testFiles replace the defaults', () => {
    const root = scratch({ 'e2e/login.e2e.ts': '', 'src/a.test.ts': '' });
    const workspace = new Workspace({ root, rules: [], layers: [{ source: 'test', value: { testFiles: ['e2e/**/*.e2e.ts'] } }] });
    expect(workspace.listTestFiles().map((f) => path.relative(root, f))).toEqual([path.join('e2e', 'login.e2e.ts')]);
  });

  it('CRLF text keeps its offsets after a buffer change (no line-ending normalisation)', () => {
    const root = scratch({ 'a.test.ts': '' });
    const file = path.join(root, 'a.test.ts');
    const workspace = new Workspace({ root, rules: [focusedTest] });
    try {
      const text = "describe('s', () => {\r\n\r\n  it.only('x', () => {});\r\n});\r\n";
      workspace.setBuffer(file, text);
      workspace.analyzeFile(file);
      workspace.setBuffer(file, `${text}\r\n`);
      const [finding] = workspace.analyzeFile(file).findings;
      expect(text.slice(finding!.start, finding!.end)).toBe('only');
      expect(finding!.range.start).toEqual({ line: 2, character: 5 });
    } finally {
      workspace.dispose();
    }
  });

  it('a huge file is skipped with a note', () => {
    const root = scratch({ 'big.test.ts': `it.only('a', () => {});\n${'// padding\n'.repeat(200)}` });
    const workspace = new Workspace({ root, rules: [focusedTest], layers: [{ source: 'test', value: { maxFileSize: 1000 } }] });
    const result = workspace.analyzeFile(path.join(root, 'big.test.ts'));
    expect(result).toMatchObject({ skipped: true, findings: [] });
    expect(result.notes).toEqual([expect.stringMatching(/bytes, over maxFileSize \(1000\); skipped/)]);
    workspace.dispose();
  });

  it('a binary file is skipped with a note', () => {
    const root = scratch({ 'bin.test.ts': Buffer.from([0x69, 0x74, 0x00, 0x01, 0x02, 0xff]) });
    const workspace = new Workspace({ root, rules: [focusedTest] });
    const result = workspace.analyzeFile(path.join(root, 'bin.test.ts'));
    expect(result).toMatchObject({ skipped: true, findings: [] });
    expect(result.notes).toEqual([expect.stringContaining('binary')]);
    workspace.dispose();
  });

  it('a file deleted between listing and analysis gives a note, not a crash', () => {
    const root = scratch({ 'tsconfig.json': json({}), 'gone.test.ts': `it.only('a', () => {});\n`, 'kept.test.ts': `it.only('b', () => {});\n` });
    const workspace = new Workspace({ root, rules: [focusedTest] });
    const files = workspace.listTestFiles();
    expect(files).toHaveLength(2);
    // Analysed once (so it is in the project), then deleted on disk.
    expect(workspace.analyzeFile(files[0]!).findings).toHaveLength(1);
    fs.rmSync(files[0]!);
    const [gone, kept] = workspace.analyzeFiles(files);
    expect(gone).toMatchObject({ skipped: true, findings: [], notes: ['file no longer exists'] });
    expect(kept!.findings).toHaveLength(1);
    // And after the watcher reports it.
    expect(() => workspace.fileChanged(files[0]!)).not.toThrow();
    expect(workspace.analyzeFile(files[0]!).notes).toEqual(['file no longer exists']);
    workspace.dispose();
  });

  it('syntax errors: partial results with a note naming the line', () => {
    const root = scratch({ 'a.test.ts': `it.only('a', () => {});\nit('b', () => {\n  const x = ;\n});\n` });
    const workspace = new Workspace({ root, rules: [focusedTest] });
    const result = workspace.analyzeFile(path.join(root, 'a.test.ts'));
    expect(result.skipped).toBeFalsy();
    expect(result.findings.map((f) => f.range.start.line)).toEqual([0]);
    expect(result.notes).toEqual([expect.stringMatching(/syntax error\(s\), first at line 3: .*rejects line 3: findings there may be missing, the rest of the file is analysed/)]);
    workspace.dispose();
  });

  it('JavaScript Node accepts but TypeScript rejects: the note names the lines, the rest of the file is analysed', () => {
    const code = `const before = 1;\nconst make = () => ({ a: before })\n{\n  const x = 1;\n}\nit.only('after', () => {});\n`;
    const root = scratch({ 'a.test.js': code });
    const workspace = new Workspace({ root, rules: [focusedTest] });
    const result = workspace.analyzeFile(path.join(root, 'a.test.js'));
    expect(result.findings.map((f) => f.range.start.line)).toEqual([5]);
    expect(result.notes).toEqual(["1 syntax error(s), first at line 3: '=>' expected.; TypeScript's parser rejects lines 2-5: findings there may be missing, the rest of the file is analysed"]);
    workspace.dispose();
  });

  it('JavaScript Node accepts but TypeScript rejects: analysed with the semicolon Node infers, same offsets, findings inside the block kept', () => {
    // undici's test/interceptors/cache.js: `const request = cookie => ({ ... })`, a blank line, then an indented `{ block }`.
    const code = `describe('s', () => {\n  const request = cookie => ({\n    cookie\n  })\n\n  {\n    it.only('inside', () => request('a'));\n  }\n  it.only('after', () => {});\n});\n`;
    const root = scratch({ 'a.test.js': code, 'b.test.js': code.replace(/\n/g, '\r\n').replace(/\r\n  \{/, '\r\n{') });
    const workspace = new Workspace({ root, rules: [focusedTest] });
    const result = workspace.analyzeFile(path.join(root, 'a.test.js'));
    expect(result.findings.map((f) => [f.range.start.line, f.range.start.character, code.slice(f.start, f.end)])).toEqual([[6, 7, 'only'], [8, 5, 'only']]);
    expect(result.notes).toEqual(["line 4: TypeScript's parser rejects `(...)` followed by a block on a later line, which Node reads as two statements (automatic semicolon insertion); analysed with that semicolon"]);
    // CRLF with the block at column 0: the carriage return becomes the semicolon.
    const crlf = workspace.analyzeFile(path.join(root, 'b.test.js'));
    expect(crlf.findings.map((f) => f.range.start.line)).toEqual([6, 8]);
    expect(crlf.notes).toHaveLength(1);
    workspace.dispose();
  });

  it('valid UTF-8 text with NUL bytes inside a template literal is analysed, not skipped as binary', () => {
    const root = scratch({ 'nul.test.ts': `it.only('a', () => {\n  const frame = \`head\u0000\u0000tail\`;\n  void frame;\n});\n${'// padding\n'.repeat(5)}` });
    const workspace = new Workspace({ root, rules: [focusedTest] });
    const result = workspace.analyzeFile(path.join(root, 'nul.test.ts'));
    expect(result.skipped).toBeFalsy();
    expect(result.findings).toHaveLength(1);
    workspace.dispose();
  });

  it('.gitignore decides, not folder names: build/ sources are analysed; globs, negation, dir-only, nested files', () => {
    const root = scratch({
      '.gitignore': 'dist/\n*.gen.test.ts\n/out\ncache/\n!keep.gen.test.ts\n# comment\n',
      'build/a.test.ts': '', 'dist/b.test.ts': '', 'src/c.gen.test.ts': '', 'src/keep.gen.test.ts': '', 'out/d.test.ts': '',
      'src/out/e.test.ts': '', 'src/cache/f.test.ts': '', 'cache.test.ts': '',
      'pkg/.gitignore': 'fixtures/**\n!fixtures/kept.test.ts\n', 'pkg/fixtures/g.test.ts': '', 'pkg/fixtures/kept.test.ts': '', 'pkg/h.test.ts': '',
      'dist/!important.test.ts': '', 'node_modules/x/i.test.ts': '',
    });
    const workspace = new Workspace({ root, rules: [], layers: [{ source: 'test', value: { testFiles: ['**/*.test.ts'], ignore: ['pkg/h.*'] } }] });
    const rel = (files: string[]) => files.map((f) => path.relative(root, f).replace(/\\/g, '/'));
    expect(rel(workspace.listTestFiles())).toEqual([
      'build/a.test.ts', 'cache.test.ts', 'pkg/fixtures/kept.test.ts', 'src/keep.gen.test.ts', 'src/out/e.test.ts',
    ]);
    expect(workspace.isTestFile(path.join(root, 'dist/b.test.ts'))).toBe(false);
    workspace.dispose();
  });

  it('a file that is not a script is skipped with a note', () => {
    const root = scratch({ 'a.test.json': '{}' });
    const workspace = new Workspace({ root, rules: [focusedTest] });
    expect(workspace.analyzeFile(path.join(root, 'a.test.json'))).toMatchObject({ skipped: true, notes: [expect.stringContaining('not a JavaScript or TypeScript file')] });
    workspace.dispose();
  });

  it('a rule that throws becomes a note; the other rules still report', () => {
    const root = scratch({ 'a.test.ts': `it.only('a', () => {});\n` });
    const broken: Rule = { meta: { ...projectProbe.meta, id: 'broken' }, check: () => { throw new Error('boom'); } };
    const workspace = new Workspace({ root, rules: [broken, focusedTest] });
    const result = workspace.analyzeFile(path.join(root, 'a.test.ts'));
    expect(result.findings.map((f) => f.ruleId)).toEqual(['focused-test']);
    expect(result.notes).toEqual(['rule broken failed on this file: boom']);
    workspace.dispose();
  });
});

describe('dependency graph (typed)', () => {
  const workspaces: Workspace[] = [];
  afterEach(() => {
    for (const w of workspaces.splice(0)) w.dispose();
  });

  function typedWorkspace(files: Record<string, string>): { root: string; workspace: Workspace } {
    const root = scratch({
      'tsconfig.json': json({ compilerOptions: { strict: true, module: 'NodeNext', moduleResolution: 'NodeNext', target: 'ES2022', noEmit: true, skipLibCheck: true } }),
      'package.json': json({ type: 'module' }),
      ...files,
    }, true);
    const workspace = new Workspace({ root, rules: [floatingPromise, focusedTest] });
    workspaces.push(workspace);
    return { root, workspace };
  }

  const TEST = `import { it } from 'vitest';\nimport { save } from './helpers/db.js';\nit('saves', () => {\n  save();\n});\n`;

  it('editing a helper buffer affects the importing test, and re-analysis sees the new types', () => {
    const { root, workspace } = typedWorkspace({ 'helpers/db.ts': 'export function save(): void {}\n', 'save.test.ts': TEST });
    const test = path.join(root, 'save.test.ts');
    const helper = path.join(root, 'helpers/db.ts');
    expect(workspace.analyzeFile(test).findings).toEqual([]);

    workspace.setBuffer(helper, 'export async function save(): Promise<void> {}\n');
    expect(workspace.fileChanged(helper)).toEqual([test]);
    expect(workspace.affectedBy(helper)).toEqual([test]);
    const findings = workspace.analyzeFile(test).findings;
    expect(findings.map((f) => [f.ruleId, f.range.start.line + 1])).toEqual([['floating-promise', 4]]);

    // Closing the buffer goes back to the disk version.
    workspace.clearBuffer(helper);
    expect(workspace.analyzeFile(test).findings).toEqual([]);
  });

  it('a change on disk reaches the test through a chain of imports', () => {
    const { root, workspace } = typedWorkspace({
      'helpers/db.ts': "export { save } from './impl.js';\n",
      'helpers/impl.ts': 'export function save(): void {}\n',
      'save.test.ts': TEST,
      'other.test.ts': `import { it } from 'vitest';\nit('x', () => {});\n`,
    });
    const test = path.join(root, 'save.test.ts');
    const impl = path.join(root, 'helpers/impl.ts');
    expect(workspace.analyzeFile(test).findings).toEqual([]);
    workspace.analyzeFile(path.join(root, 'other.test.ts'));

    fs.writeFileSync(impl, 'export async function save(): Promise<void> {}\n');
    expect(workspace.fileChanged(impl)).toEqual([test]);
    expect(workspace.analyzeFile(test).findings.map((f) => f.ruleId)).toEqual(['floating-promise']);
  });

  it('a test file itself is affected by its own change; unrelated files affect nothing', () => {
    const { root, workspace } = typedWorkspace({ 'helpers/db.ts': 'export function save(): void {}\n', 'save.test.ts': TEST, 'notes.md': '' });
    const test = path.join(root, 'save.test.ts');
    workspace.analyzeFile(test);
    expect(workspace.fileChanged(test)).toEqual([test]);
    expect(workspace.fileChanged(path.join(root, 'notes.md'))).toEqual([]);
    expect(workspace.affectedBy(path.join(root, 'helpers/unused.ts'))).toEqual([]);
  });

  it('a tsconfig change re-analyses the known tests', () => {
    const { root, workspace } = typedWorkspace({ 'helpers/db.ts': 'export function save(): void {}\n', 'save.test.ts': TEST });
    const test = path.join(root, 'save.test.ts');
    workspace.analyzeFile(test);
    expect(workspace.fileChanged(path.join(root, 'tsconfig.json'))).toEqual([test]);
    expect(workspace.analyzeFile(test).findings).toEqual([]);
  });

  it('dependencies through dynamic import()', () => {
    const { root, workspace } = typedWorkspace({
      'helpers/lazy.ts': 'export const lazy = 1;\n',
      'dyn.test.ts': `import { it } from 'vitest';\nit('x', async () => {\n  const { lazy } = await import('./helpers/lazy.js');\n  void lazy;\n});\n`,
    });
    const test = path.join(root, 'dyn.test.ts');
    workspace.analyzeFile(test);
    expect(workspace.affectedBy(path.join(root, 'helpers/lazy.ts'))).toEqual([test]);
  });

  it('dependencies through require() in CommonJS JavaScript', () => {
    const root = scratch({
      'package.json': json({ type: 'commonjs' }),
      'helpers/db.js': 'exports.save = function save() {};\n',
      'cjs.test.js': `const { save } = require('./helpers/db.js');\nit('x', () => { save(); });\n`,
    }, true);
    const workspace = new Workspace({ root, rules: [focusedTest] });
    workspaces.push(workspace);
    const test = path.join(root, 'cjs.test.js');
    workspace.analyzeFile(test);
    expect(workspace.affectedBy(path.join(root, 'helpers/db.js'))).toEqual([test]);
  });
});

describe('incremental equals from scratch', () => {
  const asyncAssertion = findRule('async-assertion')!;
  const tsconfig = json({ compilerOptions: { target: 'ES2022', module: 'ESNext', moduleResolution: 'Bundler', strict: true, skipLibCheck: true, noEmit: true, types: ['mocha'] }, include: ['tests'] });
  const HEAD = `import { it } from 'mocha';\nimport * as chai from 'chai';\n`;
  const AUGMENTED = `${HEAD}import chaiAsPromised from 'chai-as-promised';\nchai.use(chaiAsPromised);\ndeclare function load(): Promise<number>;\nit('a', () => {\n  chai.expect(load()).to.be.rejectedWith(Error);\n});\n`;
  const PLAIN = `${HEAD}declare function load(): Promise<number>;\nit('a', () => {\n  chai.expect(load()).to.be.rejectedWith(Error);\n});\n`;
  const summary = (workspace: Workspace, file: string) => workspace.analyzeFile(file).findings.map((f) => `${f.ruleId}@${f.range.start.line}`);
  const fromScratch = (text: string) => {
    const root = scratch({ 'tsconfig.json': tsconfig, 'tests/a.test.ts': text }, true);
    const workspace = new Workspace({ root, rules: [asyncAssertion] });
    try {
      return summary(workspace, path.join(root, 'tests/a.test.ts'));
    } finally {
      workspace.dispose();
    }
  };

  it('a module the buffer stopped importing takes its type augmentations with it', () => {
    const root = scratch({ 'tsconfig.json': tsconfig, 'tests/a.test.ts': AUGMENTED }, true);
    const file = path.join(root, 'tests/a.test.ts');
    const workspace = new Workspace({ root, rules: [asyncAssertion] });
    try {
      expect(summary(workspace, file)).toEqual(['async-assertion@6']);
      workspace.setBuffer(file, PLAIN);
      expect(summary(workspace, file)).toEqual(fromScratch(PLAIN));
      expect(summary(workspace, file)).toEqual([]);
      workspace.setBuffer(file, AUGMENTED);
      expect(summary(workspace, file)).toEqual(fromScratch(AUGMENTED));
    } finally {
      workspace.dispose();
    }
  });

  it('a buffer given before the first analysis (or after the disk version was loaded) wins over disk', () => {
    for (const loadDiskFirst of [false, true]) {
      const root = scratch({ 'tsconfig.json': tsconfig, 'tests/a.test.ts': AUGMENTED }, true);
      const file = path.join(root, 'tests/a.test.ts');
      const workspace = new Workspace({ root, rules: [asyncAssertion] });
      try {
        if (loadDiskFirst) workspace.addRoots([file]);
        workspace.setBuffer(file, PLAIN);
        expect(summary(workspace, file)).toEqual(fromScratch(PLAIN));
      } finally {
        workspace.dispose();
      }
    }
  });
});

describe('unreadable paths', () => {
  it('names a directory it cannot read (and keeps the tests it can)', () => {
    const root = scratch({ 'tests/a.test.ts': 'export {};\n', 'tests/locked/b.test.ts': 'export {};\n' });
    const workspace = new Workspace({ root, rules: [] });
    const locked = path.join(root, 'tests/locked');
    // Root ignores permissions, so the failing readdir is injected.
    const readdir = (dir: string): fs.Dirent[] => {
      if (dir === locked) throw Object.assign(new Error(`EACCES: permission denied, scandir '${dir}'`), { code: 'EACCES' });
      return fs.readdirSync(dir, { withFileTypes: true });
    };
    const unreadable: string[] = [];
    const files = workspace.listTestFiles([root], (dir, reason) => unreadable.push(`${path.relative(root, dir)}: ${reason}`), readdir);
    expect(files.map((f) => path.relative(root, f))).toEqual(['tests/a.test.ts']);
    expect(unreadable).toEqual(['tests/locked: cannot be read (permission denied, EACCES)']);
    workspace.dispose();
  });

  it.runIf(process.platform !== 'win32')('does not open a named pipe given as a test file', () => {
    const root = scratch({});
    const fifo = path.join(root, 'pipe.test.ts');
    execFileSync('mkfifo', [fifo]);
    const workspace = new Workspace({ root, rules: [] });
    expect(workspace.analyzeFile(fifo)).toMatchObject({ skipped: true, notes: ['not a regular file (a named pipe); skipped'] });
    workspace.dispose();
  });
});
