import { ts, type TS } from './typescript.js';
import type { DiscardedValue } from './discardedValues.js';
import { candidateDeclarations } from './lightCalls.js';
import type { TestModel } from './testModel.js';
import { forEachOwnNode, isAsyncFunction, isThenable, resolveAlias, skipOuterExpressions } from './typeUtils.js';

// Timer-backed sleeps: what fixed-sleep reports, and what floating-promise leaves to it.

/** How long a sleep waits: the milliseconds when statically known, else the source text of the delay. */
export interface Duration {
  ms?: number;
  text?: string;
  /** The user helper whose body sleeps (`settle` for `await settle(page)`), when the sleep is not returned but awaited inside it. */
  helper?: string;
  /** The sleep as written in the helper's body (`page.waitForTimeout(500)`). */
  inner?: string;
  /**
   * The awaited expression in the (outermost) helper's body that sleeps: one node per helper sleep, so call sites
   * of the same helper can be reported as one claim.
   */
  helperSite?: TS.Node;
}

/** Helper parameters bound to the durations passed at the call site (`sleep(500)` binds `ms` to 500). */
type Bindings = Map<TS.Symbol, Duration>;

/** How many user helpers deep a sleep is followed (`pause()` -> `sleep(ms)` -> `new Promise(setTimeout)`). */
const MAX_HELPER_DEPTH = 2;
const ZERO: Duration = { ms: 0 };

/** Name of the ambient module (`declare module "timers/promises"`) a declaration sits in. */
function ambientModuleOf(node: TS.Node): string | undefined {
  for (let current: TS.Node | undefined = node.parent; current; current = current.parent) {
    if (ts.isModuleDeclaration(current) && ts.isStringLiteral(current.name)) return current.name.text;
  }
  return undefined;
}

function fileOf(node: TS.Node): string {
  return node.getSourceFile().fileName.replace(/\\/g, '/');
}

function declaredName(node: TS.Node): string | undefined {
  const name = (node as { name?: TS.Node }).name;
  return name && (ts.isIdentifier(name) || ts.isStringLiteral(name)) ? name.text : undefined;
}

export class SleepFinder {
  /** Per depth: helpers whose body awaits no sleep of any duration, whatever their call sites pass. */
  private readonly helpersWithoutSleeps: Array<WeakSet<TS.Node>> = [];
  /** Per depth: whether sleepCall may find a sleep behind a declaration (see mayReachSleep). */
  private readonly reachMemo: Array<WeakMap<TS.Node, boolean>> = [];
  /** Sleeps of 0 ms passed over in helpers' bodies so far: such a helper's result depends on its call site. */
  private zeroSleepsSkipped = 0;

  constructor(private readonly checker: TS.TypeChecker) {}

  /** The duration the expression sleeps for, when it is a timer-backed promise; undefined otherwise. */
  sleepOf(expression: TS.Expression, bindings: Bindings, depth: number): Duration | undefined {
    const node = skipOuterExpressions(expression);
    if (ts.isNewExpression(node)) return this.promisifiedTimeout(node, bindings);
    if (ts.isCallExpression(node)) return this.sleepCall(node, bindings, depth);
    return undefined;
  }

  /** `new Promise((resolve) => setTimeout(resolve, n))` and `setTimeout(() => resolve(), n)`. */
  private promisifiedTimeout(node: TS.NewExpression, bindings: Bindings): Duration | undefined {
    if (!ts.isIdentifier(node.expression) || node.expression.text !== 'Promise') return undefined;
    const promise = resolveAlias(this.checker, this.checker.getSymbolAtLocation(node.expression));
    if (!promise?.declarations?.every((d) => d.getSourceFile().isDeclarationFile)) return undefined;
    const executor = node.arguments?.[0];
    if (!executor || !(ts.isArrowFunction(executor) || ts.isFunctionExpression(executor))) return undefined;
    const resolveParam = executor.parameters[0]?.name;
    if (!resolveParam || !ts.isIdentifier(resolveParam)) return undefined;
    const resolveSymbol = this.checker.getSymbolAtLocation(resolveParam);
    if (!resolveSymbol) return undefined;

    const statements = ts.isBlock(executor.body)
      ? executor.body.statements.map((s) => (ts.isExpressionStatement(s) ? s.expression : undefined))
      : [executor.body];
    for (const statement of statements) {
      const call = statement && skipOuterExpressions(statement);
      if (!call || !ts.isCallExpression(call) || !this.isTimerSetTimeout(call.expression)) continue;
      const callback = call.arguments[0];
      if (callback && this.resolvesPromise(callback, resolveSymbol)) return this.evaluate(call.arguments[1], bindings);
    }
    return undefined;
  }

