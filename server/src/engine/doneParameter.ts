import { ts, type TS } from './typescript.js';
import { parametersWithoutThis } from './typeUtils.js';
import type { TestBlock } from './testModel.js';

/**
 * Names a done callback usually has. Only consulted for the unknown framework (untyped globals), where
 * the first parameter might also be a vitest test context (`globals: true` without types).
 */
const DONE_LIKE_NAME = /^(done|cb|callback|next|finish|end|complete)$/i;

/** The done parameter of a test or hook callback, per runner; undefined when the runner has none. */
export function doneParameter(block: TestBlock): (TS.ParameterDeclaration & { name: TS.Identifier }) | undefined {
  if (block.kind !== 'test' && block.kind !== 'hook') return undefined;
  // Table-driven variants pass the row's values first: the done position depends on the table.
  if (block.modifiers.includes('each') || block.modifiers.includes('for')) return undefined;
  const fn = block.callback;
  if (!fn) return undefined;
  let index: number;
  switch (block.framework) {
    case 'jest': case 'mocha': case 'unknown': index = 0; break;
    case 'node-test': index = 1; break;
    // vitest's first parameter is the test context, Playwright's the fixtures: neither has a done callback.
    default: return undefined;
  }
  const parameters = parametersWithoutThis(fn.parameters);
  const parameter = parameters[index];
  if (!parameter || !ts.isIdentifier(parameter.name) || parameter.dotDotDotToken || parameter.initializer) return undefined;
  if (block.framework === 'unknown' && !DONE_LIKE_NAME.test(parameter.name.text)) return undefined;
  return parameter as TS.ParameterDeclaration & { name: TS.Identifier };
}

/** Whether the node mentions the parameter (an identifier spelled like it that the checker resolves to it). */
export function mentionsParameter(node: TS.Node, parameter: TS.ParameterDeclaration & { name: TS.Identifier }, checker: TS.TypeChecker): boolean {
  const name = parameter.name.text;
  let symbol: TS.Symbol | undefined | null = null;
  let found = false;
  const visit = (child: TS.Node): void => {
    if (found) return;
    if (ts.isIdentifier(child) && child.text === name) {
      if (symbol === null) symbol = checker.getSymbolAtLocation(parameter.name);
      if (!symbol || checker.getSymbolAtLocation(child) === symbol) found = true;
      return;
    }
    ts.forEachChild(child, visit);
  };
  visit(node);
  return found;
}
