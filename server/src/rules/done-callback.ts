import { ts, type TS } from '../engine/typescript.js';
import { doneParameter } from '../engine/doneParameter.js';
import { isFunctionLike, type FunctionLike, type TestBlock } from '../engine/testModel.js';
import { isAsyncFunction, returnsPromise } from '../engine/typeUtils.js';
import type { Fix, Report, Rule, RuleContext } from '../engine/types.js';

const TIMEOUT = 'times out instead of failing with its real error';

/** Identifiers in the body (nested functions included) that refer to the parameter (or to a local binding). */
function referencesOf(parameter: TS.ParameterDeclaration | TS.VariableDeclaration, fn: FunctionLike, checker: TS.TypeChecker): TS.Identifier[] {
  const name = (parameter.name as TS.Identifier).text;
  const symbol = checker.getSymbolAtLocation(parameter.name);
  const found: TS.Identifier[] = [];
  const visit = (node: TS.Node): void => {
    if (ts.isIdentifier(node) && node.text === name) {
      // Property names (`x.done`, `{ done: 1 }`) are no references; the checker resolves shadowing.
      const isPropertyName = (ts.isPropertyAccessExpression(node.parent) && node.parent.name === node)
        || (ts.isPropertyAssignment(node.parent) && node.parent.name === node);
      const resolved = ts.isShorthandPropertyAssignment(node.parent) && node.parent.name === node
        ? checker.getShorthandAssignmentValueSymbol(node.parent)
        : checker.getSymbolAtLocation(node);
      if (!isPropertyName && node !== parameter.name && (!symbol || resolved === symbol)) found.push(node);
    }
    ts.forEachChild(node, visit);
  };
  visit(fn.body);
  return found;
}

/** A `const` declaration of the callback's own body whose initializer is the node: `const finish = done`. */
function constDeclarationOf(node: TS.Node): (TS.VariableDeclaration & { name: TS.Identifier }) | 'other' | undefined {
  const parent = node.parent;
  if (!ts.isVariableDeclaration(parent) || parent.initializer !== node) return undefined;
  const isConst = (parent.parent.flags & ts.NodeFlags.Const) !== 0;
  return isConst && ts.isIdentifier(parent.name) ? parent as TS.VariableDeclaration & { name: TS.Identifier } : 'other';
}

/**
 * The uses of done that call or hand it on, with aliases followed: `const finish = done` (uses of `finish`),
 * `const ctx = { done }` / `{ cb: done }` (uses `ctx.done`, `ctx.cb`). Throws Unsure where done escapes to
 * something this cannot follow: a `let` alias (may be reassigned), an object handed on whole, returned or spread.
 * The names it went through are collected in `aliases`, for messages.
 */
function followAliases(references: TS.Identifier[], fn: FunctionLike, checker: TS.TypeChecker, aliases: string[], depth = 0): TS.Node[] {
  if (depth > 4) throw new Unsure();
  const uses: TS.Node[] = [];
  for (const reference of references) {
    let value: TS.Node = reference;
    while (ts.isParenthesizedExpression(value.parent)) value = value.parent;
    const alias = constDeclarationOf(value);
    if (alias === 'other') throw new Unsure();
    if (alias) {
      aliases.push(alias.name.text);
      uses.push(...followAliases(referencesOf(alias, fn, checker), fn, checker, aliases, depth + 1));
      continue;
    }
    const property = ts.isShorthandPropertyAssignment(value.parent) ? value.parent
      : ts.isPropertyAssignment(value.parent) && value.parent.initializer === value ? value.parent : undefined;
    if (property && ts.isObjectLiteralExpression(property.parent) && (ts.isIdentifier(property.name) || ts.isStringLiteral(property.name))) {
      const holder = constDeclarationOf(property.parent);
      // `run({ done })`: the object goes to a call, which then owns done (kept as a use below).
      if (holder === 'other') throw new Unsure();
      if (holder) {
        const key = property.name.text;
        aliases.push(`${holder.name.text}.${key}`);
        for (const use of referencesOf(holder, fn, checker)) {
          const parent = use.parent;
          if (ts.isPropertyAccessExpression(parent) && parent.expression === use) {
            if (parent.name.text === key) uses.push(parent);
            continue; // another property of the holder
          }
          throw new Unsure(); // the holder itself escapes
        }
        continue;
      }
    }
    uses.push(reference);
  }
  return uses;
}