  /** `resolve`, `() => resolve()`, `function () { resolve(); }`. */
  private resolvesPromise(callback: TS.Expression, resolveSymbol: TS.Symbol): boolean {
    const isResolve = (e: TS.Node | undefined): boolean =>
      !!e && ts.isIdentifier(e) && this.checker.getSymbolAtLocation(e) === resolveSymbol;
    if (isResolve(callback)) return true;
    if (!ts.isArrowFunction(callback) && !ts.isFunctionExpression(callback)) return false;
    let body: TS.Node | undefined = callback.body;
    if (ts.isBlock(body)) {
      const only = body.statements.length === 1 ? body.statements[0] : undefined;
      body = only && ts.isExpressionStatement(only) ? only.expression : undefined;
    }
    return !!body && ts.isCallExpression(body) && isResolve(body.expression);
  }

  /** The callback-style `setTimeout` of the DOM lib or Node (global, `globalThis.`, `node:timers`), not user code. */
  private isTimerSetTimeout(callee: TS.Expression): boolean {
    const name = ts.isIdentifier(callee) ? callee : ts.isPropertyAccessExpression(callee) ? callee.name : undefined;
    if (!name || name.text !== 'setTimeout') return false;
    const symbol = resolveAlias(this.checker, this.checker.getSymbolAtLocation(name));
    const declarations = symbol?.declarations ?? [];
    return declarations.length > 0 && declarations.every((d) => d.getSourceFile().isDeclarationFile && !isTimersPromises(d));
  }

  private sleepCall(call: TS.CallExpression, bindings: Bindings, depth: number): Duration | undefined {
    // Cheapest first: when no candidate declaration of the callee can lead to a sleep (a library signature other than
    // the known sleeps, a helper whose returned or awaited calls cannot), whichever the checker would pick is no sleep
    // either (no need to resolve the call and type its arguments).
    const candidates = candidateDeclarations(call, this.checker);
    if (candidates?.every((declaration) => !this.mayReachSleep(declaration, depth))) return undefined;
    // Then: only promise-typed calls can be awaited sleeps (any/unknown never are).
    if (!isThenable(this.checker, call)) return undefined;
    const declaration = this.checker.getResolvedSignature(call)?.declaration;
    if (!declaration || ts.isJSDocSignature(declaration)) return undefined;
    const first = call.arguments[0];

    if (declaration.getSourceFile().isDeclarationFile) {
      const name = declaredName(declaration);
      const moduleName = ambientModuleOf(declaration);
      const file = fileOf(declaration);
      if (isTimersPromises(declaration)) {
        // timers/promises setTimeout(delay) and scheduler.wait(delay); setImmediate/scheduler.yield only yield.
        if (name === 'setTimeout' || (name === 'wait' && declaredName(declaration.parent) === 'Scheduler')) {
          return this.evaluate(first, bindings);
        }
        return undefined;
      }
      if (name === 'waitForTimeout' && /\/(playwright-core|playwright|@playwright\/test)\//.test(file)) {
        const owner = declaration.parent;
        if (ts.isInterfaceDeclaration(owner) && (owner.name.text === 'Page' || owner.name.text === 'Frame')) return this.evaluate(first, bindings);
        return undefined;
      }
      // The npm `delay` package: delay(milliseconds), rangeDelay(min, max).
      if (moduleName === 'delay' || file.includes('/node_modules/delay/')) {
        if (name === 'delay' || ts.getCombinedModifierFlags(declaration as TS.Declaration) & ts.ModifierFlags.Default) {
          return this.evaluate(first, bindings);
        }
        if (name === 'rangeDelay') return { text: call.arguments.map((a) => a.getText()).join('–') };
        return undefined;
      }
      return undefined;
    }

    // A sleep helper in user code: follow it to the sleep it returns.
    if (depth >= MAX_HELPER_DEPTH) return undefined;
    if (!ts.isFunctionDeclaration(declaration) && !ts.isMethodDeclaration(declaration) && !ts.isArrowFunction(declaration) && !ts.isFunctionExpression(declaration)) {
      return undefined;
    }
    const returned = sleepReturnedBy(declaration);
    const inner: Bindings = new Map(bindings);
    declaration.parameters.forEach((parameter, index) => {
      if (!ts.isIdentifier(parameter.name) || parameter.dotDotDotToken) return;
      const symbol = this.checker.getSymbolAtLocation(parameter.name);
      if (!symbol) return;
      const argument = call.arguments[index];
      // An argument is evaluated where it is written (the caller's bindings), a default where it is declared.
      inner.set(symbol, argument ? this.evaluate(argument, bindings) : parameter.initializer ? this.evaluate(parameter.initializer, inner) : ZERO);
    });
    if (returned) return this.sleepOf(returned, inner, depth + 1);
    return this.sleepAwaitedInside(declaration, call, inner, depth + 1);
  }

