/**
 * What flakelens knows about one test file: its test model (suites, tests, hooks, steps) and the runner
 * configuration that governs it. Plain data for `flakelens explain` and the language server's
 * `flakelens/explain` request.
 */
import type { TS } from './typescript.js';
import { TestModel, type BlockKind, type Framework, type HookKind, type TestBlock } from './testModel.js';
import type { RunnerConfigModel } from './runnerConfig.js';
import type { Position } from './types.js';

export interface ExplainedBlock {
  kind: BlockKind;
  hook?: HookKind;
  framework: Framework;
  /** The callee as written, e.g. `test.describe.only`, `it.each`. */
  callee: string;
  title?: string;
  modifiers: string[];
  /** Zero-based, like LSP positions. */
  start: Position;
  children: ExplainedBlock[];
}

export interface Explanation {
  file: string;
  /** Runners the file's calls resolved to. */
  frameworks: Framework[];
  counts: { suites: number; tests: number; hooks: number; steps: number };
  blocks: ExplainedBlock[];
  runnerConfig: RunnerConfigModel;
  notes: string[];
}

function explainBlock(block: TestBlock, sourceFile: TS.SourceFile): ExplainedBlock {
  return {
    kind: block.kind,
    ...(block.hook ? { hook: block.hook } : {}),
    framework: block.framework,
    callee: block.calleeText,
    ...(block.title !== undefined ? { title: block.title } : {}),
    modifiers: [...block.modifiers],
    start: sourceFile.getLineAndCharacterOfPosition(block.call.getStart(sourceFile)),
    children: block.children.map((child) => explainBlock(child, sourceFile)),
  };
}

export function explainSourceFile(
  program: TS.Program,
  sourceFile: TS.SourceFile,
  runnerConfig: (file: string, frameworks: ReadonlySet<Framework>) => RunnerConfigModel,
): Explanation {
  const notes: string[] = [];
  const syntaxErrors = program.getSyntacticDiagnostics(sourceFile);
  if (syntaxErrors.length > 0) notes.push(`${syntaxErrors.length} syntax error(s); the test model may be partial`);
  let model: TestModel | undefined;
  try {
    model = new TestModel(sourceFile, program.getTypeChecker());
  } catch (error) {
    notes.push(`test model could not be built: ${(error as Error).message}`);
  }
  const frameworks = model ? new Set(model.frameworks) : new Set<Framework>();
  const blocks = model ? model.roots.map((b) => explainBlock(b, sourceFile)) : [];
  const counts = { suites: 0, tests: 0, hooks: 0, steps: 0 };
  for (const block of model?.blocks ?? []) {
    if (block.kind === 'suite') counts.suites++;
    else if (block.kind === 'test') counts.tests++;
    else if (block.kind === 'hook') counts.hooks++;
    else counts.steps++;
  }
  return {
    file: sourceFile.fileName,
    frameworks: [...frameworks],
    counts,
    blocks,
    runnerConfig: runnerConfig(sourceFile.fileName, frameworks),
    notes,
  };
}
