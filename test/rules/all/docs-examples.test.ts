import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { RULES } from '../../../server/src/rules/index.js';
import { Workspace } from '../../../server/src/workspace/workspace.js';
import { TYPED_FIXTURE } from '../../helpers/ruleTester.js';

const DOCS = path.resolve(__dirname, '../../../docs/rules');

/** The first ```ts block after the heading, or undefined. */
function firstBlockUnder(markdown: string, heading: string): string | undefined {
  const at = markdown.indexOf(`\n${heading}\n`);
  if (at === -1) return undefined;
  const next = markdown.indexOf('\n## ', at + heading.length + 2);
  const section = markdown.slice(at, next === -1 ? undefined : next);
  return /```ts\n([\s\S]*?)```/.exec(section)?.[1];
}

/**
 * The first code block under `## Example` of every docs page must be reported by its rule, and the first under
 * `## Use instead` by no rule at all: both run inside the typed fixture, so they must be self-contained.
 */
describe('docs examples', () => {
  const workspace = new Workspace({ root: TYPED_FIXTURE, rules: RULES });
  afterAll(() => workspace.dispose());
  let counter = 0;

  const analyze = (code: string) => {
    const file = path.join(TYPED_FIXTURE, 'src', `case-docs-${++counter}.test.ts`);
    workspace.setBuffer(file, code);
    try {
      return workspace.analyzeFile(file);
    } finally {
      workspace.clearBuffer(file);
      workspace.forget(file);
    }
  };

  for (const rule of RULES) {
    const id = rule.meta.id;
    const markdown = fs.readFileSync(path.join(DOCS, `${id}.md`), 'utf8');

    it(`${id}: the example is reported`, () => {
      const example = firstBlockUnder(markdown, '## Example');
      expect(example, 'a ts code block under ## Example').toBeDefined();
      const result = analyze(example!);
      expect(result.notes).toEqual([]);
      expect(result.findings.filter((f) => f.ruleId === id).length).toBeGreaterThan(0);
    });

    it(`${id}: the fix is reported by no rule`, () => {
      const fixed = firstBlockUnder(markdown, '## Use instead');
      expect(fixed, 'a ts code block under ## Use instead').toBeDefined();
      const result = analyze(fixed!);
      expect(result.notes).toEqual([]);
      expect(result.findings.map((f) => `${f.range.start.line + 1}: ${f.ruleId}: ${f.message}`)).toEqual([]);
    });
  }
});
