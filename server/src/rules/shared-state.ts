import { ts, type TS } from '../engine/typescript.js';
import { isOn, setupHooksDo, type RunnerConfigModel, type TriState } from '../engine/runnerConfig.js';
import { stateModel, type SharedState, type StateAccess, type StateFacet, type StateModel } from '../engine/state.js';
import type { TestBlock, TestModel } from '../engine/testModel.js';
import type { Rule, RuleContext } from '../engine/types.js';

/** The test or hook an access belongs to (a step belongs to its test). */
function runnable(block: TestBlock | undefined): TestBlock | undefined {
  for (let b = block; b; b = b.parent) if (b.kind === 'test' || b.kind === 'hook') return b;
  return undefined;
}

/** Whether a block runs at all (no skip/todo on it or an enclosing suite). */
function active(block: TestBlock): boolean {
  for (let b: TestBlock | undefined = block; b; b = b.parent) if (b.modifiers.includes('skip') || b.modifiers.includes('todo')) return false;
  return true;
}

/** Whether `scope` (undefined: the file) contains the block. */
function encloses(scope: TestBlock | undefined, block: TestBlock): boolean {
  if (!scope) return true;
  for (let b: TestBlock | undefined = block.parent; b; b = b.parent) if (b === scope) return true;
  return false;
}

/** Whether a write of key `written` can change what a read of key `read` sees (`m()`: a method call, which sees whole-state writes only). */
function conflicts(written: string, read: string): boolean {
  return written === '*' || read === '*' || written === read;
}

/** Runs once per case: `it.each(table)`, `test.for(cases)`. */
function repeated(block: TestBlock): boolean {
  return block.modifiers.includes('each') || block.modifiers.includes('for');
}

const RESET_NAMES = /reset|clear|init|setup|set[A-Z_]|restore|fresh|create|seed|prepare|empty|flush|teardown|cleanup/i;

/** Whether an access in a hook or at the start of a test may re-initialise this key of the state. */
function reinitialises(access: StateAccess, key: string, inHook: boolean): boolean {
  if (access.kind === 'write' && access.reinit && (access.key === '*' || access.key === key)) return true;
  // A call we cannot see into that takes the state: in a hook, anything may happen; in a test, only a call named like a reset.
  return access.opaque && (inHook || RESET_NAMES.test(access.how));
}

interface Pair {
  writer: StateAccess;
  writerBlock: TestBlock;
  reader: TestBlock;
  read: StateAccess;
}

const FACETS: readonly StateFacet[] = ['value', 'mock-implementation', 'mock-calls'];

class Checker {
  private configCache: RunnerConfigModel | undefined;
  /** Test titles used more than once in the file: messages name those tests by their title path. */
  private readonly ambiguous = new Set<string>();

  constructor(private readonly context: RuleContext, private readonly model: TestModel, private readonly states: StateModel) {
    const seen = new Set<string>();
    for (const block of model.blocks) {
      if (block.kind !== 'test' || block.title === undefined) continue;
      if (seen.has(block.title)) this.ambiguous.add(block.title);
      seen.add(block.title);
    }
  }

  /** A block's title; when another test of the file has the same title, the shortest title path that tells them apart (`sync › no error`). */
  private title(block: TestBlock): string {
    const own = block.title ?? block.calleeText;
    if (!this.ambiguous.has(own)) return own;
    const path = (b: TestBlock): string[] => {
      const parts: string[] = [];
      for (let x: TestBlock | undefined = b; x; x = x.parent) parts.unshift(x.title ?? x.calleeText);
      return parts;
    };
    const mine = path(block);
    const others = this.model.blocks.filter((b) => b !== block && b.kind === 'test' && b.title === own).map(path);
    for (let length = 2; length < mine.length; length++) {
      const suffix = mine.slice(-length).join(' › ');
      if (others.every((o) => o.slice(-length).join(' › ') !== suffix)) return suffix;
    }
    return mine.join(' › ');
  }

  private describeWriter(block: TestBlock): string {
    if (block.kind === 'test') return `test '${this.title(block)}'`;
    return `the ${block.calleeText} hook ${block.parent ? `of suite '${this.title(block.parent)}'` : 'at file level'}`;
  }

