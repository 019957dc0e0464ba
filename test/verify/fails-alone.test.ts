import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { runCli } from '../cli/cliHarness.js';
import type { VerifyResults } from '../../server/src/verify/types.js';

// A test that needs state an earlier file sets up (python-semver's .rst doctests need tests/ collected first) fails
// whenever it runs before that file, and also run alone: there is no polluter, and delta debugging, which assumes
// the victim passes alone, must not name an arbitrary earlier test as one.
let dir: string;
const python = ['/usr/bin/python3', 'python3'].find((p) => spawnSync(p, ['-c', 'import pytest']).status === 0);

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'flakelens-fails-alone-'));
  fs.writeFileSync(path.join(dir, 'pytest.ini'), '[pytest]\n');
  fs.mkdirSync(path.join(dir, 'tests'));
  fs.writeFileSync(path.join(dir, 'tests', 'test_a_setup.py'), 'import builtins\n\n\ndef test_sets_up():\n    builtins.FLAKELENS_READY = True\n');
  fs.writeFileSync(path.join(dir, 'tests', 'test_b_other.py'), 'def test_other():\n    assert 1 + 1 == 2\n');
  fs.writeFileSync(path.join(dir, 'tests', 'test_c_needs.py'), 'import builtins\n\n\ndef test_needs_setup():\n    assert getattr(builtins, "FLAKELENS_READY", False)\n');
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

test('a victim that also fails alone is order-dependent with no polluter named', async () => {
  if (!python) throw new Error('no python3 with pytest: install python3-pytest (.ci/run does)');
  const out = path.join(dir, 'out.json');
  const result = await runCli(
    ['verify', '--runner', 'pytest', '--command', `${python} -m pytest -p no:cacheprovider`, '--modes', 'serial,shuffle', '--runs', '4', '--seed', '3', '--format', 'json', '--output', out],
    { cwd: dir },
  );
  expect(result.stderr).not.toMatch(/error/i);
  expect(result.code).toBe(1);
  const results = JSON.parse(fs.readFileSync(out, 'utf8')) as VerifyResults;
  const victim = results.verdicts.find((v) => v.id === 'tests/test_c_needs.py > test_needs_setup')!;
  expect(victim).toMatchObject({ verdict: 'order-dependent', polluters: [], failsAlone: true });
  expect(victim.conclusion).toMatch(/also fails run alone/);
  for (const id of ['tests/test_a_setup.py > test_sets_up', 'tests/test_b_other.py > test_other']) {
    expect(results.verdicts.find((v) => v.id === id)!.verdict).toBe('stable');
  }
}, 120_000);
