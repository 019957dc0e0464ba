import { afterAll, describe, expect, it } from 'vitest';
import { ModelProbe, nodeAt } from '../helpers/modelProbe.js';

const probe = new ModelProbe();
afterAll(() => probe.dispose());

/** `kind framework title` per block, children indented under their parent. */
function outline(code: string, filename?: string): string[] {
  return probe.inspect(code, (model) => {
    const lines: string[] = [];
    const walk = (blocks: typeof model.roots, depth: number) => {
      for (const b of blocks) {
        const mods = b.modifiers.length ? ` [${[...b.modifiers].sort().join(',')}]` : '';
        lines.push(`${'  '.repeat(depth)}${b.hook ?? b.kind} ${b.framework} ${b.title ?? '-'}${mods}`);
        walk(b.children, depth + 1);
      }
    };
    walk(model.roots, 0);
    return lines;
  }, filename);
}

describe('framework resolution', () => {
  it('vitest imports', () => {
    expect(outline(`import { describe, it, test, beforeEach, afterAll, suite } from 'vitest';
describe('outer', () => {
  beforeEach(() => {});
  it('a', () => {});
  suite('inner', () => { test('b', () => {}); });
  afterAll(() => {});
});`)).toEqual([
      'suite vitest outer',
      '  beforeEach vitest -',
      '  test vitest a',
      '  suite vitest inner',
      '    test vitest b',
      '  afterAll vitest -',
    ]);
  });

  it('vitest test.extend fixtures', () => {
    expect(outline(`import { test } from 'vitest';
const myTest = test.extend<{ db: string }>({ db: async ({}, use) => { await use('x'); } });
myTest('a', ({ db }) => { void db; });
myTest.skip('b', () => {});
myTest.describe('s', () => { myTest('c', () => {}); });`)).toEqual([
      'test vitest a',
      'test vitest b [skip]',
      'suite vitest s',
      '  test vitest c',
    ]);
  });

  it('@jest/globals', () => {
    expect(outline(`import { describe, it, test, beforeAll, afterEach } from '@jest/globals';
describe('s', () => {
  beforeAll(() => {});
  afterEach(() => {});
  it('a', () => {});
  test('b', () => {});
});`)).toEqual(['suite jest s', '  beforeAll jest -', '  afterEach jest -', '  test jest a', '  test jest b']);
  });

  it('mocha globals, including context, specify, before and after', () => {
    expect(outline(`describe('s', () => {
  before(() => {});
  after(() => {});
  beforeEach(() => {});
  context('c', () => {
    specify('a', () => {});
    it('b', function () {});
  });
});`)).toEqual([
      'suite mocha s',
      '  beforeAll mocha -',
      '  afterAll mocha -',
      '  beforeEach mocha -',
      '  suite mocha c',
      '    test mocha a',
      '    test mocha b',
    ]);
  });

  it('node:test default and named imports', () => {
    expect(outline(`import test, { describe, it, before, beforeEach, after, suite } from 'node:test';
test('top', () => {});
describe('s', () => {
  before(() => {});
  beforeEach(() => {});
  after(() => {});
  it('a', () => {});
  suite('inner', () => { test('b', () => {}); });
});`)).toEqual([
      'test node-test top',
      'suite node-test s',
      '  beforeAll node-test -',
      '  beforeEach node-test -',
      '  afterAll node-test -',
      '  test node-test a',
      '  suite node-test inner',
      '    test node-test b',
    ]);
  });

  it('node:test under other names: default, renamed and namespace imports', () => {
    expect(outline(`import nt from 'node:test';\nimport { it as nit } from 'node:test';\nimport * as nodeTest from 'node:test';\nnt('a', () => {});\nnit('b', () => {});\nnodeTest.describe('c', () => { nodeTest.test('d', () => {}); });`)).toEqual([
      'test node-test a',
      'test node-test b',
      'suite node-test c',
      '  test node-test d',
    ]);
  });

  it('node:test subtests t.test and context hooks t.before / t.beforeEach', () => {
    expect(outline(`import test from 'node:test';
test('parent', async (t) => {
  t.before(() => {});
  t.beforeEach(() => {});
  t.afterEach(() => {});
  t.after(() => {});
  await t.test('child', async (t2) => {
    await t2.test('grandchild', () => {});
  });
});`)).toEqual([
      'test node-test parent',
      '  beforeAll node-test -',
      '  beforeEach node-test -',
      '  afterEach node-test -',
      '  afterAll node-test -',
      '  test node-test child',
      '    test node-test grandchild',
    ]);
  });

  it('Playwright test, describe, hooks, steps and base.extend fixtures', () => {
    expect(outline(`import { test as base, expect } from '@playwright/test';
const test = base.extend<{ user: string }>({ user: async ({}, use) => { await use('u'); } });
test.describe('s', () => {
  test.beforeEach(async ({ page }) => { void page; });
  test.afterAll(async () => {});
  test('a', async ({ user }) => {
    await test.step('step 1', async () => {
      await test.step('nested', async () => {});
    });
    expect(user).toBe('u');
  });
  test.describe.serial('serial', () => { base('b', async () => {}); });
});`)).toEqual([
      'suite playwright s',
      '  beforeEach playwright -',
      '  afterAll playwright -',
      '  test playwright a',
      '    step playwright step 1',
      '      step playwright nested',
      '  suite playwright serial [serial]',
      '    test playwright b',
    ]);
  });

  it('fixtures defined in another module and imported', () => {
    expect(outline(`import { test, dbTest as it } from './helpers/fixtures.js';
test.describe('s', () => {
  test('a', async ({ account }) => { void account; });
});
it('b', ({ db }) => { void db; });
it.skip('c', () => {});`)).toEqual(['suite playwright s', '  test playwright a', 'test vitest b', 'test vitest c [skip]']);
  });

  it('import aliases', () => {
    expect(outline(`import { test as it, describe as group } from 'vitest';
import { it as jestTest } from '@jest/globals';
group('s', () => { it('a', () => {}); });
jestTest('b', () => {});`)).toEqual(['suite vitest s', '  test vitest a', 'test jest b']);
  });

  it('namespace imports', () => {
    expect(outline(`import * as vitest from 'vitest';\nvitest.describe('s', () => { vitest.it('a', () => {}); });`)).toEqual([
      'suite vitest s',
      '  test vitest a',
    ]);
  });
});