  /**
   * Whether sleepCall may find a sleep behind a candidate declaration, asked before the call is typed: the helper's
   * returned or awaited calls are looked at the same way, through their candidate declarations, so a helper whose
   * body only runs queries (`return await db.insertInto(...).executeTakeFirstOrThrow()`) is ruled out without
   * inferring its return type. It answers for any arguments: durations do not decide whether something sleeps.
   */
  private mayReachSleep(declaration: TS.Node | undefined, depth: number): boolean {
    if (neverSleeps(declaration, depth)) return false;
    if (!declaration || declaration.getSourceFile().isDeclarationFile) return true;
    const memo = (this.reachMemo[depth] ??= new WeakMap());
    let may = memo.get(declaration);
    if (may !== undefined) return may;
    const fn = declaration as TS.SignatureDeclaration & { body?: TS.ConciseBody };
    const mayBeSleep = (expression: TS.Expression): boolean => {
      const inner = skipOuterExpressions(expression);
      if (ts.isNewExpression(inner)) return true;
      if (!ts.isCallExpression(inner)) return false;
      const candidates = candidateDeclarations(inner, this.checker);
      return !candidates || candidates.some((candidate) => this.mayReachSleep(candidate, depth + 1));
    };
    const returned = sleepReturnedBy(fn);
    if (returned) {
      may = mayBeSleep(returned);
    } else {
      may = false;
      forEachOwnNode(fn.body!, (node) => {
        if (!may && ts.isAwaitExpression(node) && !isPolling(node)) may = mayBeSleep(node.expression);
      });
    }
    memo.set(declaration, may);
    return may;
  }

  /**
   * `async function settle(page) { await page.click(x); await page.waitForTimeout(500); }`: a helper that
   * awaits a fixed sleep of its own (outside a polling loop), so awaiting the helper waits that long.
   */
  private sleepAwaitedInside(declaration: TS.SignatureDeclaration & { body?: TS.ConciseBody }, call: TS.CallExpression, bindings: Bindings, depth: number): Duration | undefined {
    const body = declaration.body;
    if (!body || !ts.isBlock(body) || !isAsyncFunction(declaration)) return undefined;
    // A method, or a function that hands back a value, does work of its own (a fake store simulating latency
    // with `await sleep(5)` before returning data): its sleep is no wait the test synchronises on.
    if (ts.isMethodDeclaration(declaration)) return undefined;
    let returnsValue = false;
    forEachOwnNode(body, (node) => {
      if (ts.isReturnStatement(node) && node.expression) returnsValue = true;
    });
    if (returnsValue) return undefined;
    const quiet = this.helpersWithoutSleeps[depth] ??= new WeakSet();
    if (quiet.has(declaration)) return undefined;
    let found: Duration | undefined;
    let sleeps = false;
    const zeroSleepsBefore = this.zeroSleepsSkipped;
    forEachOwnNode(body, (node) => {
      if (found || !ts.isAwaitExpression(node) || isPolling(node)) return;
      const inner = skipOuterExpressions(node.expression);
      if (!ts.isCallExpression(inner) && !ts.isNewExpression(inner)) return;
      const duration = this.sleepOf(inner, bindings, depth);
      if (duration) sleeps = true;
      if (duration?.ms === 0) this.zeroSleepsSkipped++;
      if (!duration || duration.ms === 0) return;
      const text = inner.getText().replace(/\s+/g, ' ');
      found = { ...duration, helper: helperName(declaration, call), inner: duration.inner ?? (text.length <= 60 ? text : undefined), helperSite: inner };
    });
    // Whether anything in the body sleeps does not depend on the call site, only how long it sleeps does: unless a
    // helper it awaits was passed through here sleeping 0 ms, which another call site may make a real sleep.
    if (!sleeps && this.zeroSleepsSkipped === zeroSleepsBefore) quiet.add(declaration);
    return found;
  }

