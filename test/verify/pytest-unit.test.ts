import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, test } from 'vitest';
import type { RunnerContext } from '../../server/src/verify/runners/adapter.js';
import { detectRunner } from '../../server/src/verify/runners/index.js';
import { cachedProbe, collectedFiles, hasPytestConfig, parseJunit, pythonCandidates, pytestAdapterFor } from '../../server/src/verify/runners/pytest.js';
import { pythonTestBlocks, pythonTestSources, withoutParameters } from '../../server/src/engine/pythonTests.js';
import { titleKey } from '../../server/src/engine/testKeys.js';
import { parseXml, XmlError } from '../../server/src/verify/runners/xml.js';

describe('xml', () => {
  test('declaration, comments, CDATA, entities, both quotes, self-closing tags', () => {
    const doc = parseXml(`<?xml version="1.0"?>\n<!-- c --><a x="1 &amp; 2" y='&#60;&#x3E;'><b/><c>t&lt;<![CDATA[<raw>]]></c></a>`);
    expect(doc).toMatchObject({ name: 'a', attributes: { x: '1 & 2', y: '<>' } });
    expect(doc.children.map((c) => c.name)).toEqual(['b', 'c']);
    expect(doc.children[1]!.text).toBe('t<<raw>');
  });

  test('malformed input is an error with a line, not a crash', () => {
    expect(() => parseXml('<a><b></a>')).toThrow(XmlError);
    expect(() => parseXml('<a>\n<b>')).toThrow(/not closed/);
    expect(() => parseXml('')).toThrow(/no root/);
    expect(() => parseXml('<a/><b/>')).toThrow(/second root/);
  });
});

describe('junit', () => {
  const xml = `<?xml version="1.0" encoding="utf-8"?><testsuites><testsuite name="pytest" tests="6">
<testcase classname="tests.test_x.TestOuter.TestInner" name="test_a" file="tests/test_x.py" line="9" time="0.5" />
<testcase classname="tests.test_x" name="test_p[a.b-1]" file="tests/test_x.py" line="19" time="0.001"><failure message="AssertionError: assert 1 == 2&#10;  more">tests/helper.py:3: in check
tests/test_x.py:21: AssertionError</failure></testcase>
<testcase classname="tests.test_x" name="test_skip" file="tests/test_x.py" line="30" time="0"><skipped type="pytest.skip" message="no" /></testcase>
<testcase classname="tests.test_x" name="test_teardown" file="tests/test_x.py" line="40" time="0"><error message="failed on teardown with &quot;RuntimeError&quot;">x</error></testcase>
<testcase classname="" name="tests.test_broken" time="0"><error message="collection failure">SyntaxError</error></testcase>
</testsuite></testsuites>`;

  test('ids are file + classes + function (parameters kept); failures, skips, errors and collection errors', () => {
    const results = parseJunit('/p', xml);
    expect(results.map((r) => [r.file, r.titles.join(' > '), r.status])).toEqual([
      ['tests/test_x.py', 'TestOuter > TestInner > test_a', 'passed'],
      ['tests/test_x.py', 'test_p[a.b-1]', 'failed'],
      ['tests/test_x.py', 'test_skip', 'skipped'],
      ['tests/test_x.py', 'test_teardown', 'failed'],
      ['tests/test_broken.py', '(file)', 'failed'],
    ]);
    expect(results[0]).toMatchObject({ location: { line: 10, column: 1 }, durationMs: 500 });
    // The frame nearest the raise is the last workspace frame of the traceback.
    expect(results[1]).toMatchObject({ message: 'AssertionError: assert 1 == 2', at: 'tests/test_x.py:21:1' });
    expect(results[3]!.message).toBe('failed on teardown with "RuntimeError"');
  });
});