describe('modifiers and titles', () => {
  it('only, skip, todo, concurrent, each (table and tagged template), skipIf/runIf', () => {
    const blocks = probe.blocks(`import { describe, it, test } from 'vitest';
declare const ci: boolean;
it.only('a', () => {});
it.skip('b', () => {});
it.todo('c');
describe.concurrent('d', () => {});
test.each([1, 2])('e %i', (n) => { void n; });
test.each\`
  a | b
  \${1} | \${2}
\`('f $a', () => {});
it.skipIf(ci)('g', () => {});
it.runIf(ci).only('h', () => {});
describe.skip.each([1])('i', () => {});
it.concurrent.only('j', async () => {});`);
    expect(blocks.map((b) => [b.title, b.kind, b.modifiers])).toEqual([
      ['a', 'test', ['only']],
      ['b', 'test', ['skip']],
      ['c', 'test', ['todo']],
      ['d', 'suite', ['concurrent']],
      ['e %i', 'test', ['each']],
      ['f $a', 'test', ['each']],
      ['g', 'test', ['skipIf']],
      ['h', 'test', ['only', 'runIf']],
      ['i', 'suite', ['each', 'skip']],
      ['j', 'test', ['concurrent', 'only']],
    ]);
    expect(blocks.map((b) => b.callee)).toEqual([
      'it.only', 'it.skip', 'it.todo', 'describe.concurrent', 'test.each', 'test.each', 'it.skipIf', 'it.runIf.only', 'describe.skip.each', 'it.concurrent.only',
    ]);
  });

  it('jasmine-style fit, fdescribe, xit, xdescribe (jest globals and untyped JS)', () => {
    expect(outline(`fdescribe('s', () => {\n  fit('a', () => {});\n  xit('b', () => {});\n});\nxdescribe('t', () => {});`, 'untyped/model.test.js')).toEqual([
      'suite unknown s [only]',
      '  test unknown a [only]',
      '  test unknown b [skip]',
      'suite unknown t [skip]',
    ]);
  });

  it('titles: string and no-substitution template literals; computed titles are undefined', () => {
    const blocks = probe.blocks(`import { it } from 'vitest';\nconst name = 'x';\nit('plain', () => {});\nit(\`template\`, () => {});\nit(\`with \${name}\`, () => {});\nit(name, () => {});`);
    expect(blocks.map((b) => b.title)).toEqual(['plain', 'template', undefined, undefined]);
  });

  it('a test registered inside a loop or helper call keeps its suite as parent', () => {
    expect(outline(`import { describe, it } from 'vitest';
describe('s', () => {
  for (const n of [1, 2]) {
    it(\`n\${n}\`, () => {});
  }
  [1].forEach(() => { it('in callback', () => {}); });
});`)).toEqual(['suite vitest s', '  test vitest -', '  test vitest in callback']);
  });
});

