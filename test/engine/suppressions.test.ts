import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseSuppressions } from '../../server/src/engine/suppressions.js';
import { RULES } from '../../server/src/rules/index.js';
import { Workspace } from '../../server/src/workspace/workspace.js';
import { TYPED_FIXTURE } from '../helpers/ruleTester.js';

/** Which of the given (rule, 0-based line) pairs are suppressed. */
function suppressed(text: string, checks: Array<[string, number]>): boolean[] {
  const s = parseSuppressions(text);
  return checks.map(([rule, line]) => s.isSuppressed(rule, line));
}

describe('parseSuppressions', () => {
  it('no directive suppresses nothing', () => {
    expect(suppressed('a();\nb();', [['fixed-sleep', 0], ['fixed-sleep', 1]])).toEqual([false, false]);
  });

  it('next-line without ids suppresses every rule on the next line only', () => {
    const text = 'a();\n// flakelens-ignore-next-line\nb();\nc();';
    expect(suppressed(text, [['fixed-sleep', 2], ['focused-test', 2], ['fixed-sleep', 1], ['fixed-sleep', 3], ['fixed-sleep', 0]])).toEqual([
      true, true, false, false, false,
    ]);
  });

  it('next-line with one id suppresses that rule only', () => {
    const text = '// flakelens-ignore-next-line fixed-sleep\nb();';
    expect(suppressed(text, [['fixed-sleep', 1], ['focused-test', 1]])).toEqual([true, false]);
  });

  it('multiple ids, separated by commas and/or spaces', () => {
    const text = '// flakelens-ignore-next-line fixed-sleep, focused-test floating-promise\nb();';
    expect(suppressed(text, [['fixed-sleep', 1], ['focused-test', 1], ['floating-promise', 1], ['async-assertion', 1]])).toEqual([
      true, true, true, false,
    ]);
  });

  it('a reason after -- is not read as rule ids', () => {
    const text = '// flakelens-ignore-next-line fixed-sleep -- the device needs focused-test time\nb();\n// flakelens-ignore-next-line -- no ids: all rules\nc();';
    expect(suppressed(text, [['fixed-sleep', 1], ['focused-test', 1], ['time', 1], ['focused-test', 3]])).toEqual([true, false, false, true]);
  });

  it('a directive at the end of a code line applies to the following line', () => {
    const text = 'a(); // flakelens-ignore-next-line fixed-sleep\nb();';
    expect(suppressed(text, [['fixed-sleep', 0], ['fixed-sleep', 1]])).toEqual([false, true]);
  });

  it('file-wide, with and without ids', () => {
    const some = 'a();\n// flakelens-ignore-file fixed-sleep\nb();';
    expect(suppressed(some, [['fixed-sleep', 0], ['fixed-sleep', 2], ['focused-test', 2]])).toEqual([true, true, false]);
    const all = '/* flakelens-ignore-file */\na();\nb();';
    expect(suppressed(all, [['fixed-sleep', 1], ['focused-test', 2]])).toEqual([true, true]);
  });

  it('block comments, single-line and spanning lines', () => {
    const single = '/* flakelens-ignore-next-line fixed-sleep */\nb();';
    expect(suppressed(single, [['fixed-sleep', 1], ['focused-test', 1]])).toEqual([true, false]);
    const multi = '/* flakelens-ignore-next-line fixed-sleep\n   -- waits for the device */\nb();\nc();';
    expect(suppressed(multi, [['fixed-sleep', 2], ['fixed-sleep', 1], ['fixed-sleep', 3]])).toEqual([true, false, false]);
  });

  it('directives accumulate on the same target line', () => {
    const text = '/* flakelens-ignore-next-line focused-test */ // flakelens-ignore-next-line fixed-sleep\nb();';
    expect(suppressed(text, [['fixed-sleep', 1], ['focused-test', 1], ['floating-promise', 1]])).toEqual([true, true, false]);
  });

  it('similar but different directives are ignored', () => {
    const text = '// flakelens-ignore-next-lines fixed-sleep\nb();\n// eslint-disable-next-line fixed-sleep\nc();';
    expect(suppressed(text, [['fixed-sleep', 1], ['fixed-sleep', 3]])).toEqual([false, false]);
  });
});

describe('suppressions in an analysis', () => {
  const workspace = new Workspace({ root: TYPED_FIXTURE, rules: RULES });
  afterAll(() => workspace.dispose());

  it('drops the suppressed finding and keeps the others', () => {
    const file = path.join(TYPED_FIXTURE, 'src', 'suppressions-case.test.ts');
    workspace.setBuffer(file, `import { it } from 'vitest';
// flakelens-ignore-next-line focused-test -- reproducing a bug
it.only('a', () => {});
// flakelens-ignore-next-line fixed-sleep
it.only('b', () => {});
it.only('c', () => {});`);
    try {
      const focused = workspace.analyzeFile(file).findings.filter((f) => f.ruleId === 'focused-test');
      expect(focused.map((f) => f.range.start.line + 1)).toEqual([5, 6]);
    } finally {
      workspace.clearBuffer(file);
      workspace.forget(file);
    }
  });
});