describe('command construction', () => {
  const ctx: RunnerContext = { root: '/p', command: ['/p/.venv/bin/python', '-m', 'pytest'], tmp: '/tmp/t', env: {} };
  const argv = (plugins: { xdist: boolean; randomly: boolean }, spec: Parameters<ReturnType<typeof pytestAdapterFor>['invocations']>[1]) =>
    pytestAdapterFor(plugins).invocations(ctx, spec, 'run-1')[0]!.argv.slice(3).join(' ');
  const base = '--junitxml=/tmp/t/run-1.xml -o junit_family=xunit1 -p no:rerunfailures -p no:flaky --rootdir=. --continue-on-collection-errors';

  test('with pytest-randomly: shuffle is its seed; the other modes switch it off', () => {
    const adapter = pytestAdapterFor({ xdist: true, randomly: true });
    expect(adapter.shuffle).toBe('native');
    expect(argv({ xdist: true, randomly: true }, { mode: 'shuffle', seed: 42, workers: 4 })).toBe(`${base} -n 0 -p randomly --randomly-seed=42`);
    expect(argv({ xdist: true, randomly: true }, { mode: 'serial', workers: 4 })).toBe(`${base} -n 0 -p no:randomly`);
    expect(argv({ xdist: true, randomly: true }, { mode: 'parallel', workers: 4 })).toBe(`${base} -n 4 -p no:randomly`);
  });

  test('without it: flakelens permutes the files and randomly stays off', () => {
    expect(pytestAdapterFor({ xdist: false, randomly: false }).shuffle).toBe('files');
    expect(argv({ xdist: false, randomly: false }, { mode: 'shuffle', seed: 3, workers: 2, files: ['/p/b.py', '/p/a.py'] })).toBe(`${base} -p no:randomly /p/b.py /p/a.py`);
  });

  test('without pytest-xdist parallel mode is refused, not run serially', () => {
    expect(() => argv({ xdist: false, randomly: false }, { mode: 'parallel', workers: 2 })).toThrow(/pytest-xdist/);
  });

  test('exact tests by node id in order; name filters as one -k expression', () => {
    const onlyTests = [
      { file: 'tests/b.py', titles: ['TestB', 'test_x[1]'] },
      { file: 'tests/a.py', titles: ['test_v'] },
    ];
    expect(argv({ xdist: false, randomly: false }, { mode: 'serial', workers: 2, only: onlyTests.map((t) => t.titles), onlyTests, names: ['ignored'] })).toBe(
      `${base} -p no:randomly tests/b.py::TestB::test_x[1] tests/a.py::test_v`,
    );
    const filtered = pytestAdapterFor({ xdist: false, randomly: false }).invocations(ctx, { mode: 'serial', workers: 2, names: ['slow', 'not db'] }, 'run-1')[0]!.argv;
    expect(filtered.slice(-2)).toEqual(['-k', '(slow) or (not db)']);
  });

  test("the editor's Verify on a test or class of one file: their node ids, not the whole file", () => {
    const spec = { mode: 'serial' as const, workers: 2, files: ['/p/tests/test_a.py'], only: [['TestCart', 'test_add'], ['test_free']] };
    expect(argv({ xdist: false, randomly: false }, spec)).toBe(`${base} -p no:randomly tests/test_a.py::TestCart::test_add tests/test_a.py::test_free`);
  });
});