describe('not runners', () => {
  it('a local `it` or `describe` shadows the runner', () => {
    expect(outline(`import { it as vit } from 'vitest';
function describe(name: string, fn: () => void) { void name; fn(); }
describe('local', () => {
  const it = (name: string, fn: () => void) => { void name; fn(); };
  it('local it', () => {});
  vit('real', () => {});
});`)).toEqual(['test vitest real']);
  });

  it('a parameter named test shadows the import', () => {
    expect(outline(`import { test } from 'vitest';\nfunction run(test: (n: string, f: () => void) => void) { test('x', () => {}); }\nvoid run;\ntest('real', () => {});`)).toEqual([
      'test vitest real',
    ]);
  });

  it('unrelated member calls named like runner parts', () => {
    expect(outline(`import { it } from 'vitest';
const api = { describe: (s: string) => s, only: () => 1, step: (s: string, f: () => void) => f() };
api.describe('x');
api.step('y', () => {});
it('real', () => {});`)).toEqual(['test vitest real']);
  });

  it('chai expect and assert are not blocks', () => {
    expect(outline(`import { expect, assert } from 'chai';\nit('a', () => { expect(1).to.equal(1); assert.ok(true); });`)).toEqual(['test mocha a']);
  });

  it('untyped JS globals fall back to names', () => {
    expect(outline(`describe('s', () => {\n  beforeEach(() => {});\n  it('a', () => {});\n});`, 'untyped/globals.test.js')).toEqual([
      'suite unknown s',
      '  beforeEach unknown -',
      '  test unknown a',
    ]);
  });
});

describe('contextOf', () => {
  const code = `import { describe, it, beforeEach } from 'vitest';
import { test } from '@playwright/test';
const atModule = 1;
function helper() { return 'inHelper'; }
describe('s', () => {
  const inSuite = 1;
  beforeEach(() => { const inHook = 1; });
  it('a', async () => {
    const inTest = 1;
    const nested = () => 'inNestedFunction';
  });
});
test('p', async () => {
  await test.step('st', async () => { const inStep = 1; });
});`;

  it('classifies every position', () => {
    const markers = ['atModule', 'inHelper', 'inSuite', 'inHook', 'inTest', 'inNestedFunction', 'inStep'];
    const contexts = probe.inspect(code, (model, sourceFile) => markers.map((m) => model.contextOf(nodeAt(sourceFile, m))));
    expect(contexts).toEqual(['module', 'helper', 'suite', 'hook', 'test', 'helper', 'step']);
  });

  it('enclosingBlock sees through nested functions', () => {
    const titles = probe.inspect(code, (model, sourceFile) => ['inNestedFunction', 'inStep', 'atModule'].map((m) => model.enclosingBlock(nodeAt(sourceFile, m))?.title ?? null));
    expect(titles).toEqual(['a', 'st', null]);
  });
});