/** Removes the done parameter (and the separator before it). */
function removeParameterFix(parameter: TS.ParameterDeclaration, fn: FunctionLike, sourceFile: TS.SourceFile): Fix | undefined {
  const list = fn.parameters;
  const index = list.indexOf(parameter);
  if (index < list.length - 1) return undefined;
  const title = `Remove the unused ${(parameter.name as TS.Identifier).text} parameter`;
  if (index > 0) {
    return { title, safe: false, edits: [{ start: list[index - 1]!.getEnd(), end: parameter.getEnd(), newText: '' }] };
  }
  const start = parameter.getStart(sourceFile);
  const parenthesised = sourceFile.text.slice(fn.getStart(sourceFile), start).includes('(');
  return { title, safe: false, edits: [{ start, end: parameter.getEnd(), newText: parenthesised ? '' : '()' }] };
}

// ---------------------------------------------------------------------------------------------
// Paths that end without done: a small, syntactic flow analysis over the callback's own statements.

type ExitKind = 'normal' | 'return' | 'break' | 'continue';
/** How a statement can be left on a path that has not called (nor handed off) done, with the node to blame. */
type Exits = Map<ExitKind, TS.Node | undefined>;

/** Thrown when the flow is beyond this analysis (loops calling done, labels, aliases): stay silent. */
class Unsure extends Error {}

class DonePaths {
  private readonly references: Set<TS.Node>;

  constructor(
    references: TS.Node[],
    private readonly callback: FunctionLike,
    private readonly sourceFile: TS.SourceFile,
    private readonly checker: TS.TypeChecker,
  ) {
    this.references = new Set(references);
    for (const reference of references) this.checkReference(reference);
  }

  /**
   * A reference counts as handling done only where it runs unconditionally as part of its statement:
   * a call `done()`, `done.fail()`, or handing it to a call as an argument. Inside a function handed
   * to a call (`setTimeout(() => done())`) anything goes: that callback owns done from then on.
   * Conditional expressions, aliases and helpers stored in variables are beyond this analysis.
   */
  private checkReference(reference: TS.Node): void {
    for (let node: TS.Node = reference.parent; node !== this.callback; node = node.parent) {
      if (isFunctionLike(node) && (ts.isCallExpression(node.parent) || ts.isNewExpression(node.parent))) return;
      if (ts.isFunctionLike(node)) throw new Unsure();
    }
    const parent = reference.parent;
    const used = (ts.isCallExpression(parent) && parent.expression === reference && !parent.questionDotToken)
      || (ts.isPropertyAccessExpression(parent) && parent.expression === reference)
      || ((ts.isCallExpression(parent) || ts.isNewExpression(parent)) && parent.arguments?.includes(reference as TS.Expression));
    if (!used) throw new Unsure();
    for (let child: TS.Node = reference, node: TS.Node = parent; node !== this.callback; child = node, node = node.parent) {
      if (ts.isConditionalExpression(node) && child !== node.condition) throw new Unsure();
      if (ts.isBinaryExpression(node) && child === node.right && isShortCircuit(node.operatorToken.kind)) throw new Unsure();
      if (ts.isCallExpression(node) && node.questionDotToken) throw new Unsure();
    }
  }

  /**
   * Calls that throw and so end the path with a failure or a skip: mocha's `this.skip()`, `fail()`,
   * `assert.fail()`/`expect.fail()`, and any call typed `never`.
   */
  private aborts(expression: TS.Expression): boolean {
    let call = expression;
    while (ts.isParenthesizedExpression(call) || ts.isAwaitExpression(call)) call = call.expression;
    if (!ts.isCallExpression(call)) return false;
    const callee = call.expression;
    if (ts.isIdentifier(callee) && callee.text === 'fail') return true;
    if (ts.isPropertyAccessExpression(callee)) {
      if (callee.name.text === 'fail') return true;
      if (callee.name.text === 'skip' && callee.expression.kind === ts.SyntaxKind.ThisKeyword) return true;
    }
    return (this.checker.getTypeAtLocation(call).flags & ts.TypeFlags.Never) !== 0;
  }