describe('probe cache', () => {
  test('the answer is kept in .flakelens/pytest-probe.json until the interpreter or a directory it imports from changes', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'flakelens-pytest-probe-'));
    try {
      const site = path.join(dir, 'site-packages');
      fs.mkdirSync(site);
      const calls = path.join(dir, 'calls');
      const python = path.join(dir, 'python');
      const answer = { pytest: '8.0.0', python: '3.12.0', xdist: false, randomly: false, paths: [site], executable: python };
      fs.writeFileSync(python, `#!/bin/sh\necho x >> '${calls}'\necho '${JSON.stringify(answer)}'\n`, { mode: 0o755 });
      const project = path.join(dir, 'project');
      fs.mkdirSync(project);
      const probes = () => fs.readFileSync(calls, 'utf8').split('\n').filter(Boolean).length;
      expect(cachedProbe(python, project, {})).toEqual(answer);
      expect(probes()).toBe(1);
      expect(fs.existsSync(path.join(project, '.flakelens', 'pytest-probe.json'))).toBe(true);
      expect(cachedProbe(python, project, {})).toEqual(answer);
      expect(probes()).toBe(1);
      // A package installed where the interpreter imports from: asked again, then cached again.
      fs.mkdirSync(path.join(site, 'xdist'));
      cachedProbe(python, project, {});
      expect(probes()).toBe(2);
      cachedProbe(python, project, {});
      expect(probes()).toBe(2);
      // Another interpreter file, or another PYTHONPATH: asked again.
      fs.appendFileSync(python, '# upgraded\n');
      cachedProbe(python, project, {});
      expect(probes()).toBe(3);
      cachedProbe(python, project, { PYTHONPATH: site });
      expect(probes()).toBe(4);
      // A shim that starts another interpreter (pyenv's python3): asked every time.
      const shim = path.join(dir, 'shim');
      fs.writeFileSync(shim, `#!/bin/sh\nexec '${python}' "$@"\n`, { mode: 0o755 });
      cachedProbe(shim, project, {});
      cachedProbe(shim, project, {});
      expect(probes()).toBe(6);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('python test locator', () => {
  const source = [
    'import pytest',
    '',
    'def helper():',
    '    def test_inner():  # not collected: inside a function',
    '        pass',
    '',
    '@pytest.mark.parametrize("a,b", [',
    '    (1, 2),',
    '])',
    'def test_add(a, b):',
    '    """def test_in_docstring():',
    'class TestNo:',
    '"""',
    '    assert a + 1 == \\',
    '        b',
    '    # trailing comment',
    '',
    'class TestCart:',
    '    class TestNested:',
    '        async def test_deep(self):',
    '            x = (1,',
    '  2)',
    '',
    '    def test_one(self): assert True',
    '',
    'class Helper:',
    '    def test_not_collected(self): pass',
    '',
    'def test_last(',
    '    tmp_path,',
    '):',
    '    s = "#"; assert s',
  ].join('\n');

  test('module functions, Test classes and their methods; decorators, async, continuation lines and strings', () => {
    const blocks = pythonTestBlocks(source);
    expect(blocks.map((b) => [b.kind, b.titles.join('::'), b.line + 1, b.defLine + 1])).toEqual([
      ['test', 'test_add', 7, 10],
      ['suite', 'TestCart', 18, 18],
      ['suite', 'TestCart::TestNested', 19, 19],
      ['test', 'TestCart::TestNested::test_deep', 20, 20],
      ['test', 'TestCart::test_one', 24, 24],
      ['test', 'test_last', 29, 29],
    ]);
    const add = blocks[0]!;
    expect(source.slice(add.nameStart, add.nameEnd)).toBe('test_add');
    // Decorators to the last code line: the docstring and the continued assert are in, the trailing comment is not.
    expect(source.slice(add.start, add.end)).toMatch(/^@pytest\.mark\.parametrize[\s\S]*\n {8}b$/);
    expect(source.slice(blocks[3]!.start, blocks[3]!.end)).toBe('async def test_deep(self):\n            x = (1,\n  2)');
    expect(source.slice(blocks.at(-1)!.start, blocks.at(-1)!.end)).toBe('def test_last(\n    tmp_path,\n):\n    s = "#"; assert s');
  });

  test('hashes change with the test and only with it; parametrised ids name their function', () => {
    const before = pythonTestSources(source);
    const hash = (titles: string[], sources = before) => sources.byTitle.get(titleKey(titles));
    const edited = pythonTestSources(source.replace('assert True', 'assert 1'));
    expect(hash(['TestCart', 'test_one'], edited)).not.toBe(hash(['TestCart', 'test_one']));
    expect(hash(['test_add'], edited)).toBe(hash(['test_add']));
    // A comment after the body and blank lines do not make a test stale.
    expect(hash(['test_add'], pythonTestSources(source.replace('    # trailing comment', '    # other\n\n')))).toBe(hash(['test_add']));
    // pytest reports a decorated test on its first decorator's line; either line finds it.
    expect(before.byLine.get(7)).toBe(hash(['test_add']));
    expect(before.byLine.get(10)).toBe(hash(['test_add']));
    expect(withoutParameters(['TestCart', 'test_x[1-2]'])).toEqual(['TestCart', 'test_x']);
    expect(withoutParameters(['test_y'])).toEqual(['test_y']);
  });
});

describe('collected files', () => {
  test('every collected item keeps its file in the permutation, doctests of .rst files included (python-semver)', () => {
    const out = [
      'docs/usage/semver-version.rst::semver-version.rst',
      'src/semver/version.py::semver.version.Version.parse',
      'tests/test_bump.py::test_should_bump_major',
      'tests/test_bump.py::test_should_bump_minor',
      'tests/test_format.py::TestFormat::test_str[1.2.3]',
      '',
      '5 tests collected in 0.31s',
    ].join('\n');
    expect(collectedFiles('/p', out)).toEqual(['/p/docs/usage/semver-version.rst', '/p/src/semver/version.py', '/p/tests/test_bump.py', '/p/tests/test_format.py']);
  });
});

describe('detection', () => {
  test('each pytest config kind marks a pytest project; a JS runner config wins', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'flakelens-pytest-detect-'));
    try {
      const only = (name: string, text: string) => {
        for (const f of fs.readdirSync(dir)) fs.rmSync(path.join(dir, f), { recursive: true });
        fs.writeFileSync(path.join(dir, name), text);
        return detectRunner(dir);
      };
      expect(only('pytest.ini', '[pytest]\n')).toBe('pytest');
      // python-semver keeps its whole pytest config in .pytest.ini (pytest >= 8.1) and its conftest in tests/.
      expect(only('.pytest.ini', '[pytest]\ntestpaths = tests docs\n')).toBe('pytest');
      expect(only('pyproject.toml', '[project]\nname = "x"\n\n[tool.pytest]\nminversion = "9.0"\n')).toBe('pytest');
      expect(only('pyproject.toml', '[project]\nname = "x"\n\n[tool.pytest.ini_options]\naddopts = "-q"\n')).toBe('pytest');
      expect(only('pyproject.toml', '[project]\nname = "x"\n')).toBeUndefined();
      expect(only('setup.cfg', '[metadata]\nname = x\n[tool:pytest]\ntestpaths = tests\n')).toBe('pytest');
      expect(only('setup.cfg', '[metadata]\nname = x\n')).toBeUndefined();
      expect(only('tox.ini', '[tox]\nenvlist = py3\n[pytest]\n')).toBe('pytest');
      expect(only('conftest.py', '')).toBe('pytest');
      fs.writeFileSync(path.join(dir, 'vitest.config.ts'), 'export default {}');
      expect(detectRunner(dir)).toBe('vitest');
      expect(hasPytestConfig(dir)).toBe(true);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('the interpreter: .venv, venv, $VIRTUAL_ENV, then python3', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'flakelens-pytest-venv-'));
    try {
      for (const venv of ['.venv', 'venv', 'active']) {
        fs.mkdirSync(path.join(dir, venv, 'bin'), { recursive: true });
        fs.writeFileSync(path.join(dir, venv, 'bin', 'python'), '');
      }
      expect(pythonCandidates(dir, { VIRTUAL_ENV: path.join(dir, 'active') })).toEqual([
        path.join(dir, '.venv/bin/python'),
        path.join(dir, 'venv/bin/python'),
        path.join(dir, 'active/bin/python'),
        'python3',
      ]);
      expect(pythonCandidates(path.join(dir, 'active'), {})).toEqual(['python3']);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
