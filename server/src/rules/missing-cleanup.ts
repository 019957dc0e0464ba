import { ts, type TS } from '../engine/typescript.js';
import { HANDLE_KINDS, resourceModel, type Acquisition, type AcquisitionKind, type HandleKind, type Release, type ResourceModel } from '../engine/resources.js';
import { globalFakeTimers, isOn, setupHooksDo, type RunnerConfigModel, type TriState } from '../engine/runnerConfig.js';
import type { TestBlock, TestModel } from '../engine/testModel.js';
import type { Fix, Rule, RuleContext } from '../engine/types.js';

function describeBlock(block: TestBlock): string {
  if (block.kind === 'hook') return `${block.hook} hook`;
  return block.title !== undefined ? `${block.kind} '${block.title}'` : `this ${block.kind}`;
}

/** Whether the runner config (or a setup file's beforeEach/afterEach) undoes this kind after every test. */
function configReleases(acquisition: Acquisition, config: RunnerConfigModel): TriState {
  const any = (...states: TriState[]): TriState => (states.includes('yes') ? 'yes' : states.includes('unknown') ? 'unknown' : 'no');
  switch (acquisition.kind) {
    case 'fake-timers': return setupHooksDo(config, 'realTimers');
    case 'spy':
      if (acquisition.runner === 'sinon') return setupHooksDo(config, 'restoreMocks');
      return any(isOn(config.restoreMocks), isOn(config.mockReset), setupHooksDo(config, 'restoreMocks'), setupHooksDo(config, 'resetMocks'));
    case 'stub-env': return any(isOn(config.unstubEnvs), setupHooksDo(config, 'unstubEnvs'));
    case 'stub-global': return any(isOn(config.unstubGlobals), setupHooksDo(config, 'unstubGlobals'));
    case 'env-write': {
      // Setup-file hooks may restore the environment in ways the model does not name: any such hook is unknown.
      const setup = config.setupFiles;
      if (setup.kind === 'unknown') return 'unknown';
      const files = setup.value ?? [];
      if (files.some((f) => f.status !== 'read' || f.hooks.some((h) => h.hook === 'afterEach' || h.hook === 'beforeEach'))) return 'unknown';
      return 'no';
    }
    // No runner option closes a test's servers, connections, browsers, watchers or directories (forceExit only
    // hides the hang at the end); fake timers are the one config that makes an interval harmless.
    case 'interval': return globalFakeTimers(config) === 'no' ? 'no' : 'unknown';
    default: return 'no';
  }
}

/** The teardown hooks that run after the acquiring block: afterEach of its scope and enclosing scopes; afterAll of a beforeAll's own scope. */
function coveringTeardowns(model: TestModel, block: TestBlock): TestBlock[] {
  const scopes = new Set<TestBlock | undefined>();
  for (let scope = block.parent; ; scope = scope.parent) {
    scopes.add(scope);
    if (!scope) break;
  }
  return model.blocks.filter((b) => b.kind === 'hook' && scopes.has(b.parent)
    && (b.hook === 'afterEach' || (b.hook === 'afterAll' && block.hook === 'beforeAll' && b.parent === block.parent)));
}

function matches(release: Release, acquisition: Acquisition): boolean {
  // A handle is released by closing the binding that holds it; a dropped handle (no binding) by nothing.
  if (HANDLE_KINDS.has(acquisition.kind)) return release.kind === acquisition.kind && acquisition.symbol !== undefined && release.symbol === acquisition.symbol;
  if (acquisition.kind === 'env-write') return release.kind === 'all-env' || (release.kind === 'env-write' && release.key === acquisition.key);
  // unstubAll* releases every name; a re-stub of one name (`vi.stubGlobal('crypto', original)` in finally) only that name.
  if (acquisition.kind === 'stub-env' || acquisition.kind === 'stub-global') return release.kind === acquisition.kind && (release.key === undefined || release.key === acquisition.key);
  return release.kind === acquisition.kind;
}

/** The test a block belongs to (itself for a test; the enclosing test of a step). */
function owningTest(block: TestBlock): TestBlock | undefined {
  for (let b: TestBlock | undefined = block; b; b = b.parent) if (b.kind === 'test') return b;
  return undefined;
}

