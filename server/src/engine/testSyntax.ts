import { createRequire } from 'node:module';
import type { TS } from './typescript.js';
import { sourceHash, titleKey } from './testKeys.js';

let loaded: typeof TS | undefined;

/**
 * The TypeScript compiler ts-morph bundles, required alone and only when a JS/TS file is hashed: verify needs a
 * syntax-only parse, and loading ts-morph with it (its own code, its named-export analysis) about doubles the
 * start-up cost `flakelens verify` pays before writing its results.
 */
function typescript(): typeof TS {
  loaded ??= createRequire(import.meta.url)('@ts-morph/common/dist/typescript.js') as typeof TS;
  return loaded;
}

/**
 * Hashes of the tests in a file's text, by title path, found syntactically (no program, no checker): every call
 * with a literal title and a function argument is a block, nested by where its call sits. Used when verify
 * records what it ran; the editor compares with the test model's hash of the same call, so a test whose path
 * differs here (a wrapper call with a title) simply has no recorded hash, and no staleness is claimed.
 */
export function testSourceHashes(fileName: string, text: string): Map<string, string> {
  return testSources(fileName, text).byTitle;
}

/**
 * The same, also by the 1-based line each call starts on: for tests whose runner title is computed (`it.each`,
 * a title from a variable), found by the line the runner reports, as the editor finds them.
 */
export function testSources(fileName: string, text: string): { byTitle: Map<string, string>; byLine: Map<number, string> } {
  const ts = typescript();
  const sourceFile = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, false, scriptKind(ts, fileName));
  const hashes = new Map<string, string>();
  const byLine = new Map<number, string>();
  const visit = (node: TS.Node, path: string[]): void => {
    if (ts.isCallExpression(node)) {
      const first = node.arguments[0];
      const hasCallback = node.arguments.some((a) => ts.isArrowFunction(a) || ts.isFunctionExpression(a));
      if (first && hasCallback) {
        const start = node.getStart(sourceFile);
        const line = sourceFile.getLineAndCharacterOfPosition(start).line + 1;
        if (!byLine.has(line)) byLine.set(line, sourceHash(text.slice(start, node.getEnd())));
      }
      if (first && hasCallback && (ts.isStringLiteral(first) || ts.isNoSubstitutionTemplateLiteral(first))) {
        const titles = [...path, first.text];
        const key = titleKey(titles);
        if (!hashes.has(key)) hashes.set(key, sourceHash(text.slice(node.getStart(sourceFile), node.getEnd())));
        ts.forEachChild(node, (child) => visit(child, titles));
        return;
      }
    }
    ts.forEachChild(node, (child) => visit(child, path));
  };
  visit(sourceFile, []);
  return { byTitle: hashes, byLine };
}

function scriptKind(ts: typeof TS, fileName: string): TS.ScriptKind {
  if (/\.tsx$/.test(fileName)) return ts.ScriptKind.TSX;
  if (/\.jsx$/.test(fileName)) return ts.ScriptKind.JSX;
  if (/\.[cm]?ts$/.test(fileName)) return ts.ScriptKind.TS;
  return ts.ScriptKind.JS;
}