  private mentionsDone(node: TS.Node): boolean {
    let found = false;
    const visit = (child: TS.Node): void => {
      if (found) return;
      if (this.references.has(child)) found = true;
      else ts.forEachChild(child, visit);
    };
    visit(node);
    return found;
  }

  /** Exits of the callback body on which done was never called. */
  body(body: TS.ConciseBody): Exits {
    if (!ts.isBlock(body)) return this.mentionsDone(body) ? new Map() : new Map([['normal', undefined]]);
    return this.sequence(body.statements);
  }

  private sequence(statements: readonly TS.Statement[]): Exits {
    const result: Exits = new Map();
    let reachable = true;
    let blame: TS.Node | undefined;
    for (const statement of statements) {
      if (!reachable) break;
      const exits = this.statement(statement);
      for (const [kind, node] of exits) if (kind !== 'normal' && !result.has(kind)) result.set(kind, node);
      reachable = exits.has('normal');
      if (reachable) blame = exits.get('normal') ?? blame;
    }
    if (reachable) result.set('normal', blame);
    return result;
  }

  private statement(statement: TS.Statement): Exits {
    if (ts.isBlock(statement)) return this.sequence(statement.statements);
    if (ts.isThrowStatement(statement)) return new Map();
    if (ts.isReturnStatement(statement)) {
      const value = statement.expression;
      return value && (this.mentionsDone(value) || this.aborts(value)) ? new Map() : new Map([['return', statement]]);
    }
    if (ts.isExpressionStatement(statement) && this.aborts(statement.expression)) return new Map();
    if (ts.isBreakStatement(statement) || ts.isContinueStatement(statement)) {
      if (statement.label) throw new Unsure();
      return new Map([[ts.isBreakStatement(statement) ? 'break' : 'continue', statement]]);
    }
    if (ts.isLabeledStatement(statement)) throw new Unsure();
    if (ts.isIfStatement(statement)) {
      if (this.mentionsDone(statement.expression)) throw new Unsure();
      const exits = union(this.statement(statement.thenStatement), statement.elseStatement ? this.statement(statement.elseStatement) : new Map([['normal', undefined]]));
      return this.blame(statement, exits);
    }
    if (ts.isSwitchStatement(statement)) return this.switchStatement(statement);
    if (ts.isTryStatement(statement)) return this.tryStatement(statement);
    if (ts.isIterationStatement(statement, false)) {
      // A loop may run zero times: done inside one is beyond this analysis. Returns inside it still count.
      if (this.mentionsDone(statement)) throw new Unsure();
      const inner = this.statement(statement.statement);
      const exits: Exits = new Map([['normal', undefined]]);
      if (inner.has('return')) exits.set('return', inner.get('return'));
      return exits;
    }
    // Declarations and simple statements: done runs with them, or they pass the path on unchanged.
    return this.mentionsDone(statement) ? new Map() : new Map([['normal', undefined]]);
  }

  private switchStatement(statement: TS.SwitchStatement): Exits {
    if (this.mentionsDone(statement.expression)) throw new Unsure();
    const clauses = statement.caseBlock.clauses;
    let exits: Exits = new Map();
    // Each clause is an entry point that falls through into the following ones; `break` leaves the switch.
    for (let i = 0; i < clauses.length; i++) {
      const fromHere = this.sequence(clauses.slice(i).flatMap((c) => [...c.statements]));
      const breakAt = fromHere.get('break');
      if (fromHere.has('break')) {
        fromHere.delete('break');
        if (!fromHere.has('normal')) fromHere.set('normal', breakAt);
      }
      exits = union(exits, fromHere);
    }
    if (!clauses.some(ts.isDefaultClause)) exits = union(exits, new Map([['normal', undefined]]));
    return this.blame(statement, exits);
  }

