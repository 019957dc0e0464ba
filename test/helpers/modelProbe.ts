import * as path from 'node:path';
import type { ts } from 'ts-morph';
import type { TestModel, TestBlock } from '../../server/src/engine/testModel.js';
import type { Rule } from '../../server/src/engine/types.js';
import { Workspace } from '../../server/src/workspace/workspace.js';
import { TYPED_FIXTURE } from './ruleTester.js';

type Inspect<T> = (model: TestModel, sourceFile: ts.SourceFile, checker: ts.TypeChecker) => T;

/** A plain-data view of a block, safe to keep after the analysis. */
export interface BlockSummary {
  kind: TestBlock['kind'];
  hook?: TestBlock['hook'];
  framework: TestBlock['framework'];
  callee: string;
  modifiers: string[];
  title?: string;
  parent?: string;
  children: string[];
}

export function summarize(block: TestBlock): BlockSummary {
  const label = (b: TestBlock) => b.title ?? b.calleeText;
  return {
    kind: block.kind,
    ...(block.hook ? { hook: block.hook } : {}),
    framework: block.framework,
    callee: block.calleeText,
    modifiers: [...block.modifiers].sort(),
    ...(block.title !== undefined ? { title: block.title } : {}),
    ...(block.parent ? { parent: label(block.parent) } : {}),
    children: block.children.map(label),
  };
}

let counter = 0;

/**
 * Builds the TestModel of a snippet placed (in memory) in the typed fixture, through the real Workspace,
 * and hands it to `inspect` while the analysis runs. `inspect` must return plain data, never nodes.
 */
export class ModelProbe {
  private pending: Inspect<unknown> | undefined;
  private result: unknown;
  private error: unknown;
  readonly workspace: Workspace;

  constructor() {
    const probe: Rule = {
      meta: {
        id: 'model-probe',
        category: 'isolation',
        defaultSeverity: 'info',
        requiresTypes: true,
        docs: { summary: 'test probe', why: 'test probe', badExample: '', goodExample: '' },
      },
      check: ({ model, sourceFile, checker }) => {
        try {
          this.result = this.pending?.(model, sourceFile, checker);
        } catch (error) {
          this.error = error;
        }
      },
    };
    this.workspace = new Workspace({ root: TYPED_FIXTURE, rules: [probe] });
  }

  inspect<T>(code: string, inspect: Inspect<T>, filename = `model-${++counter}.test.ts`): T {
    const file = path.join(TYPED_FIXTURE, 'src', filename);
    this.pending = inspect;
    this.result = undefined;
    this.error = undefined;
    this.workspace.setBuffer(file, code);
    try {
      const analysis = this.workspace.analyzeFile(file);
      if (this.error) throw this.error;
      if (analysis.skipped) throw new Error(`not analysed: ${analysis.notes.join('; ')}`);
      return this.result as T;
    } finally {
      this.pending = undefined;
      this.workspace.clearBuffer(file);
      this.workspace.forget(file);
    }
  }

  /** The blocks of a snippet as plain data, in source order. */
  blocks(code: string, filename?: string): BlockSummary[] {
    return this.inspect(code, (model) => model.blocks.map(summarize), filename);
  }

  dispose(): void {
    this.workspace.dispose();
  }
}

/** Finds the node of the first occurrence of `marker` (the innermost node starting there). */
export function nodeAt(sourceFile: ts.SourceFile, marker: string): ts.Node {
  const offset = sourceFile.text.indexOf(marker);
  if (offset < 0) throw new Error(`marker not found: ${marker}`);
  let found: ts.Node = sourceFile;
  const visit = (node: ts.Node): void => {
    if (node.getStart(sourceFile) <= offset && offset < node.getEnd()) {
      found = node;
      node.forEachChild(visit);
    }
  };
  sourceFile.forEachChild(visit);
  return found;
}