/** Tests that run after the acquiring block's leak begins and are outside its scope (so nothing re-acquires for them). */
function laterTests(model: TestModel, acquisition: Acquisition): TestBlock[] {
  const { block } = acquisition;
  let after: number;
  if (block.kind === 'hook') {
    // A beforeEach/beforeAll serves its whole scope; the leak reaches tests after that scope.
    if (!block.parent) return [];
    after = block.parent.call.getEnd();
  } else {
    const test = owningTest(block);
    if (!test) return [];
    after = test.call.getEnd();
  }
  return model.blocks.filter((b) => b.kind === 'test' && b.call.getStart() >= after && !b.modifiers.includes('skip') && !b.modifiers.includes('todo'));
}

/**
 * Whether a beforeEach that runs before this test (top level or in an enclosing describe) resets the state:
 * the leak then never reaches it. A beforeEach passed by reference or calling a helper counts as unknown, so as resetting.
 */
function protectedBy(model: TestModel, resources: ResourceModel, test: TestBlock, acquisition: Acquisition, releases: Release[]): boolean {
  const scopes = new Set<TestBlock | undefined>([undefined]);
  for (let scope = test.parent; scope; scope = scope.parent) scopes.add(scope);
  return model.blocks.some((hook) => hook.hook === 'beforeEach' && scopes.has(hook.parent) && hook !== acquisition.block
    && (!hook.callback || resources.opaqueReleases.has(hook) || releases.some((r) => r.block === hook)
      // The hook sets the same thing again before each test (`process.env.MODE = 'x'`, the same spy).
      || resources.acquisitions.some((a) => a.block === hook && a.kind === acquisition.kind && a.label === acquisition.label && a.key === acquisition.key)));
}

/**
 * Whether a later test may read a leaked stubbed global: its callback names it, or a function of the file outside
 * every test (a helper the test may call) does. A test that never names `WebSocket` does not see a stubbed one
 * unless library code reads it: unknowable, so not reported.
 */
function mentionsGlobal(context: RuleContext, test: TestBlock, name: string | undefined): boolean {
  if (name === undefined || !test.callback) return true;
  const pattern = new RegExp(`\\b${name.replace(/[^\w$]/g, '')}\\b`);
  if (pattern.test(test.callback.getText())) return true;
  const { sourceFile, model } = context;
  // Top-level statements that register no test, suite or hook: helpers and shared fixtures.
  return sourceFile.statements.some((statement) => !ts.isImportDeclaration(statement)
    && !model.blocks.some((b) => statement.getStart() <= b.call.getStart() && b.call.getEnd() <= statement.getEnd())
    && pattern.test(statement.getText()));
}

/** An assertion or await between two positions of a block's own body: a failure there skips what follows. */
function mayThrowBetween(block: TestBlock, from: number, to: number): boolean {
  let found = false;
  const visit = (node: TS.Node): void => {
    if (found) return;
    if (node.getStart() >= to || node.getEnd() <= from) return;
    if (node.getStart() >= from && (ts.isAwaitExpression(node) || (ts.isCallExpression(node) && /^(?:expect|assert|should)\b|\.(?:assert|equal|strictEqual|deepEqual|deepStrictEqual|ok|throws|rejects|expect)\b/.test(node.expression.getText())))) {
      found = true;
      return;
    }
    if (ts.isFunctionLike(node)) return;
    ts.forEachChild(node, visit);
  };
  if (block.callback) ts.forEachChild(block.callback.body, visit);
  return found;
}

const RESTORE_CALL: Partial<Record<AcquisitionKind, (runner: 'vi' | 'jest') => string>> = {
  'fake-timers': (r) => `${r}.useRealTimers()`,
  spy: (r) => `${r}.restoreAllMocks()`,
  'stub-env': () => 'vi.unstubAllEnvs()',
  'stub-global': () => 'vi.unstubAllGlobals()',
};