  private tryStatement(statement: TS.TryStatement): Exits {
    // A throw inside `try` without `catch` propagates and fails the test: that path is settled.
    let exits = this.statement(statement.tryBlock);
    if (statement.catchClause) exits = union(exits, this.statement(statement.catchClause.block));
    if (statement.finallyBlock) {
      const fin = this.statement(statement.finallyBlock);
      if (!fin.has('normal')) exits = fin;
      else for (const [kind, node] of fin) if (kind !== 'normal' && !exits.has(kind)) exits.set(kind, node);
    }
    return this.blame(statement, exits);
  }

  /** A compound statement that calls done on some paths is to blame for the paths where it does not. */
  private blame(statement: TS.Statement, exits: Exits): Exits {
    if (!exits.has('normal')) return exits;
    exits.set('normal', this.mentionsDone(statement) ? (exits.get('normal') ?? statement) : undefined);
    return exits;
  }

  /** The part of a compound statement to underline: its head (`if (ready)`, `switch (x)`, `try`). */
  headRange(node: TS.Node): { start: number; end: number } {
    const start = node.getStart(this.sourceFile);
    if (ts.isIfStatement(node) || ts.isSwitchStatement(node)) return { start, end: node.expression.getEnd() + 1 };
    if (ts.isTryStatement(node)) return { start, end: start + 3 };
    return { start, end: node.getEnd() };
  }
}

function isShortCircuit(kind: TS.SyntaxKind): boolean {
  return kind === ts.SyntaxKind.AmpersandAmpersandToken || kind === ts.SyntaxKind.BarBarToken || kind === ts.SyntaxKind.QuestionQuestionToken
    || kind === ts.SyntaxKind.AmpersandAmpersandEqualsToken || kind === ts.SyntaxKind.BarBarEqualsToken || kind === ts.SyntaxKind.QuestionQuestionEqualsToken;
}

function union(a: Exits, b: Exits): Exits {
  const result: Exits = new Map(a);
  for (const [kind, node] of b) if (!result.has(kind) || result.get(kind) === undefined) result.set(kind, node);
  return result;
}

function pathMessage(culprit: TS.Node | undefined, name: string, what: string): string {
  const consequence = `the ${what} ${TIMEOUT}. Call \`${name}()\` (or \`${name}(error)\`) on every path.`;
  if (culprit && ts.isReturnStatement(culprit)) return `This \`return\` leaves the ${what} without calling \`${name}\`: ${consequence}`;
  if (culprit && ts.isIfStatement(culprit)) return `\`${name}\` is called in only some branches of this \`if\`: on the other path ${consequence}`;
  if (culprit && ts.isSwitchStatement(culprit)) return `\`${name}\` is called in only some cases of this \`switch\`: on the other cases ${consequence}`;
  if (culprit && ts.isTryStatement(culprit)) return `\`${name}\` is called on only some paths through this \`try\`: on the others ${consequence}`;
  return `\`${name}\` is not called on every path: on the others ${consequence}`;
}

/** The first parameter of a vitest test or hook, when the code treats it as a done callback (calls it or hands it on). */
function vitestDoneMisuse(block: TestBlock, checker: TS.TypeChecker): { parameter: TS.ParameterDeclaration & { name: TS.Identifier }; use: TS.Node } | undefined {
  if (block.framework !== 'vitest' || (block.kind !== 'test' && block.kind !== 'hook')) return undefined;
  if (block.modifiers.includes('each') || block.modifiers.includes('for')) return undefined;
  const fn = block.callback;
  const parameter = fn?.parameters[0];
  if (!fn || !parameter || !ts.isIdentifier(parameter.name) || parameter.dotDotDotToken) return undefined;
  for (const reference of referencesOf(parameter, fn, checker)) {
    const parent = reference.parent;
    if (ts.isCallExpression(parent) && parent.expression === reference) return { parameter: parameter as TS.ParameterDeclaration & { name: TS.Identifier }, use: parent };
    const handedOn = (ts.isCallExpression(parent) || ts.isNewExpression(parent)) && parent.arguments?.includes(reference);
    if (handedOn && DONE_NAME.test(reference.text)) return { parameter: parameter as TS.ParameterDeclaration & { name: TS.Identifier }, use: reference };
  }
  return undefined;
}