  /** Whether an expression reads the clock (Date.now(), performance.now(), new Date()), directly or through const locals. */
  private readsClock(node: TS.Node, depth: number): boolean {
    if (depth > 3) return false;
    if (ts.isNewExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === 'Date') return true;
    if (ts.isCallExpression(node)) {
      const callee = skipOuterExpressions(node.expression);
      if (ts.isPropertyAccessExpression(callee) && callee.name.text === 'now' && ts.isIdentifier(callee.expression)
        && (callee.expression.text === 'Date' || callee.expression.text === 'performance')) return true;
    }
    if (ts.isIdentifier(node)) {
      const declaration = this.checker.getSymbolAtLocation(node)?.valueDeclaration;
      if (declaration && ts.isVariableDeclaration(declaration) && declaration.initializer && declaration.getSourceFile() === node.getSourceFile()
        && ts.isVariableDeclarationList(declaration.parent) && (declaration.parent.flags & ts.NodeFlags.Const) !== 0) {
        return this.readsClock(declaration.initializer, depth + 1);
      }
      return false;
    }
    return ts.forEachChild(node, (child) => (this.readsClock(child, depth) ? true : undefined)) ?? false;
  }

  /** Milliseconds of a delay expression: literals, arithmetic on them, const literals, bound helper parameters. */
  evaluate(expression: TS.Expression | undefined, bindings: Bindings): Duration {
    if (!expression) return ZERO; // setTimeout(resolve) fires on the next timer tick: a yield, not a wait
    const node = skipOuterExpressions(expression);
    if (ts.isNumericLiteral(node)) return { ms: Number(node.text) };
    if (ts.isIdentifier(node)) {
      const symbol = this.checker.getSymbolAtLocation(node);
      const bound = symbol && bindings.get(symbol);
      if (bound) return bound;
    }
    // `windowMs - (Date.now() % windowMs)`: a delay computed from the clock waits until a moment (a rate-limit
    // window, a scheduled instant), which a loaded machine does not shift: no fixed wait, like a yield.
    if (this.readsClock(node, 0)) return ZERO;
    if (ts.isBinaryExpression(node)) {
      const left = this.evaluate(node.left, bindings).ms;
      const right = this.evaluate(node.right, bindings).ms;
      if (left !== undefined && right !== undefined) {
        switch (node.operatorToken.kind) {
          case ts.SyntaxKind.AsteriskToken: return { ms: left * right };
          case ts.SyntaxKind.PlusToken: return { ms: left + right };
          case ts.SyntaxKind.MinusToken: return { ms: left - right };
          case ts.SyntaxKind.SlashToken: return right === 0 ? {} : { ms: left / right };
          default: break;
        }
      }
    }
    const type = this.checker.getTypeAtLocation(node);
    if (type.isNumberLiteral()) return { ms: type.value };
    const text = node.getText();
    return text.length <= 40 && !text.includes('\n') ? { text } : {};
  }
}

/** The helper's name as the call site spells it (`settle`, `helpers.settle`). */
function helperName(declaration: TS.SignatureDeclaration, call: TS.CallExpression): string {
  const callee = skipOuterExpressions(call.expression);
  if (ts.isIdentifier(callee) || ts.isPropertyAccessExpression(callee)) {
    const text = callee.getText();
    if (text.length <= 40 && !text.includes('\n')) return text;
  }
  return declaredName(declaration) ?? 'helper';
}

/**
 * A candidate signature's declaration that sleepCall never takes for a sleep, whatever the call's arguments: a
 * library signature other than the sleeps it knows (see its declaration-file branch), and in user code anything but
 * a function with a body it follows (an interface's `execute(): Promise<R>`, an overload, a helper that neither
 * returns a single expression nor is an async function awaiting one without returning a value).
 */
function neverSleeps(declaration: TS.Node | undefined, depth: number): boolean {
  if (!declaration || ts.isJSDocSignature(declaration)) return true;
  if (declaration.getSourceFile().isDeclarationFile) {
    if (isTimersPromises(declaration) || declaredName(declaration) === 'waitForTimeout') return false;
    return ambientModuleOf(declaration) !== 'delay' && !fileOf(declaration).includes('/node_modules/delay/');
  }
  if (depth >= MAX_HELPER_DEPTH) return true;
  if (!ts.isFunctionDeclaration(declaration) && !ts.isMethodDeclaration(declaration) && !ts.isArrowFunction(declaration) && !ts.isFunctionExpression(declaration)) {
    return true;
  }
  const returned = sleepReturnedBy(declaration);
  if (returned) {
    const inner = skipOuterExpressions(returned);
    return !ts.isCallExpression(inner) && !ts.isNewExpression(inner);
  }
  const body = declaration.body;
  return !body || !ts.isBlock(body) || !isAsyncFunction(declaration) || ts.isMethodDeclaration(declaration);
}