const RESTORE_ADVICE: Record<AcquisitionKind, (a: Acquisition) => string> = {
  'fake-timers': (a) => (a.runner === 'sinon' ? '`clock.restore()`' : `\`${a.runner === 'jest' ? 'jest' : 'vi'}.useRealTimers()\``),
  spy: (a) => (a.runner === 'sinon' ? '`sinon.restore()`' : `\`mockRestore()\` or \`${a.runner === 'jest' ? 'jest' : 'vi'}.restoreAllMocks()\``),
  'stub-env': () => '`vi.unstubAllEnvs()`',
  'stub-global': () => '`vi.unstubAllGlobals()`',
  'env-write': (a) => `a restore of \`process.env.${a.key ?? ''}\``,
  server: () => '`close()`',
  interval: () => '`clearInterval()`',
  'db-connection': () => '`end()`/`close()`/`destroy()`/`disconnect()`',
  browser: () => '`close()`',
  'temp-dir': () => '`rm(dir, { recursive: true, force: true })`',
  watcher: () => '`close()`',
};

/** What an open handle does after its test, per kind. */
const HANDLE_EFFECT: Record<HandleKind, string> = {
  server: 'it keeps listening after the test: its port and sockets stay open while later tests run',
  interval: 'its callback keeps firing after the test, while later tests run',
  'db-connection': 'its connections stay open after the test: the database keeps them (and their locks) while later tests and files run',
  browser: 'the browser (or context) keeps running for the rest of the worker, with its memory and pages, while later tests run',
  'temp-dir': 'the directory and everything written into it is left behind in the temp directory after every run',
  watcher: 'it keeps watching after the test: its callbacks fire during later tests',
};

/** The effect of an open handle, with the hang at the end of the run unless the runner forces the exit. */
function handleEffect(kind: HandleKind, config: RunnerConfigModel): string {
  const forced = config.forceExit.kind === 'known' && config.forceExit.value === true;
  const hangs = kind !== 'temp-dir' && kind !== 'browser' && !forced;
  return `${HANDLE_EFFECT[kind]}${hangs ? ', and it can keep the test process from exiting (jest "did not exit", mocha and node:test hang)' : ''}`;
}

const CONFIG_NOTE: Partial<Record<AcquisitionKind, string>> = {
  spy: ' and restoreMocks is off',
  'stub-env': ' and unstubEnvs is off',
  'stub-global': ' and unstubGlobals is off',
};

function leakEffect(acquisition: Acquisition): string {
  switch (acquisition.kind) {
    case 'server': case 'interval': case 'db-connection': case 'browser': case 'temp-dir': case 'watcher': return HANDLE_EFFECT[acquisition.kind];
    case 'fake-timers': return 'run on fake timers';
    case 'spy': return acquisition.runner === 'sinon' ? 'still get it (and wrapping the method again throws "already wrapped")' : 'still get its mocked implementation';
    case 'stub-env': return 'see the stubbed variables';
    case 'stub-global': return 'see the stubbed globals';
    case 'env-write': return 'see the changed value';
  }
}

function subject(acquisition: Acquisition): string {
  if (acquisition.kind === 'spy') return acquisition.label.charAt(0).toUpperCase() + acquisition.label.slice(1);
  return `\`${acquisition.label}\``;
}