  private config(): RunnerConfigModel {
    return (this.configCache ??= this.context.runnerConfig());
  }

  /** Whether the runner config or a setup file's hooks reset this facet of every mock before each test ('unknown' counts as yes). */
  private configResets(facet: StateFacet): boolean {
    const config = this.config();
    const states: TriState[] = facet === 'mock-calls'
      ? [isOn(config.clearMocks), isOn(config.mockReset), isOn(config.restoreMocks), setupHooksDo(config, 'clearMocks'), setupHooksDo(config, 'resetMocks'), setupHooksDo(config, 'restoreMocks')]
      : [isOn(config.mockReset), isOn(config.restoreMocks), setupHooksDo(config, 'resetMocks'), setupHooksDo(config, 'restoreMocks')];
    return states.some((s) => s !== 'no');
  }

  /** A hook of this kind, covering the block, that re-initialises the key (or resets every mock). */
  private hookResets(state: SharedState, facet: StateFacet, key: string, hookKind: 'beforeEach' | 'afterEach' | 'beforeAll', covered: TestBlock, except: TestBlock): boolean {
    for (const hook of this.model.blocks) {
      if (hook.hook !== hookKind || hook === except || !encloses(hook.parent, covered)) continue;
      // A beforeAll re-initialises for its suite's tests only against writers outside that suite (a suite runs as one block).
      if (hookKind === 'beforeAll' && (!hook.parent || encloses(hook.parent, except))) continue;
      // A hook passed by reference: its effect is unknown.
      if (!hook.callback) return true;
      if (state.accesses.some((a) => a.facet === facet && runnable(a.block) === hook && reinitialises(a, key, true))) return true;
      // The whole binding set again (`fn = vi.fn()`) resets every facet.
      if (state.accesses.some((a) => a.facet === 'value' && runnable(a.block) === hook && a.kind === 'write' && a.reinit && a.key === '*')) return true;
      if (facet !== 'value' && this.states.mockResets.some((r) => r.facets.includes(facet) && runnable(r.block) === hook)) return true;
    }
    return false;
  }

  /**
   * An afterAll of a suite that holds the writer but not the reader (or an afterEach around a hook writer) writing
   * the same key: it puts the state back before the reader's suite runs (`before` sets a client option, `after` resets it).
   */
  private teardownRestores(state: SharedState, facet: StateFacet, key: string, writer: TestBlock, reader: TestBlock): boolean {
    for (const hook of this.model.blocks) {
      if (hook.hook !== 'afterAll' && hook.hook !== 'afterEach') continue;
      if (!hook.parent || !encloses(hook.parent, writer) || encloses(hook.parent, reader)) continue;
      if (!hook.callback) return true;
      if (state.accesses.some((a) => a.facet === facet && runnable(a.block) === hook && ((a.kind === 'write' && (a.key === key || a.key === '*')) || a.opaque))) return true;
    }
    return false;
  }

  /**
   * `orm.em.schema = SCHEMA` in a test when the file or a beforeAll already set `orm.em.schema = SCHEMA`: the test
   * writes the value the state has anyway (a constant, not a call), so no other test can see a difference.
   */
  private restatesSetup(state: SharedState, access: StateAccess): boolean {
    const write = access.node;
    if (!ts.isBinaryExpression(write) || write.operatorToken.kind !== ts.SyntaxKind.EqualsToken) return false;
    const value = write.right;
    const constant = ts.isLiteralExpression(value) || ts.isIdentifier(value) || value.kind === ts.SyntaxKind.TrueKeyword || value.kind === ts.SyntaxKind.FalseKeyword || value.kind === ts.SyntaxKind.NullKeyword;
    if (!constant) return false;
    const left = write.left.getText();
    const text = value.getText();
    return state.accesses.some((a) => a !== access && a.kind === 'write' && ts.isBinaryExpression(a.node) && a.node.operatorToken.kind === ts.SyntaxKind.EqualsToken
      && (a.site === 'init' || runnable(a.block)?.hook === 'beforeAll') && a.node.left.getText() === left && a.node.right.getText() === text);
  }