const DONE_NAME = /^(done|cb|callback|next|finish|end|complete)$/i;

function check({ sourceFile, checker, model, report }: RuleContext): void {
  for (const block of model.blocks) {
    const misuse = vitestDoneMisuse(block, checker);
    if (misuse) {
      const name = misuse.parameter.name.text;
      const first = block.hook === 'beforeAll' || block.hook === 'afterAll' ? 'the suite' : 'the test context';
      const what = block.kind === 'hook' ? 'hook' : 'test';
      report({
        node: misuse.parameter,
        message: `vitest has no done callback: \`${name}\` is ${first}, and calling it throws ("done() callback is deprecated, use promise instead" or a TypeError). The ${what} does not wait for it: it ends when its function returns${isAsyncFunction(block.callback!) ? ' and its promise settles' : ''}, so the work \`${name}\` was meant to wait for races the next test. Return or await a promise instead (\`await new Promise((resolve) => ...)\`).`,
      });
      continue;
    }
    const parameter = doneParameter(block);
    if (!parameter) continue;
    const fn = block.callback!;
    const name = (parameter.name as TS.Identifier).text;
    const what = block.kind === 'hook' ? 'hook' : 'test';
    const references = referencesOf(parameter, fn, checker);
    const removeFix = references.length === 0 ? removeParameterFix(parameter, fn, sourceFile) : undefined;

    if ((isAsyncFunction(fn) && !fn.asteriskToken) || returnsPromise(fn, checker)) {
      const how = isAsyncFunction(fn) ? 'is also async' : 'also returns a promise';
      report({
        node: parameter,
        message: `This ${what} takes \`${name}\` and ${how}: jest, mocha and node:test fail a ${what} that signals completion twice. Drop \`${name}\` and await the work instead.`,
        fixes: removeFix ? [removeFix] : [],
      });
      continue;
    }
    if (references.length === 0) {
      report({
        node: parameter,
        message: `\`${name}\` is never called: the ${what} ${TIMEOUT}. Call \`${name}()\` when the work has finished, or remove the parameter.`,
        fixes: removeFix ? [removeFix] : [],
      });
      continue;
    }
    let exits: Exits;
    let paths: DonePaths;
    try {
      const aliases: string[] = [];
      const uses = followAliases(references, fn, checker, aliases);
      if (uses.length === 0) {
        const through = aliases.map((a) => `\`${a}\``).join(', ');
        report({
          node: parameter,
          message: `\`${name}\` is never called: it is only stored (in ${through}) and never called through it, so the ${what} ${TIMEOUT}. Call \`${name}()\` when the work has finished.`,
        });
        continue;
      }
      paths = new DonePaths(uses, fn, sourceFile, checker);
      exits = paths.body(fn.body);
    } catch (error) {
      if (error instanceof Unsure) continue;
      throw error;
    }
    const culprits = new Set<TS.Node | undefined>();
    if (exits.has('normal')) culprits.add(exits.get('normal'));
    if (exits.has('return')) culprits.add(exits.get('return'));
    for (const culprit of culprits) {
      const range: Pick<Report, 'start' | 'end'> = culprit ? paths.headRange(culprit) : { start: parameter.getStart(sourceFile), end: parameter.getEnd() };
      report({ ...range, message: pathMessage(culprit, name, what) });
    }
  }
}

export const doneCallback: Rule = {
  meta: {
    id: 'done-callback',
    category: 'async-coordination',
    defaultSeverity: 'error',
    requiresTypes: false,
    docs: {
      summary: 'Reports done callbacks in tests and hooks that are combined with promises, never called, or not called on every path.',
      why: 'A test with a done callback ends only when done is called: a path that forgets it turns a failure into a slow timeout (or a pass that depends on timing), and mixing done with a promise makes runners reject the test or ignore one of the two signals.',
      badExample: "it('starts', (done) => {\n  const server = start();\n  if (server.listening) {\n    done();\n  }\n});",
      goodExample: "it('starts', async () => {\n  const server = start();\n  if (!server.listening) await once(server, 'listening');\n});",
    },
  },
  check,
};