/** `afterEach(() => vi.useRealTimers());` after the acquiring statement, when mechanical and safe. */
function restoreFix(context: RuleContext, resources: ResourceModel, acquisition: Acquisition, offered: Set<string>): Fix[] {
  const { sourceFile, model } = context;
  const { block } = acquisition;
  if (acquisition.runner !== 'vitest' && acquisition.runner !== 'jest') return [];
  const make = RESTORE_CALL[acquisition.kind];
  if (!make) return [];
  const hookName = block.hook === 'beforeAll' ? 'afterAll' : 'afterEach';
  const statement = block.call.parent;
  if (!statement || !ts.isExpressionStatement(statement)) return [];
  const key = `${acquisition.kind}:${block.parent ? block.parent.call.getStart() : -1}:${hookName}`;
  if (offered.has(key)) return [];
  // Safe only when every acquisition of this kind in the file is per-test: a restore-all in a teardown would
  // otherwise undo spies or fake timers a beforeAll or the file sets up on purpose.
  const api = acquisition.kind === 'fake-timers' ? /\buseFakeTimers\s*\(/g : acquisition.kind === 'spy' ? /\bspyOn\s*\(/g : acquisition.kind === 'stub-env' ? /\bstubEnv\s*\(/g : /\bstubGlobal\s*\(/g;
  const total = sourceFile.text.match(api)?.length ?? 0;
  const perTest = resources.acquisitions.filter((a) => a.kind === acquisition.kind && a.block.hook !== 'beforeAll').length;
  if (total !== perTest || block.hook === 'beforeAll') return [];
  const edits = [];
  const hookBound = model.blocks.some((b) => b.hook === (hookName === 'afterAll' ? 'afterAll' : 'afterEach') && b.calleeText === hookName);
  if (!hookBound) {
    const runnerModule = acquisition.runner === 'vitest' ? 'vitest' : '@jest/globals';
    const imported = sourceFile.statements.find((s): s is TS.ImportDeclaration => ts.isImportDeclaration(s)
      && ts.isStringLiteral(s.moduleSpecifier) && s.moduleSpecifier.text === runnerModule
      && !!s.importClause?.namedBindings && ts.isNamedImports(s.importClause.namedBindings) && !s.importClause.isTypeOnly);
    const named = imported?.importClause?.namedBindings as TS.NamedImports | undefined;
    if (!named || named.elements.length === 0) return [];
    if (!named.elements.some((e) => e.name.text === hookName)) {
      const lastElement = named.elements[named.elements.length - 1]!;
      edits.push({ start: lastElement.getEnd(), end: lastElement.getEnd(), newText: `, ${hookName}` });
    }
  }
  const lineStart = sourceFile.text.lastIndexOf('\n', statement.getStart(sourceFile)) + 1;
  const indent = /^[ \t]*/.exec(sourceFile.text.slice(lineStart))![0];
  const call = make(acquisition.runner === 'vitest' ? 'vi' : 'jest');
  edits.push({ start: statement.getEnd(), end: statement.getEnd(), newText: `\n${indent}${hookName}(() => {\n${indent}  ${call};\n${indent}});` });
  offered.add(key);
  return [{ title: `Add \`${hookName}(() => { ${call}; })\``, edits, safe: true }];
}

/** Servers, intervals, connections, browsers, temp dirs and watchers: open until closed, whatever runs after them. */
function reportHandle(context: RuleContext, acquisition: Acquisition, where: string, advice: string, skippable: Release | undefined): void {
  const kind = acquisition.kind as HandleKind;
  const teardown = acquisition.block.hook === 'beforeAll' ? 'afterAll' : 'afterEach';
  if (skippable) {
    if (!mayThrowBetween(acquisition.block, acquisition.node.getEnd(), skippable.node.getStart())) return;
    // Only a failing test skips it: the leak follows a failure, so it is the minor case.
    context.report({
      node: skippable.node,
      message: `This close at the end of ${where} is skipped when an assertion or awaited call before it fails: then ${handleEffect(kind, context.runnerConfig())}. Close it in ${teardown}, onTestFinished or a finally block.`,
      severity: 'info',
    });
    return;
  }
  const dropped = acquisition.symbol === undefined ? ' (its handle is not kept, so nothing can close it)' : '';
  // With forceExit (jest --forceExit, mocha --exit, node --test-force-exit) the hang at the end is gone; what stays is
  // a handle held while later tests run: minor, except an interval, which keeps firing into them.
  const forced = context.runnerConfig().forceExit;
  const minor = kind === 'temp-dir' || (kind !== 'interval' && forced.kind === 'known' && forced.value === true);
  context.report({
    node: acquisition.node,
    message: `\`${acquisition.label}\` in ${where} is never closed${dropped} (no ${advice} in ${teardown}, onTestFinished, t.after, a finally block or \`using\`): ${handleEffect(kind, context.runnerConfig())}.`,
    // A temp dir left behind costs disk space, not correctness.
    ...(minor ? { severity: 'info' as const } : {}),
  });
}

function check(context: RuleContext): void {
  const { model, report } = context;
  if (model.blocks.length === 0) return;
  const resources = resourceModel(model);
  if (resources.acquisitions.length === 0) return;
  const config = context.runnerConfig();
  const offered = new Set<string>();
  for (const acquisition of resources.acquisitions) {
    const { block } = acquisition;
    if (block.hook === 'afterEach' || block.hook === 'afterAll') continue;
    if (configReleases(acquisition, config) !== 'no') continue;
    if (resources.opaqueReleases.has(block)) continue;
    const teardowns = coveringTeardowns(model, block);
    // A teardown passed by reference or calling a helper we cannot see into: its effect is unknown.
    if (teardowns.some((t) => !t.callback || resources.opaqueReleases.has(t))) continue;
    const releases = resources.releases.filter((r) => matches(r, acquisition));
    if (releases.some((r) => r.block && teardowns.includes(r.block))) continue;
    const own = releases.filter((r) => r.block && (r.block === block || owningTest(r.block) === owningTest(block)) && r.node.getStart() > acquisition.node.getStart());
    if (own.some((r) => r.guaranteed)) continue;
    const later = laterTests(model, acquisition).filter((t) => !protectedBy(model, resources, t, acquisition, releases)
      // A later test that sets the same thing up itself (`vi.stubGlobal('caches', undefined)`, `vi.useFakeTimers()`) does not depend on the leak.
      && !resources.acquisitions.some((a) => a.kind === acquisition.kind && a.label === acquisition.label && a.key === acquisition.key && owningTest(a.block) === t)
      && (acquisition.kind !== 'fake-timers' || !t.callback || !model.fakeTimersActiveAt(t.callback.body))
      && (acquisition.kind !== 'stub-global' || mentionsGlobal(context, t, acquisition.key)));
    const where = describeBlock(block);
    const advice = RESTORE_ADVICE[acquisition.kind](acquisition);
    const skippable = own.find((r) => r.block === block);
    if (HANDLE_KINDS.has(acquisition.kind)) {
      // Closed in a helper function (called from who knows where), or somewhere else in its own test: not ours to judge.
      if (releases.some((r) => r.block === undefined || r.block.hook === 'afterAll' || r.block.hook === 'afterEach') || (!skippable && own.length > 0)) continue;
      // Closed in a callback the test registers before opening it (`onResponseEnd() { server.close() }`): it runs later.
      if (!skippable && releases.some((r) => r.block && owningTest(r.block) === owningTest(block) && r.node.getStart() < acquisition.node.getStart())) continue;
      reportHandle(context, acquisition, where, advice, skippable);
      continue;
    }
    if (skippable) {
      // Restored at the end of the body: skipped when something before it throws.
      if (!mayThrowBetween(block, acquisition.node.getEnd(), skippable.node.getStart())) continue;
      if (later.length === 0) continue;
      report({
        node: skippable.node,
        message: `This restore at the end of ${where} is skipped when an assertion or awaited call before it fails; later tests in this file (starting with '${later[0]!.title ?? 'the next test'}') then ${leakEffect(acquisition)}. Restore it in afterEach, onTestFinished or a finally block.`,
      });
      continue;
    }
    if (own.length > 0 || later.length === 0) continue;
    report({
      node: acquisition.node,
      message: `${subject(acquisition)} in ${where} is never undone (no ${advice} in afterEach, onTestFinished or finally${acquisition.runner === 'sinon' ? '' : CONFIG_NOTE[acquisition.kind] ?? ''}): later tests in this file, starting with '${later[0]!.title ?? 'the next test'}', ${leakEffect(acquisition)}.`,
      fixes: restoreFix(context, resources, acquisition, offered),
    });
  }
}

export const missingCleanup: Rule = {
  meta: {
    id: 'missing-cleanup',
    category: 'isolation',
    defaultSeverity: 'warning',
    requiresTypes: true,
    docs: {
      summary: 'Reports fake timers, mocked spies, stubbed env/globals and process.env writes that nothing undoes before later tests run, and servers, intervals, database connections, browsers, temp dirs and watchers that tests open and never close.',
      why: 'State a test changes and does not restore leaks into the tests that run after it: they pass or fail depending on which tests ran before them, their order and their worker.',
      badExample: "it('retries', () => {\n  vi.useFakeTimers();\n  vi.spyOn(api, 'load').mockRejectedValue(new Error('down'));\n  // ...\n});",
      goodExample: "afterEach(() => {\n  vi.useRealTimers();\n  vi.restoreAllMocks();\n});\nit('retries', () => {\n  vi.useFakeTimers();\n  vi.spyOn(api, 'load').mockRejectedValue(new Error('down'));\n  // ...\n});",
    },
  },
  check,
};
