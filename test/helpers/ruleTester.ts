import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findRule } from '../../server/src/rules/index.js';
import type { Finding } from '../../server/src/engine/types.js';
import { Workspace } from '../../server/src/workspace/workspace.js';
import { applyEdits } from '../../server/src/engine/edits.js';

export const TYPED_FIXTURE = path.resolve(__dirname, '../fixtures/typed');

export interface ValidCase {
  code: string;
  /** Relative to the typed fixture's src/ (default: case-N.test.ts). Use untyped/<name>.js for plain JavaScript without runner typings (a .js file elsewhere borrows the fixture tsconfig's mocha and node types). */
  filename?: string;
  name?: string;
}

export interface ExpectedError {
  /** 1-based line of the finding's start. */
  line?: number;
  /** Substring (or pattern) of the message. */
  message?: string | RegExp;
  /** The finding's severity (with the rule at its default severity). */
  severity?: string;
}

export interface InvalidCase extends ValidCase {
  errors: ExpectedError[];
  /** The code after applying the first fix of every finding (omit to not check fixes; null: no fix offered). */
  output?: string | null;
}

let counter = 0;

/** Runs one rule over a snippet placed (in memory only) inside the typed fixture project. */
export function runRule(workspace: Workspace, ruleId: string, testCase: ValidCase): { findings: Finding[]; notes: string[] } {
  const file = path.join(TYPED_FIXTURE, 'src', testCase.filename ?? `case-${ruleId}-${++counter}.test.ts`);
  workspace.setBuffer(file, testCase.code);
  try {
    const result = workspace.analyzeFile(file);
    return { findings: result.findings.filter((f) => f.ruleId === ruleId), notes: result.notes };
  } finally {
    workspace.clearBuffer(file);
    workspace.forget(file);
  }
}

function title(testCase: ValidCase): string {
  return testCase.name ?? testCase.code.trim().split('\n').slice(-3).join(' ⏎ ').slice(0, 100);
}

/** A table test: every valid case yields no finding, every invalid one exactly the expected findings. */
export function ruleTable(ruleId: string, table: { valid: Array<string | ValidCase>; invalid: InvalidCase[] }): void {
  const rule = findRule(ruleId);
  describe(ruleId, () => {
    const workspace = rule ? new Workspace({ root: TYPED_FIXTURE, rules: [rule] }) : undefined;
    afterAll(() => workspace?.dispose());

    it('is registered', () => {
      expect(rule, `rule ${ruleId} missing from the registry`).toBeDefined();
    });

    describe('valid', () => {
      for (const raw of table.valid) {
        const testCase = typeof raw === 'string' ? { code: raw } : raw;
        it(title(testCase), () => {
          const { findings, notes } = runRule(workspace!, ruleId, testCase);
          expect(notes.filter((n) => n.includes('failed'))).toEqual([]);
          expect(findings.map((f) => `${f.range.start.line + 1}: ${f.message}`)).toEqual([]);
        });
      }
    });

    describe('invalid', () => {
      for (const testCase of table.invalid) {
        it(title(testCase), () => {
          const { findings, notes } = runRule(workspace!, ruleId, testCase);
          expect(notes.filter((n) => n.includes('failed'))).toEqual([]);
          expect(findings.map((f) => `${f.range.start.line + 1}: ${f.message}`)).toHaveLength(testCase.errors.length);
          testCase.errors.forEach((expected, index) => {
            const finding = findings[index]!;
            if (expected.line !== undefined) expect(finding.range.start.line + 1).toBe(expected.line);
            if (expected.severity !== undefined) expect(finding.severity).toBe(expected.severity);
            if (typeof expected.message === 'string') expect(finding.message).toContain(expected.message);
            else if (expected.message) expect(finding.message).toMatch(expected.message);
          });
          if (testCase.output !== undefined) {
            const edits = findings.flatMap((f) => f.fixes[0]?.edits ?? []);
            if (testCase.output === null) expect(edits).toEqual([]);
            else expect(applyEdits(testCase.code, edits)).toBe(testCase.output);
          }
        });
      }
    });
  });
}