  private serial(a: TestBlock, b: TestBlock): boolean {
    for (const scope of this.states.serialScopes) if (encloses(scope, a) && encloses(scope, b)) return true;
    return false;
  }

  /** The reads of a test that see the state as it was when the test began (before the test re-initialises it). */
  private unprotectedReads(accesses: StateAccess[]): StateAccess[] {
    const reinitialised = new Set<string>();
    const reads: StateAccess[] = [];
    // `create({ id: ++id })`: a test that bumps a counter and uses the new value only as an input (a unique id) does
    // not care what it was; one that asserts the value after bumping it does.
    let bumped = false;
    // `for (const c of cases) { options = await load(); use(options); }`: set at the top of every iteration, then read
    // in the same iteration; reads inside that loop after such a write see the test's own value.
    const reinitialisedInLoop: Array<{ key: string; loop: TS.IterationStatement }> = [];
    const insideLoop = (access: StateAccess) =>
      reinitialisedInLoop.some((r) => (r.key === '*' || r.key === access.key) && r.loop.getStart() <= access.node.getStart() && access.node.getEnd() <= r.loop.getEnd());
    for (const access of accesses) {
      if (reinitialised.has('*')) break;
      if (access.kind === 'write' && access.key === '*' && access.unconditional && ['++', '--', '+=', '-='].includes(access.how)) bumped = true;
      if (bumped && access.kind === 'read' && !access.asserted) continue;
      if (access.unconditional && reinitialises(access, access.key, false)) {
        reinitialised.add(access.opaque ? '*' : access.key);
        continue;
      }
      if (access.loop && reinitialises(access, access.key, false)) {
        reinitialisedInLoop.push({ key: access.opaque ? '*' : access.key, loop: access.loop });
        continue;
      }
      if (access.kind === 'read' && !reinitialised.has(access.key) && !(access.key === '*' && reinitialised.size > 0) && !insideLoop(access)) reads.push(access);
    }
    return reads;
  }

  pairs(state: SharedState, facet: StateFacet): Pair[] {
    const accesses = state.accesses.filter((a) => a.facet === facet && a.site === 'block');
    const writers: Array<{ access: StateAccess; block: TestBlock }> = [];
    for (const access of accesses) {
      if (access.kind !== 'write' || access.guaranteed) continue;
      const block = runnable(access.block);
      if (!block || !active(block)) continue;
      // Put back however the test ends (`finally`, onTestFinished), or at its end from a saved local (`x.mode = saved`):
      // the change does not outlive the test (a failure before a plain restore is missing-cleanup's concern).
      // An `after`/`afterEach` registered from inside the test (node:test, mocha) is such a teardown too.
      if (access.restoresSaved) continue;
      if (accesses.some((a) => a.kind === 'write' && (a.key === access.key || a.key === '*') && (
        (runnable(a.block) === block && (a.guaranteed || (a.restoresSaved && a.unconditional && a.node.getStart() > access.node.getStart())))
        || (runnable(a.block)?.parent === block && (runnable(a.block)?.hook === 'afterAll' || runnable(a.block)?.hook === 'afterEach'))))) continue;
      if (block.kind === 'test' && this.restatesSetup(state, access)) continue;
      if (block.kind === 'test' || block.hook === 'beforeAll' || block.hook === 'beforeEach') writers.push({ access, block });
    }
    if (writers.length === 0) return [];
    // A beforeEach/afterEach that changes the state without re-initialising it (`afterEach(() => counter++)`) carries
    // it across tests on purpose (tests track a library's own counter): what each test should see is not ours to judge.
    if (accesses.some((a) => a.kind === 'write' && !a.reinit && !a.guaranteed && (runnable(a.block)?.hook === 'afterEach' || runnable(a.block)?.hook === 'beforeEach'))) return [];
    if (facet !== 'value' && this.configResets(facet)) return [];
    const byReader = new Map<TestBlock, StateAccess[]>();
    for (const access of accesses) {
      const block = runnable(access.block);
      if (!block || block.kind !== 'test' || !active(block)) continue;
      let list = byReader.get(block);
      if (!list) byReader.set(block, (list = []));
      list.push(access);
    }
    const pairs: Pair[] = [];
    for (const [reader, own] of byReader) {
      own.sort((a, b) => a.node.getStart() - b.node.getStart());
      const reads = this.unprotectedReads(own);
      if (reads.length === 0) continue;
      for (const writer of writers) {
        const w = writer.block;
        if (w === reader && !repeated(reader)) continue;
        if (w.kind === 'hook' && encloses(w.parent, reader)) continue;
        // mocha: a test's `this` is its suite's context, which the suite's descendants inherit.
        if (state.kind === 'this-property' && (w.kind !== 'test' || !encloses(w.parent, reader))) continue;
        const read = reads.find((r) => conflicts(writer.access.key, r.key) && !r.except?.includes(writer.access.key));
        if (!read) continue;
        if (this.serial(w, reader)) continue;
        if (this.hookResets(state, facet, writer.access.key, 'beforeEach', reader, w)) continue;
        if (w.kind === 'test' && this.hookResets(state, facet, writer.access.key, 'afterEach', w, w)) continue;
        if (this.teardownRestores(state, facet, writer.access.key, w, reader)) continue;
        if (this.hookResets(state, facet, writer.access.key, 'beforeAll', reader, w)) continue;
        pairs.push({ writer: writer.access, writerBlock: w, reader, read });
      }
    }
    return pairs;
  }