function isTimersPromises(declaration: TS.Node): boolean {
  const moduleName = ambientModuleOf(declaration);
  return moduleName === 'timers/promises' || moduleName === 'node:timers/promises';
}

/** The expression a sleep helper hands back: its concise body, its single `return x`, or its single `await x;`. */
function sleepReturnedBy(fn: TS.SignatureDeclaration & { body?: TS.ConciseBody }): TS.Expression | undefined {
  const body = fn.body;
  if (!body) return undefined;
  if (!ts.isBlock(body)) return body;
  if (body.statements.length !== 1) return undefined;
  const only = body.statements[0]!;
  let expression: TS.Expression | undefined;
  if (ts.isReturnStatement(only)) expression = only.expression;
  else if (ts.isExpressionStatement(only)) expression = only.expression;
  if (!expression) return undefined;
  expression = skipOuterExpressions(expression);
  if (ts.isAwaitExpression(expression)) return expression.expression;
  return ts.isReturnStatement(only) ? expression : undefined;
}

function isLoop(node: TS.Node): node is TS.IterationStatement {
  return ts.isWhileStatement(node) || ts.isDoStatement(node) || ts.isForStatement(node) || ts.isForOfStatement(node) || ts.isForInStatement(node);
}

function isConstantTrue(expression: TS.Expression | undefined): boolean {
  if (!expression) return true; // for (;;)
  const node = skipOuterExpressions(expression);
  return node.kind === ts.SyntaxKind.TrueKeyword || (ts.isNumericLiteral(node) && Number(node.text) !== 0);
}

/** Whether the body can leave the loop early: a `return`, or a `break` aimed at this loop (not a nested loop or switch). */
function exitsEarly(loop: TS.IterationStatement): boolean {
  const label = ts.isLabeledStatement(loop.parent) ? loop.parent.label.text : undefined;
  let found = false;
  const visit = (node: TS.Node, nestedBreakable: boolean): void => {
    if (found || ts.isFunctionLike(node) || ts.isClassLike(node)) return;
    if (ts.isReturnStatement(node)) {
      found = true;
      return;
    }
    if (ts.isBreakStatement(node)) {
      if (node.label ? node.label.text === label : !nestedBreakable) found = true;
      return;
    }
    const breakable = nestedBreakable || isLoop(node) || ts.isSwitchStatement(node);
    ts.forEachChild(node, (child) => visit(child, breakable));
  };
  visit(loop.statement, false);
  return found;
}

/** Whether an expression checks something (calls or awaits), as opposed to counting (`i < 3`). */
function checksState(expression: TS.Expression | undefined): boolean {
  let found = false;
  const visit = (node: TS.Node): void => {
    if (found || ts.isFunctionLike(node)) return;
    if (ts.isCallExpression(node) || ts.isAwaitExpression(node)) {
      found = true;
      return;
    }
    ts.forEachChild(node, visit);
  };
  if (expression) visit(expression);
  return found;
}

/**
 * A sleep inside a loop that waits for a condition is polling, not a fixed sleep:
 * - `while (cond)` / `do ... while (cond)` with a non-constant condition repeats until something changes;
 * - `for (...; cond; ...)` whose condition calls or awaits something;
 * - any loop whose body can leave it early (`if (await ready()) break;`, `return`).
 * Loops that only repeat a fixed number of times (`for (let i = 0; i < 3; i++)`, `for (const x of xs)`) are not polling.
 */
export function isPolling(node: TS.Node): boolean {
  for (let current: TS.Node | undefined = node.parent; current && !ts.isFunctionLike(current); current = current.parent) {
    if (!isLoop(current)) continue;
    if ((ts.isWhileStatement(current) || ts.isDoStatement(current)) && !isConstantTrue(current.expression)) return true;
    if (ts.isForStatement(current) && checksState(current.condition)) return true;
    if (exitsEarly(current)) return true;
  }
  return false;
}

const finders = new WeakMap<TestModel, SleepFinder>();

/** One finder per analysis, shared by the rules that look for sleeps. */
export function sleepFinder(model: TestModel): SleepFinder {
  let finder = finders.get(model);
  if (!finder) finders.set(model, (finder = new SleepFinder(model.checker)));
  return finder;
}