describe('fakeTimersActiveAt', () => {
  const at = (code: string, markers: string[]) =>
    probe.inspect(code, (model, sourceFile) => markers.map((m) => model.fakeTimersActiveAt(nodeAt(sourceFile, m))));

  it('none installed', () => {
    expect(at(`import { it } from 'vitest';\nit('a', () => { const here = 1; });`, ['here'])).toEqual([false]);
  });

  it('installed in a beforeEach applies to the tests of that describe and nested ones only', () => {
    expect(at(`import { beforeEach, describe, it, vi } from 'vitest';
describe('fake', () => {
  beforeEach(() => { vi.useFakeTimers(); });
  it('a', () => { const inFake = 1; });
  describe('nested', () => { it('b', () => { const inNested = 1; }); });
});
describe('real', () => {
  it('c', () => { const inReal = 1; });
});`, ['inFake', 'inNested', 'inReal'])).toEqual([true, true, false]);
  });

  it('installed in one test does not leak into its sibling', () => {
    expect(at(`import { it, jest } from '@jest/globals';
it('a', () => { jest.useFakeTimers(); const inA = 1; });
it('b', () => { const inB = 1; });`, ['inA', 'inB'])).toEqual([true, false]);
  });

  it('installed at file level (or a top-level hook) applies everywhere', () => {
    expect(at(`import { it, vi } from 'vitest';\nvi.useFakeTimers();\nit('a', () => { const inA = 1; });`, ['inA'])).toEqual([true]);
    expect(at(`import { beforeEach, it, vi } from 'vitest';\nbeforeEach(() => vi.useFakeTimers());\nit('a', () => { const inA = 1; });`, ['inA'])).toEqual([true]);
  });

  it('node:test mock.timers.enable and Playwright page.clock.install', () => {
    expect(at(`import { test, mock } from 'node:test';\ntest('a', () => { mock.timers.enable(); const inA = 1; });`, ['inA'])).toEqual([true]);
    expect(at(`import { test } from '@playwright/test';\ntest('a', async ({ page }) => { await page.clock.install(); const inA = 1; });\ntest('b', async () => { const inB = 1; });`, ['inA', 'inB'])).toEqual([true, false]);
  });

  it('an install later in the same test does not cover code before it', () => {
    expect(at(`import { it, vi } from 'vitest';\nit('a', () => { const before = 1; vi.useFakeTimers(); const after = 1; });`, ['before', 'after'])).toEqual([false, true]);
  });

  it('an afterEach install does not count for the tests', () => {
    expect(at(`import { afterEach, describe, it, vi } from 'vitest';\ndescribe('s', () => {\n  afterEach(() => { vi.useFakeTimers(); });\n  it('a', () => { const inA = 1; });\n});`, ['inA'])).toEqual([false]);
  });

  it('a helper that is not a fake-timer API does not count', () => {
    expect(at(`import { it } from 'vitest';\nconst timers = { enable() {} };\nit('a', () => { timers.enable(); const inA = 1; });`, ['inA'])).toEqual([false]);
  });
});

describe('inline fixture chains', () => {
  it('test.extend({...})(name, fn) and test.extend({...}).fails(...) declare tests', () => {
    expect(outline(`import { test } from 'vitest';
test.extend<{ n: number }>({ n: async ({}, use) => { await use(1); } })('a', ({ n }) => { void n; });
test.extend<{ n: number }>({ n: async ({}, use) => { await use(1); } }).fails('b', () => {});
test.extend({}).extend({}).skip('c', () => {});`)).toEqual([
      'test vitest a',
      'test vitest b [fails]',
      'test vitest c [skip]',
    ]);
  });

  it('Playwright base.extend({...})(name, fn)', () => {
    expect(outline(`import { test as base } from '@playwright/test';
base.extend<{ user: string }>({ user: async ({}, use) => { await use('u'); } })('a', async ({ user }) => { void user; });`)).toEqual([
      'test playwright a',
    ]);
  });

  it('a call named extend that returns no runner is no test', () => {
    expect(outline(`export {};
const lib = { extend: (o: object) => (name: string, fn: () => void) => { void o; void name; fn(); } };
lib.extend({})('a', () => {});`)).toEqual([]);
  });
});

describe('runner globals declared in the project\'s own .d.ts', () => {
  it('declare global { const test: typeof import(\'@playwright/test\').test } is Playwright\'s test', async () => {
    const { Workspace } = await import('../../server/src/workspace/workspace.js');
    const { focusedTest } = await import('../../server/src/rules/focused-test.js');
    const path = await import('node:path');
    const root = path.resolve(__dirname, '../fixtures/dts-globals');
    const workspace = new Workspace({ root, rules: [focusedTest] });
    try {
      const result = workspace.analyzeFile(path.join(root, 'src/focus.spec.ts'));
      expect(result.findings.map((f) => `${f.range.start.line + 1}: ${f.message}`)).toEqual([
        '2: Focused test `test.only` runs alone and skips the rest of the suite; remove the focus before committing.',
      ]);
    } finally {
      workspace.dispose();
    }
  });
});