  run(): void {
    for (const state of this.states.states) {
      if (state.unknown) continue;
      for (const facet of FACETS) {
        if (facet !== 'value' && state.kind !== 'mock') continue;
        const pairs = this.pairs(state, facet);
        if (pairs.length > 0) this.report(state, facet, pairs);
      }
    }
  }

  private lineOf(access: StateAccess): number {
    return this.context.sourceFile.getLineAndCharacterOfPosition(access.node.getStart()).line + 1;
  }

  private orderClause(reader: TestBlock): string {
    if (reader.framework === 'playwright') return 'Playwright starts a new worker after a failure, runs a filtered test alone and, with fullyParallel, puts tests in different workers';
    return 'test order, shuffle, `.concurrent`, running one test alone';
  }

  private mockApi(): string {
    return this.model.frameworks.has('jest') ? 'jest' : 'vi';
  }

  private report(state: SharedState, facet: StateFacet, pairs: Pair[]): void {
    // One finding per state and facet, at the first reader; prefer a writer that runs before it in the written order.
    pairs.sort((a, b) => a.read.node.getStart() - b.read.node.getStart());
    const reader = pairs[0]!.reader;
    const forReader = pairs.filter((p) => p.reader === reader);
    const pair = forReader.find((p) => p.writer.node.getStart() < reader.call.getStart()) ?? forReader[0]!;
    const { writer, writerBlock, read } = pair;
    const name = writer.key !== '*' && read.key !== '*' ? `${state.name}.${writer.key}` : state.name;
    const otherWriters = new Set(forReader.map((p) => p.writerBlock).filter((b) => b !== writerBlock)).size;
    const more = otherWriters > 0 ? `; ${otherWriters} other ${otherWriters > 1 ? 'tests or hooks change' : 'test or hook changes'} it too` : '';
    /** Where the writer writes: `line 4: \`push\``, plus how many others write. */
    const at = `line ${this.lineOf(writer)}: \`${writer.how}\`${more}`;
    const atLine = `line ${this.lineOf(writer)}${more}`;
    const r = `'${this.title(reader)}'`;
    const otherReaders = [...new Set(pairs.map((p) => p.reader).filter((b) => b !== reader))];
    const others = otherReaders.length === 0 ? '' : ` (and ${otherReaders.length} other test${otherReaders.length > 1 ? 's' : ''})`;
    let message: string;
    if (writerBlock === reader) {
      message = `Each case of ${r} reads \`${name}\`, which the case before it changed (${at}), with no reset in beforeEach: a case sees a different value depending on which cases ran before it (running one case alone, shuffle). Re-initialise \`${state.name}\` in beforeEach or at the start of the test.`;
    } else if (writerBlock.kind === 'hook') {
      message = `Test ${r}${others} reads \`${name}\`, which ${this.describeWriter(writerBlock)} sets (${atLine}), but ${r} is outside that suite: it depends on that suite's hook having run before it (${this.orderClause(reader)}). Set \`${state.name}\` up in a hook that covers ${r}.`;
    } else if (facet === 'mock-implementation') {
      const uses = read.how === 'call' || read.how === 'apply' ? `calls the mock \`${name}\`` : `expects the mock \`${name}\` to be called (\`${read.how}\`)`;
      message = `Test ${r}${others} ${uses} without giving it an implementation first, and test '${this.title(writerBlock)}' sets one (${at}) that nothing resets (mockReset and restoreMocks are off, no reset in beforeEach or afterEach): the mock returns that implementation's result or the default depending on whether '${this.title(writerBlock)}' ran before ${r} (${this.orderClause(reader)}). Reset the mock in beforeEach (\`mockReset()\`) or give it its implementation in every test.`;
    } else if (facet === 'mock-calls') {
      message = `Test ${r}${others} asserts how often \`${name}\` was called (\`${read.how}\`), and test '${this.title(writerBlock)}' calls it too (${atLine}) with nothing clearing the call history between tests (clearMocks is off, no mockClear or ${this.mockApi()}.clearAllMocks() in beforeEach or afterEach): the count includes the calls of '${this.title(writerBlock)}' whenever it ran before ${r} (${this.orderClause(reader)}). Clear the mocks in beforeEach or turn on clearMocks in the runner config.`;
    } else {
      // `x = v` and mocha's `this.x = v` give the state a new value; anything else changes part of it.
      const target = ts.isBinaryExpression(writer.node) ? writer.node.left : undefined;
      const verb = target && (ts.isIdentifier(target) || (state.kind === 'this-property' && ts.isPropertyAccessExpression(target))) && writer.how === '=' ? 'assigns' : 'changes';
      message = `Test ${r}${others} reads \`${name}\`, which test '${this.title(writerBlock)}' ${verb} (${at}) with no reset in beforeEach: ${r} sees a different value depending on whether '${this.title(writerBlock)}' ran before it (${this.orderClause(reader)}). Re-initialise \`${state.name}\` in beforeEach.`;
    }
    const related = [{ node: writer.node, message: `\`${state.name}\` changed here by ${this.describeWriter(writerBlock)}` }];
    for (const other of forReader.filter((p) => p.writerBlock !== writerBlock && p.writerBlock !== reader).slice(0, 5)) {
      if (related.some((x) => x.node === other.writer.node)) continue;
      related.push({ node: other.writer.node, message: `\`${state.name}\` also changed here by ${this.describeWriter(other.writerBlock)}` });
    }
    for (const other of otherReaders.slice(0, 5)) {
      const p = pairs.find((x) => x.reader === other)!;
      related.push({ node: p.read.node, message: `also read by test '${this.title(other)}'` });
    }
    this.context.report({ node: read.node, message, related });
  }
}

function check(context: RuleContext): void {
  const { model } = context;
  if (model.blocks.length === 0) return;
  const states = stateModel(model);
  if (states.states.length === 0) return;
  new Checker(context, model, states).run();
}

export const sharedState: Rule = {
  meta: {
    id: 'shared-state',
    category: 'isolation',
    defaultSeverity: 'warning',
    requiresTypes: true,
    docs: {
      summary: 'Reports module- or suite-scope state (variables, arrays, maps, objects, mocha `this`, mock implementations and call counts) that one test changes and another test reads, with no reset before each test.',
      why: 'A test that reads what another test left behind passes or fails depending on whether that test ran first: shuffled order, `.concurrent`, a filtered or retried run, or another worker change the result.',
      badExample: "let count = 0;\nit('adds an item', () => {\n  count += 1;\n});\nit('has one item', () => {\n  expect(count).toBe(1);\n});",
      goodExample: "let count: number;\nbeforeEach(() => {\n  count = 0;\n});\nit('adds an item', () => {\n  count += 1;\n  expect(count).toBe(1);\n});",
    },
  },
  check,
};