/** Calls that retry their callback until it passes: a sleep inside is part of a poll, not a fixed wait. */
const POLLER = /^(waitFor|waitUntil|until|poll|retry|eventually|toPass|step)/i;

/**
 * Whether code at the node runs in a test, hook or step (not a helper, suite body or module level), also
 * through async callbacks the test hands to a helper it awaits (`await inTempDir(async () => { ... })`).
 */
export function runsInTestCode(node: TS.Node, model: TestModel): boolean {
  let current: TS.Node = node;
  for (let hops = 0; hops < 4; hops++) {
    const where = model.contextOf(current);
    if (where === 'test' || where === 'hook' || where === 'step') return true;
    if (where !== 'helper') return false;
    const call = awaitedCallTaking(current);
    if (!call) return false;
    current = call;
  }
  return false;
}

/**
 * Calls that register a handler for later events (`await page.route(url, async (route) => ...)`,
 * `page.exposeFunction`, `emitter.on`): awaiting them waits for the registration, not for the handler, and a
 * sleep in the handler simulates latency of the code under test rather than synchronising the test.
 */
const LISTENER_REGISTRATION = /^(route|routeWebSocket|unroute|on|once|addListener|prependListener|prependOnceListener|addEventListener|exposeFunction|exposeBinding|handle|intercept|use)$/;

/** For code inside `async () => {...}` passed to a call the enclosing code awaits or returns: that call. */
function awaitedCallTaking(node: TS.Node): TS.CallExpression | undefined {
  let fn: TS.Node | undefined = node.parent;
  while (fn && !(ts.isFunctionLike(fn) && !ts.isTypeNode(fn))) fn = fn.parent;
  if (!fn || !(ts.isArrowFunction(fn) || ts.isFunctionExpression(fn)) || !isAsyncFunction(fn)) return undefined;
  let argument: TS.Node = fn;
  while (ts.isParenthesizedExpression(argument.parent)) argument = argument.parent;
  const call = argument.parent;
  if (!ts.isCallExpression(call) || !call.arguments.includes(argument as TS.Expression)) return undefined;
  const callee = skipOuterExpressions(call.expression);
  const name = ts.isIdentifier(callee) ? callee.text : ts.isPropertyAccessExpression(callee) ? callee.name.text : undefined;
  if (!name || POLLER.test(name) || LISTENER_REGISTRATION.test(name)) return undefined;
  let outer: TS.Node = call;
  while (ts.isParenthesizedExpression(outer.parent)) outer = outer.parent;
  return ts.isAwaitExpression(outer.parent) || ts.isReturnStatement(outer.parent) ? call : undefined;
}

const WAITING_NAME = /sleep|wait|delay|pause|timeout/i;

/**
 * A sleep written as a statement of a test, hook or step and never awaited (`sleep(500);`). It cannot reject,
 * so it is no floating-promise risk; when it has a duration and real timers run, the author meant to wait and
 * waits for nothing, which fixed-sleep reports (see `floatingSleep`). Only `new Promise(...)` and calls named
 * like a wait (`sleep`, `wait`, `delay`, `pause`, `...Timeout`) are considered.
 */
export function unawaitedSleep(value: DiscardedValue, model: TestModel): Duration | undefined {
  if (value.kind !== 'statement') return undefined;
  const inner = skipOuterExpressions(value.expression);
  if (!ts.isNewExpression(inner) && !ts.isCallExpression(inner)) return undefined;
  // Syntax before the checker: a call is only typed when its name says it waits (`sleep`, `delay`,
  // `page.waitForTimeout`, `timers.setTimeout`, `scheduler.wait`), so assertions, actions and spies never are.
  if (ts.isCallExpression(inner)) {
    const callee = skipOuterExpressions(inner.expression);
    const name = ts.isPropertyAccessExpression(callee) ? callee.name.text : ts.isIdentifier(callee) ? callee.text : undefined;
    if (!name || !WAITING_NAME.test(name)) return undefined;
  }
  if (!runsInTestCode(inner, model)) return undefined;
  return sleepFinder(model).sleepOf(inner, new Map(), 0);
}

/** An un-awaited sleep that fixed-sleep reports: a real wait (not 0 ms), without fake timers, outside a polling loop. */
export function floatingSleep(value: DiscardedValue, model: TestModel): Duration | undefined {
  const duration = unawaitedSleep(value, model);
  if (!duration || duration.ms === 0) return undefined;
  if (model.fakeTimersActiveAt(value.expression) || isPolling(value.expression)) return undefined;
  return duration;
}
