import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, test } from 'vitest';
import type { RunnerContext } from '../../server/src/verify/runners/adapter.js';
import { detectRunner } from '../../server/src/verify/runners/index.js';
import { hasPytestConfig, parseJunit, pythonCandidates, pytestAdapterFor } from '../../server/src/verify/runners/pytest.js';
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
