/**
 * A static evaluator for config modules: object and array literals, `defineConfig(...)`-style wrappers,
 * `mergeConfig`, spreads, identifiers bound to literals, template strings, path helpers and imports of
 * local modules, read from standalone TypeScript source files (never the workspace program, never executed).
 * Anything else evaluates to `unknown` with a reason: nothing is guessed.
 */
import * as path from 'node:path';
import { pathToFileURL, fileURLToPath } from 'node:url';
import { ts, type TS } from '../typescript.js';
import type { ConfigHost } from './reader.js';

/** A span of text in a file. */
export interface Span {
  file: string;
  start: number;
  end: number;
}

export type Primitive = string | number | boolean | null | undefined;

export type Val =
  | { t: 'lit'; v: Primitive; at: Span }
  | { t: 'regex'; source: string; flags: string; at: Span }
  /** `open`: the array has items we could not read (an unknown spread). */
  | { t: 'arr'; items: Val[]; at: Span; open?: string }
  /** `open`: keys not listed may exist (an unknown spread); listed keys before it became unknown. */
  | { t: 'obj'; props: Map<string, Prop>; at: Span; open?: string }
  /** A function value: `call` evaluates its result with unknown arguments. */
  | { t: 'fn'; call: () => Val; at: Span }
  | { t: 'unknown'; reason: string; at: Span };

export interface Prop {
  /** The key as written (or the spread/shorthand that provided it). */
  key: Span;
  value: Val;
}

/** Span file of values that stand for a runner's built-in defaults rather than text in a config. */
export const VITEST_DEFAULTS_FILE = '<vitest configDefaults>';
/**
 * vitest's `configDefaults.exclude` changed between versions (v4: node_modules and .git only); this is the
 * union, so a path matching none of it is excluded by none of the versions.
 */
const VITEST_DEFAULT_EXCLUDE_UNION = [
  '**/node_modules/**', '**/dist/**', '**/cypress/**', '**/.{idea,git,cache,output,temp}/**',
  '**/{karma,rollup,webpack,vite,vitest,jest,ava,babel,nyc,cypress,tsup,build,eslint,prettier}.config.*',
];
const VITEST_DEFAULT_INCLUDE = ['**/*.{test,spec}.?(c|m)[jt]s?(x)'];

const MAX_DEPTH = 40;
const MAX_IMPORT_DEPTH = 6;
const SCRIPT_EXTENSIONS = ['.ts', '.mts', '.cts', '.js', '.mjs', '.cjs', '.json'];

/** Names of config wrappers that return (or merge) their object arguments. */
const PASSTHROUGH = new Set(['defineConfig', 'defineProject', 'defineWorkspace', 'defineVitestConfig', 'defineVitestProject', 'defineJestConfig']);

export function unknown(reason: string, at: Span): Val {
  return { t: 'unknown', reason, at };
}

export function spanOf(node: TS.Node, file: TS.SourceFile): Span {
  return { file: file.fileName, start: node.getStart(file), end: node.getEnd() };
}

/** Plain JS value of a fully known Val (undefined when any part is unknown or a function). */
export function plain(value: Val): { ok: true; value: unknown } | { ok: false } {
  switch (value.t) {
    case 'lit':
      return { ok: true, value: value.v };
    case 'regex':
      return { ok: true, value: `/${value.source}/${value.flags}` };
    case 'arr': {
      if (value.open) return { ok: false };
      const items: unknown[] = [];
      for (const item of value.items) {
        const p = plain(item);
        if (!p.ok) return p;
        items.push(p.value);
      }
      return { ok: true, value: items };
    }
    case 'obj': {
      if (value.open) return { ok: false };
      const out: Record<string, unknown> = {};
      for (const [key, prop] of value.props) {
        const p = plain(prop.value);
        if (!p.ok) return p;
        out[key] = p.value;
      }
      return { ok: true, value: out };
    }
    default:
      return { ok: false };
  }
}

function sameValue(a: Val, b: Val): boolean {
  const pa = plain(a);
  const pb = plain(b);
  return pa.ok && pb.ok && JSON.stringify(pa.value) === JSON.stringify(pb.value);
}

/** Deep merge as vite's mergeConfig does it: objects merged, arrays concatenated, later primitives win. */
export function mergeValues(base: Val, override: Val, at: Span): Val {
  if (override.t === 'lit' && override.v === undefined) return base;
  if (base.t === 'lit' && (base.v === undefined || base.v === null)) return override;
  if (base.t === 'unknown') return override.t === 'obj' || override.t === 'arr' ? { ...override, open: override.open ?? base.reason } : override;
  if (override.t === 'unknown') return override;
  if (base.t === 'obj' && override.t === 'obj') {
    const props = new Map(base.props);
    for (const [key, prop] of override.props) {
      const existing = props.get(key);
      props.set(key, existing ? { key: prop.key, value: mergeValues(existing.value, prop.value, prop.key) } : prop);
    }
    const open = override.open ?? base.open;
    return { t: 'obj', props, at, ...(open ? { open } : {}) };
  }
  if (base.t === 'arr' || override.t === 'arr') {
    const items = [...(base.t === 'arr' ? base.items : [base]), ...(override.t === 'arr' ? override.items : [override])];
    const open = (base.t === 'arr' ? base.open : undefined) ?? (override.t === 'arr' ? override.open : undefined);
    return { t: 'arr', items, at, ...(open ? { open } : {}) };
  }
  return override;
}

interface ModuleRecord {
  sourceFile: TS.SourceFile;
  /** Top-level bindings: name -> evaluated lazily. */
  bindings: Map<string, () => Val>;
  exports: Map<string, () => Val>;
  /** `module.exports = ...` / `export =`. */
  commonJs?: () => Val;
  /** Exports we could not follow (`export * from 'pkg'`). */
  openExports?: string;
}

type Scope = Map<string, () => Val>;

/**
 * Evaluates modules of one config (the config file and the local modules it imports). Every file read goes
 * through the host, and is recorded in `inputs` so a change to any of them invalidates the result.
 */
export class ModuleEvaluator {
  readonly inputs = new Set<string>();
  private readonly modules = new Map<string, ModuleRecord | null>();
  private readonly evaluating = new Set<string>();
  private depth = 0;
  private importDepth = 0;

  constructor(private readonly host: ConfigHost) {}

  /** The value a config module exports: `export default`, else `module.exports`, with a function config called. */
  configValue(file: string): Val {
    const record = this.module(file);
    const at = { file, start: 0, end: 0 };
    if (!record) return unknown(`cannot read ${path.basename(file)}`, at);
    const thunk = record.exports.get('default') ?? record.commonJs;
    if (!thunk) {
      // A JSON file's value is the document itself.
      return unknown('the config has no default export', at);
    }
    return this.callIfFunction(thunk());
  }

  /** Parses a JSON (or JSONC) file into a Val with offsets. */
  jsonValue(file: string): Val {
    const record = this.module(file);
    const at = { file, start: 0, end: 0 };
    if (!record) return unknown(`cannot read ${path.basename(file)}`, at);
    return record.commonJs?.() ?? unknown('empty JSON document', at);
  }

  callIfFunction(value: Val): Val {
    return value.t === 'fn' ? value.call() : value;
  }

  module(file: string): ModuleRecord | undefined {
    const abs = path.resolve(file);
    const cached = this.modules.get(abs);
    if (cached !== undefined) return cached ?? undefined;
    this.inputs.add(abs);
    const text = this.host.readFile(abs);
    if (text === undefined) {
      this.modules.set(abs, null);
      return undefined;
    }
    const record = abs.endsWith('.json') || /\.jsonc$/.test(abs) || path.basename(abs) === '.mocharc' ? this.jsonModule(abs, text) : this.scriptModule(abs, text);
    this.modules.set(abs, record);
    return record;
  }

  private jsonModule(file: string, text: string): ModuleRecord {
    const sourceFile = ts.parseJsonText(file, text);
    const statement = sourceFile.statements[0];
    const scope: Scope = new Map();
    const value = statement ? () => this.evaluate(statement.expression, sourceFile, scope) : undefined;
    return { sourceFile, bindings: scope, exports: new Map(), ...(value ? { commonJs: value } : {}) };
  }

  private scriptModule(file: string, text: string): ModuleRecord {
    const kind = /\.[cm]?tsx?$/.test(file) ? ts.ScriptKind.TS : ts.ScriptKind.JS;
    const sourceFile = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, kind);
    const bindings: Scope = new Map();
    const exports = new Map<string, () => Val>();
    const record: ModuleRecord = { sourceFile, bindings, exports };
    const reassigned = reassignedNames(sourceFile);
    const memo = (fn: () => Val, node: TS.Node, name: string): (() => Val) => {
      let done: Val | undefined;
      return () => {
        if (done) return done;
        const key = `${file}#${name}`;
        if (this.evaluating.has(key)) return unknown(`${name} refers to itself`, spanOf(node, sourceFile));
        this.evaluating.add(key);
        try {
          done = fn();
        } finally {
          this.evaluating.delete(key);
        }
        return done;
      };
    };

    for (const statement of sourceFile.statements) {
      const exported = ts.canHaveModifiers(statement) && ts.getModifiers(statement)?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
      const isDefault = ts.canHaveModifiers(statement) && ts.getModifiers(statement)?.some((m) => m.kind === ts.SyntaxKind.DefaultKeyword);
      if (ts.isVariableStatement(statement)) {
        for (const declaration of statement.declarationList.declarations) {
          this.bindPattern(declaration.name, declaration.initializer, sourceFile, bindings, memo, exported ? exports : undefined);
          // A `let`/`var` assigned again somewhere holds a value we cannot know.
          for (const name of boundNames(declaration.name)) {
            if (!reassigned.has(name)) continue;
            const at = spanOf(declaration, sourceFile);
            const thunk = (): Val => unknown(`\`${name}\` is reassigned`, at);
            bindings.set(name, thunk);
            if (exported) exports.set(name, thunk);
          }
        }
      } else if ((ts.isFunctionDeclaration(statement) || ts.isClassDeclaration(statement))) {
        const node = statement;
        const thunk = memo(() => (ts.isFunctionDeclaration(node) ? this.functionValue(node, sourceFile, bindings) : unknown('a class instance', spanOf(node, sourceFile))), node, node.name?.text ?? 'default');
        if (node.name) bindings.set(node.name.text, thunk);
        if (isDefault) exports.set('default', thunk);
        else if (exported && node.name) exports.set(node.name.text, thunk);
      } else if (ts.isImportDeclaration(statement) && ts.isStringLiteral(statement.moduleSpecifier)) {
        this.bindImport(statement, sourceFile, bindings);
      } else if (ts.isImportEqualsDeclaration(statement) && ts.isExternalModuleReference(statement.moduleReference) && ts.isStringLiteral(statement.moduleReference.expression)) {
        const specifier = statement.moduleReference.expression.text;
        const at = spanOf(statement, sourceFile);
        bindings.set(statement.name.text, () => this.requireValue(specifier, file, at));
      } else if (ts.isExportAssignment(statement)) {
        const thunk = memo(() => this.evaluate(statement.expression, sourceFile, bindings), statement, 'default');
        if (statement.isExportEquals) record.commonJs = thunk;
        else exports.set('default', thunk);
      } else if (ts.isExportDeclaration(statement)) {
        this.bindReExport(statement, sourceFile, bindings, exports, record);
      } else if (ts.isExpressionStatement(statement) && ts.isBinaryExpression(statement.expression) && statement.expression.operatorToken.kind === ts.SyntaxKind.EqualsToken) {
        const { left, right } = statement.expression;
        const target = left.getText(sourceFile);
        const thunk = memo(() => this.evaluate(right, sourceFile, bindings), statement, target);
        if (target === 'module.exports') record.commonJs = thunk;
        else {
          const match = /^(?:module\.)?exports\.([\w$]+)$/.exec(target);
          if (match) {
            const name = match[1]!;
            exports.set(name, thunk);
            const previous = record.commonJs;
            // `module.exports.x = ...` after `module.exports = {...}` adds a key to it.
            record.commonJs = () => {
              const base = previous?.() ?? ({ t: 'obj', props: new Map(), at: spanOf(statement, sourceFile) } as Val);
              if (base.t !== 'obj') return base;
              const props = new Map(base.props);
              props.set(name, { key: spanOf(left, sourceFile), value: thunk() });
              return { ...base, props };
            };
          }
        }
      }
    }
    if (!record.commonJs && exports.size > 0 && !exports.has('default')) {
      // `exports.x = ...` only: the module object is the value.
      const names = [...exports.keys()];
      record.commonJs = () => {
        const props = new Map<string, Prop>();
        for (const name of names) props.set(name, { key: { file, start: 0, end: 0 }, value: exports.get(name)!() });
        return { t: 'obj', props, at: { file, start: 0, end: 0 } };
      };
    }
    return record;
  }

  private bindPattern(
    name: TS.BindingName,
    initializer: TS.Expression | undefined,
    sourceFile: TS.SourceFile,
    scope: Scope,
    memo: (fn: () => Val, node: TS.Node, name: string) => () => Val,
    exports: Map<string, () => Val> | undefined,
  ): void {
    if (ts.isIdentifier(name)) {
      const at = spanOf(name, sourceFile);
      const thunk = memo(() => (initializer ? this.evaluate(initializer, sourceFile, scope) : unknown(`${name.text} has no initializer`, at)), name, name.text);
      scope.set(name.text, thunk);
      exports?.set(name.text, thunk);
      return;
    }
    if (ts.isObjectBindingPattern(name)) {
      for (const element of name.elements) {
        if (!ts.isIdentifier(element.name)) continue;
        const local = element.name.text;
        const key = element.propertyName && ts.isIdentifier(element.propertyName) ? element.propertyName.text : element.dotDotDotToken ? undefined : local;
        const at = spanOf(element, sourceFile);
        const thunk = memo(() => {
          if (!initializer || key === undefined) return unknown(`${local} is destructured`, at);
          const whole = this.evaluate(initializer, sourceFile, scope);
          return member(whole, key, at);
        }, element, local);
        scope.set(local, thunk);
        exports?.set(local, thunk);
      }
    }
  }

  private bindImport(statement: TS.ImportDeclaration, sourceFile: TS.SourceFile, scope: Scope): void {
    const specifier = (statement.moduleSpecifier as TS.StringLiteral).text;
    const clause = statement.importClause;
    if (!clause) return;
    const at = spanOf(statement, sourceFile);
    const from = sourceFile.fileName;
    if (clause.name) scope.set(clause.name.text, () => this.importBinding(specifier, from, 'default', at));
    const named = clause.namedBindings;
    if (named && ts.isNamespaceImport(named)) {
      scope.set(named.name.text, () => this.importNamespace(specifier, from, at));
    } else if (named) {
      for (const element of named.elements) {
        const imported = (element.propertyName ?? element.name).text;
        scope.set(element.name.text, () => this.importBinding(specifier, from, imported, at));
      }
    }
  }

  private bindReExport(statement: TS.ExportDeclaration, sourceFile: TS.SourceFile, scope: Scope, exports: Map<string, () => Val>, record: ModuleRecord): void {
    const at = spanOf(statement, sourceFile);
    const specifier = statement.moduleSpecifier && ts.isStringLiteral(statement.moduleSpecifier) ? statement.moduleSpecifier.text : undefined;
    const clause = statement.exportClause;
    if (!clause) {
      record.openExports = `export * from '${specifier ?? '?'}'`;
      return;
    }
    if (!ts.isNamedExports(clause)) return;
    for (const element of clause.elements) {
      const local = (element.propertyName ?? element.name).text;
      const exported = element.name.text;
      exports.set(exported, specifier !== undefined
        ? () => this.importBinding(specifier, sourceFile.fileName, local, at)
        : () => scope.get(local)?.() ?? unknown(`${local} is not bound`, at));
    }
  }

  /** Resolves a relative module specifier to a file (extensions and index files probed). */
  resolveModule(specifier: string, from: string): string | undefined {
    if (!specifier.startsWith('.') && !path.isAbsolute(specifier)) return undefined;
    const base = path.resolve(path.dirname(from), specifier);
    const candidates = [base];
    // `./base.js` in TypeScript ESM means `./base.ts`.
    const jsExt = /\.([cm]?)js$/.exec(base);
    if (jsExt) candidates.push(base.replace(/\.([cm]?)js$/, `.${jsExt[1]}ts`));
    for (const ext of SCRIPT_EXTENSIONS) candidates.push(base + ext);
    for (const ext of SCRIPT_EXTENSIONS) candidates.push(path.join(base, `index${ext}`));
    for (const candidate of candidates) {
      this.inputs.add(candidate);
      if (this.host.fileExists(candidate)) return candidate;
    }
    return undefined;
  }

  private withModule(specifier: string, from: string, at: Span, use: (record: ModuleRecord, file: string) => Val): Val {
    const target = this.resolveModule(specifier, from);
    if (!target) return unknown(`imported from '${specifier}', which is not a local module`, at);
    if (this.importDepth >= MAX_IMPORT_DEPTH) return unknown(`imports nested too deeply to follow ('${specifier}')`, at);
    const record = this.module(target);
    if (!record) return unknown(`cannot read '${specifier}'`, at);
    this.importDepth++;
    try {
      return use(record, target);
    } finally {
      this.importDepth--;
    }
  }

  private importBinding(specifier: string, from: string, name: string, at: Span): Val {
    return this.withModule(specifier, from, at, (record) => {
      const thunk = record.exports.get(name);
      if (thunk) return thunk();
      if (name === 'default' && record.commonJs) return record.commonJs();
      const cjs = record.commonJs?.();
      if (cjs && cjs.t === 'obj' && cjs.props.has(name)) return cjs.props.get(name)!.value;
      return unknown(record.openExports ? `'${name}' may come from ${record.openExports}` : `'${specifier}' has no export '${name}'`, at);
    });
  }

  private importNamespace(specifier: string, from: string, at: Span): Val {
    return this.withModule(specifier, from, at, (record, file) => {
      const props = new Map<string, Prop>();
      for (const [name, thunk] of record.exports) props.set(name, { key: at, value: thunk() });
      const open = record.openExports;
      return { t: 'obj', props, at: { file, start: 0, end: 0 }, ...(open ? { open } : {}) };
    });
  }

  private requireValue(specifier: string, from: string, at: Span): Val {
    return this.withModule(specifier, from, at, (record) => {
      if (record.commonJs) return record.commonJs();
      const props = new Map<string, Prop>();
      for (const [name, thunk] of record.exports) props.set(name, { key: at, value: thunk() });
      return { t: 'obj', props, at };
    });
  }

  private functionValue(node: TS.FunctionLikeDeclaration, sourceFile: TS.SourceFile, outer: Scope): Val {
    const at = spanOf(node, sourceFile);
    return {
      t: 'fn',
      at,
      call: () => {
        const scope: Scope = new Map(outer);
        for (const parameter of node.parameters) {
          for (const name of boundNames(parameter.name)) {
            scope.set(name, () => unknown(`depends on the config function's argument ${name}`, spanOf(parameter, sourceFile)));
          }
        }
        const body = node.body;
        if (!body) return unknown('function without a body', at);
        if (!ts.isBlock(body)) return this.evaluate(body, sourceFile, scope);
        // A block body: local consts, then one return at its top level.
        const returns: TS.ReturnStatement[] = [];
        let branches = false;
        const findReturns = (n: TS.Node): void => {
          if (ts.isFunctionLike(n)) return;
          if (ts.isReturnStatement(n)) returns.push(n);
          if (ts.isIfStatement(n) || ts.isSwitchStatement(n) || ts.isTryStatement(n) || ts.isIterationStatement(n, false)) branches = true;
          ts.forEachChild(n, findReturns);
        };
        findReturns(body);
        if (returns.length !== 1 || branches || returns[0]!.parent !== body || !returns[0]!.expression) {
          return unknown('the config function has a body that cannot be read statically', at);
        }
        const localMemo = (fn: () => Val): (() => Val) => {
          let done: Val | undefined;
          return () => (done ??= fn());
        };
        for (const statement of body.statements) {
          if (!ts.isVariableStatement(statement)) continue;
          for (const declaration of statement.declarationList.declarations) {
            this.bindPattern(declaration.name, declaration.initializer, sourceFile, scope, localMemo, undefined);
          }
        }
        return this.evaluate(returns[0]!.expression!, sourceFile, scope);
      },
    };
  }

  evaluate(node: TS.Expression, sourceFile: TS.SourceFile, scope: Scope): Val {
    if (this.depth > MAX_DEPTH) return unknown('expression nested too deeply', spanOf(node, sourceFile));
    this.depth++;
    try {
      return this.evaluateInner(node, sourceFile, scope);
    } finally {
      this.depth--;
    }
  }

  private evaluateInner(node: TS.Expression, sf: TS.SourceFile, scope: Scope): Val {
    const at = spanOf(node, sf);
    const text = (): string => {
      const t = node.getText(sf).replace(/\s+/g, ' ');
      return t.length > 60 ? `${t.slice(0, 57)}...` : t;
    };
    if (ts.isParenthesizedExpression(node) || ts.isAsExpression(node) || ts.isSatisfiesExpression(node) || ts.isNonNullExpression(node) || ts.isTypeAssertionExpression(node)) {
      return this.evaluate(node.expression, sf, scope);
    }
    if (ts.isAwaitExpression(node)) return this.evaluate(node.expression, sf, scope);
    if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) return { t: 'lit', v: node.text, at };
    if (ts.isNumericLiteral(node)) return { t: 'lit', v: Number(node.text), at };
    if (node.kind === ts.SyntaxKind.TrueKeyword) return { t: 'lit', v: true, at };
    if (node.kind === ts.SyntaxKind.FalseKeyword) return { t: 'lit', v: false, at };
    if (node.kind === ts.SyntaxKind.NullKeyword) return { t: 'lit', v: null, at };
    if (ts.isRegularExpressionLiteral(node)) {
      const match = /^\/(.*)\/([a-z]*)$/s.exec(node.text);
      return match ? { t: 'regex', source: match[1]!, flags: match[2]!, at } : unknown('regular expression', at);
    }
    if (ts.isTemplateExpression(node)) {
      let out = node.head.text;
      for (const span of node.templateSpans) {
        const part = this.evaluate(span.expression, sf, scope);
        if (part.t !== 'lit') return part.t === 'unknown' ? unknown(`\`${text()}\` depends on ${part.reason}`, at) : unknown(`\`${text()}\` is computed`, at);
        out += String(part.v) + span.literal.text;
      }
      return { t: 'lit', v: out, at };
    }
    if (ts.isPrefixUnaryExpression(node)) {
      const operand = this.evaluate(node.operand, sf, scope);
      if (operand.t !== 'lit') return operand.t === 'unknown' ? unknown(operand.reason, at) : node.operator === ts.SyntaxKind.ExclamationToken ? { t: 'lit', v: false, at } : unknown(`\`${text()}\` is computed`, at);
      switch (node.operator) {
        case ts.SyntaxKind.MinusToken: return { t: 'lit', v: -(operand.v as number), at };
        case ts.SyntaxKind.PlusToken: return { t: 'lit', v: Number(operand.v), at };
        case ts.SyntaxKind.ExclamationToken: return { t: 'lit', v: !operand.v, at };
        default: return unknown(`\`${text()}\` is computed`, at);
      }
    }
    if (ts.isObjectLiteralExpression(node)) return this.objectLiteral(node, sf, scope);
    if (ts.isArrayLiteralExpression(node)) {
      const items: Val[] = [];
      let open: string | undefined;
      for (const element of node.elements) {
        if (ts.isSpreadElement(element)) {
          const spread = this.evaluate(element.expression, sf, scope);
          if (spread.t === 'arr') {
            items.push(...spread.items);
            open ??= spread.open;
          } else {
            open ??= spread.t === 'unknown' ? spread.reason : `a spread of \`${element.expression.getText(sf)}\``;
          }
        } else if (ts.isOmittedExpression(element)) {
          items.push({ t: 'lit', v: undefined, at: spanOf(element, sf) });
        } else {
          items.push(this.evaluate(element, sf, scope));
        }
      }
      return { t: 'arr', items, at, ...(open ? { open } : {}) };
    }
    if (ts.isArrowFunction(node) || ts.isFunctionExpression(node)) return this.functionValue(node, sf, scope);
    if (ts.isConditionalExpression(node)) {
      const condition = this.evaluate(node.condition, sf, scope);
      if (condition.t === 'lit') return this.evaluate(condition.v ? node.whenTrue : node.whenFalse, sf, scope);
      const whenTrue = this.evaluate(node.whenTrue, sf, scope);
      const whenFalse = this.evaluate(node.whenFalse, sf, scope);
      if (sameValue(whenTrue, whenFalse)) return whenTrue;
      const why = condition.t === 'unknown' ? condition.reason : `\`${node.condition.getText(sf)}\``;
      return unknown(`depends on ${why}`, at);
    }
    if (ts.isBinaryExpression(node)) return this.binary(node, sf, scope, at, text);
    if (ts.isIdentifier(node)) return this.identifier(node, sf, scope, at);
    if (ts.isPropertyAccessExpression(node) || ts.isElementAccessExpression(node)) return this.memberAccess(node, sf, scope, at, text);
    if (ts.isCallExpression(node)) return this.call(node, sf, scope, at, text);
    if (ts.isNewExpression(node)) {
      // new URL('./setup.ts', import.meta.url)
      if (ts.isIdentifier(node.expression) && node.expression.text === 'URL' && node.arguments?.length === 2) {
        const relative = this.evaluate(node.arguments[0]!, sf, scope);
        const base = this.evaluate(node.arguments[1]!, sf, scope);
        if (relative.t === 'lit' && typeof relative.v === 'string' && base.t === 'lit' && typeof base.v === 'string') {
          try {
            return { t: 'lit', v: new URL(relative.v, base.v).href, at };
          } catch {
            return unknown(`\`${text()}\` is not a valid URL`, at);
          }
        }
      }
      return unknown(`computed by \`${text()}\``, at);
    }
    return unknown(`\`${text()}\` cannot be read statically`, at);
  }

  private objectLiteral(node: TS.ObjectLiteralExpression, sf: TS.SourceFile, scope: Scope): Val {
    const at = spanOf(node, sf);
    let props = new Map<string, Prop>();
    let open: string | undefined;
    for (const property of node.properties) {
      if (ts.isSpreadAssignment(property)) {
        const spread = this.evaluate(property.expression, sf, scope);
        const keyAt = spanOf(property, sf);
        if (spread.t === 'obj') {
          for (const [key, prop] of spread.props) props.set(key, prop);
          if (spread.open) {
            open = spread.open;
            props = overridable(props, spread.props, spread.open, keyAt);
          }
        } else if (spread.t === 'lit' && (spread.v === undefined || spread.v === null)) {
          // `...undefined` adds nothing.
        } else {
          const reason = spread.t === 'unknown' ? spread.reason : `a spread of \`${property.expression.getText(sf)}\``;
          open = reason;
          props = overridable(props, new Map(), reason, keyAt);
        }
        continue;
      }
      const name = propertyName(property.name, sf, (e) => this.evaluate(e, sf, scope));
      const keyAt = spanOf(property.name ?? property, sf);
      if (name === undefined) {
        open = `a computed key \`${property.name?.getText(sf) ?? '?'}\``;
        props = overridable(props, new Map(), open, keyAt);
        continue;
      }
      let value: Val;
      if (ts.isPropertyAssignment(property)) value = this.evaluate(property.initializer, sf, scope);
      else if (ts.isShorthandPropertyAssignment(property)) value = this.identifier(property.name, sf, scope, keyAt);
      else if (ts.isMethodDeclaration(property)) value = this.functionValue(property, sf, scope);
      else value = unknown(`accessor \`${name}\``, keyAt);
      props.set(name, { key: keyAt, value });
    }
    return { t: 'obj', props, at, ...(open ? { open } : {}) };
  }

  private binary(node: TS.BinaryExpression, sf: TS.SourceFile, scope: Scope, at: Span, text: () => string): Val {
    const op = node.operatorToken.kind;
    const left = this.evaluate(node.left, sf, scope);
    if (op === ts.SyntaxKind.QuestionQuestionToken || op === ts.SyntaxKind.BarBarToken || op === ts.SyntaxKind.AmpersandAmpersandToken) {
      const truthiness = left.t === 'lit' ? !!left.v : left.t === 'unknown' ? undefined : true;
      const nullish = left.t === 'lit' ? left.v === undefined || left.v === null : left.t === 'unknown' ? undefined : false;
      const takeLeft = op === ts.SyntaxKind.QuestionQuestionToken ? (nullish === undefined ? undefined : !nullish)
        : op === ts.SyntaxKind.BarBarToken ? truthiness
        : truthiness === undefined ? undefined : !truthiness;
      if (takeLeft === true) return left;
      if (takeLeft === false) return this.evaluate(node.right, sf, scope);
      const right = this.evaluate(node.right, sf, scope);
      if (op !== ts.SyntaxKind.AmpersandAmpersandToken && sameValue(left, right)) return right;
      return unknown(left.t === 'unknown' ? `depends on ${left.reason}` : `\`${text()}\` is computed`, at);
    }
    const right = this.evaluate(node.right, sf, scope);
    if (left.t === 'unknown') return unknown(left.reason, at);
    if (right.t === 'unknown') return unknown(right.reason, at);
    if (left.t !== 'lit' || right.t !== 'lit') return unknown(`\`${text()}\` is computed`, at);
    const a = left.v as never;
    const b = right.v as never;
    switch (op) {
      case ts.SyntaxKind.PlusToken: return { t: 'lit', v: (a as number) + (b as number), at };
      case ts.SyntaxKind.MinusToken: return { t: 'lit', v: (a as number) - (b as number), at };
      case ts.SyntaxKind.AsteriskToken: return { t: 'lit', v: (a as number) * (b as number), at };
      case ts.SyntaxKind.SlashToken: return { t: 'lit', v: (a as number) / (b as number), at };
      case ts.SyntaxKind.EqualsEqualsEqualsToken: return { t: 'lit', v: a === b, at };
      case ts.SyntaxKind.ExclamationEqualsEqualsToken: return { t: 'lit', v: a !== b, at };
      // eslint-disable-next-line eqeqeq
      case ts.SyntaxKind.EqualsEqualsToken: return { t: 'lit', v: a == b, at };
      // eslint-disable-next-line eqeqeq
      case ts.SyntaxKind.ExclamationEqualsToken: return { t: 'lit', v: a != b, at };
      case ts.SyntaxKind.LessThanToken: return { t: 'lit', v: a < b, at };
      case ts.SyntaxKind.GreaterThanToken: return { t: 'lit', v: a > b, at };
      default: return unknown(`\`${text()}\` is computed`, at);
    }
  }

  private identifier(node: TS.Identifier, sf: TS.SourceFile, scope: Scope, at: Span): Val {
    const name = node.text;
    const bound = scope.get(name);
    if (bound) return bound();
    if (name === 'undefined') return { t: 'lit', v: undefined, at };
    if (name === '__dirname') return { t: 'lit', v: path.dirname(sf.fileName), at };
    if (name === '__filename') return { t: 'lit', v: sf.fileName, at };
    return unknown(`\`${name}\` is not bound to a value we can read`, at);
  }

  private memberAccess(node: TS.PropertyAccessExpression | TS.ElementAccessExpression, sf: TS.SourceFile, scope: Scope, at: Span, text: () => string): Val {
    const full = node.getText(sf);
    if (/^process\.env\b/.test(full)) {
      const variable = ts.isPropertyAccessExpression(node) && full !== 'process.env' ? node.name.text : ts.isElementAccessExpression(node) && ts.isStringLiteral(node.argumentExpression) ? node.argumentExpression.text : undefined;
      return unknown(variable ? `the environment variable ${variable}` : 'the environment', at);
    }
    const vitestDefaults = /^(?:configDefaults\.(exclude|include)|(defaultExclude|defaultInclude))$/.exec(full);
    if (vitestDefaults && this.importedFrom(full.split('.')[0]!, sf, /^vitest(?:\/config|\/node)?$/)) {
      const which = vitestDefaults[1] ?? (vitestDefaults[2] === 'defaultExclude' ? 'exclude' : 'include');
      const defaultsAt = { file: VITEST_DEFAULTS_FILE, start: 0, end: 0 };
      if (which === 'include') return { t: 'arr', items: VITEST_DEFAULT_INCLUDE.map((v) => ({ t: 'lit', v, at: defaultsAt })), at };
      return { t: 'arr', items: VITEST_DEFAULT_EXCLUDE_UNION.map((v) => ({ t: 'lit', v, at: defaultsAt })), at, open: "vitest's default exclude list (it depends on the vitest version)" };
    }
    if (full === 'import.meta.url') return { t: 'lit', v: pathToFileURL(sf.fileName).href, at };
    if (full === 'import.meta.dirname') return { t: 'lit', v: path.dirname(sf.fileName), at };
    if (full === 'import.meta.filename') return { t: 'lit', v: sf.fileName, at };
    const key = ts.isPropertyAccessExpression(node) ? node.name.text : undefined;
    let name = key;
    if (!name && ts.isElementAccessExpression(node)) {
      const index = this.evaluate(node.argumentExpression, sf, scope);
      if (index.t === 'lit' && (typeof index.v === 'string' || typeof index.v === 'number')) name = String(index.v);
      else return unknown(`\`${text()}\` has a computed key`, at);
    }
    const object = this.evaluate(node.expression, sf, scope);
    if (object.t === 'lit' && typeof object.v === 'string' && name === 'length') return { t: 'lit', v: object.v.length, at };
    return member(object, name!, at);
  }

  private call(node: TS.CallExpression, sf: TS.SourceFile, scope: Scope, at: Span, text: () => string): Val {
    const callee = node.expression;
    const calleeText = callee.getText(sf);
    const args = (): Val[] => node.arguments.map((a) => this.evaluate(a, sf, scope));
    const short = calleeText.split('.').pop()!;
    // A local binding named like a wrapper is still the user's function: only unbound or imported names count.
    const boundLocally = ts.isIdentifier(callee) && scope.has(callee.text) && !this.isImportBinding(callee.text, sf);

    if (!boundLocally && PASSTHROUGH.has(short)) {
      const values = args().map((v) => this.callIfFunction(v));
      if (values.length === 0) return unknown(`${calleeText}() without arguments`, at);
      // Playwright's defineConfig(base, ...overrides) merges its arguments.
      return values.slice(1).reduce((acc, v) => mergeValues(acc, v, at), values[0]!);
    }
    if (!boundLocally && short === 'mergeConfig') {
      const values = args().map((v) => this.callIfFunction(v));
      if (values.length < 2) return unknown('mergeConfig() with fewer than two arguments', at);
      return values.slice(1).reduce((acc, v) => mergeValues(acc, v, at), values[0]!);
    }
    if (calleeText === 'Object.assign') {
      const values = args();
      if (values.length === 0) return unknown('Object.assign() without arguments', at);
      return values.slice(1).reduce((acc, v) => {
        if (acc.t !== 'obj') return acc;
        if (v.t === 'obj') return { ...acc, props: new Map([...acc.props, ...v.props]), ...(v.open ? { open: v.open } : {}) };
        return unknown(v.t === 'unknown' ? v.reason : `\`${text()}\` is computed`, at);
      }, values[0]!);
    }
    if (/^(?:path\.(?:posix\.)?)?(?:resolve|join)$/.test(calleeText) && (calleeText.includes('.') || this.isImportBinding(calleeText, sf))) {
      const parts = args();
      const strings: string[] = [];
      for (const part of parts) {
        if (part.t !== 'lit' || typeof part.v !== 'string') return part.t === 'unknown' ? unknown(part.reason, at) : unknown(`\`${text()}\` is computed`, at);
        strings.push(part.v);
      }
      // path.resolve with a relative first part depends on the working directory.
      if (calleeText.endsWith('resolve') && !path.isAbsolute(strings[0] ?? '')) return unknown(`\`${text()}\` depends on the working directory`, at);
      return { t: 'lit', v: calleeText.endsWith('resolve') ? path.resolve(...strings) : path.join(...strings), at };
    }
    if (/^(?:path\.)?dirname$/.test(calleeText) && (calleeText.includes('.') || this.isImportBinding(calleeText, sf))) {
      const [first] = args();
      if (first?.t === 'lit' && typeof first.v === 'string') return { t: 'lit', v: path.dirname(first.v), at };
      return unknown(`\`${text()}\` is computed`, at);
    }
    if ((calleeText === 'fileURLToPath' || calleeText === 'url.fileURLToPath') && node.arguments.length === 1) {
      const [first] = args();
      if (first?.t === 'lit' && typeof first.v === 'string') {
        try {
          return { t: 'lit', v: fileURLToPath(first.v), at };
        } catch {
          return unknown(`\`${text()}\` is not a file URL`, at);
        }
      }
      return unknown(`\`${text()}\` is computed`, at);
    }
    if (calleeText === 'require' && node.arguments.length === 1 && ts.isStringLiteral(node.arguments[0]!)) {
      return this.requireValue(node.arguments[0].text, sf.fileName, at);
    }
    if (calleeText === 'require.resolve' && node.arguments.length === 1 && ts.isStringLiteral(node.arguments[0]!)) {
      const specifier = node.arguments[0].text;
      const resolved = this.resolveModule(specifier, sf.fileName);
      return resolved ? { t: 'lit', v: resolved, at } : unknown(`\`${text()}\` resolves a package`, at);
    }
    // A local function of the config module: call it when its result is a literal.
    if (ts.isIdentifier(callee) && scope.has(callee.text)) {
      const fn = scope.get(callee.text)!();
      if (fn.t === 'fn' && node.arguments.length === 0) return fn.call();
    }
    return unknown(`computed by a call to \`${calleeText}()\``, at);
  }

  /** Whether `name` is imported from a module whose specifier matches. */
  private importedFrom(name: string, sf: TS.SourceFile, module: RegExp): boolean {
    for (const statement of sf.statements) {
      if (!ts.isImportDeclaration(statement) || !ts.isStringLiteral(statement.moduleSpecifier) || !module.test(statement.moduleSpecifier.text)) continue;
      const named = statement.importClause?.namedBindings;
      if (named && ts.isNamedImports(named) && named.elements.some((e) => e.name.text === name)) return true;
    }
    return false;
  }

  private isImportBinding(name: string, sf: TS.SourceFile): boolean {
    for (const statement of sf.statements) {
      if (!ts.isImportDeclaration(statement)) continue;
      const clause = statement.importClause;
      if (clause?.name?.text === name) return true;
      const named = clause?.namedBindings;
      if (named && ts.isNamedImports(named) && named.elements.some((e) => e.name.text === name)) return true;
      if (named && ts.isNamespaceImport(named) && named.name.text === name) return true;
    }
    return false;
  }
}

/** The identifier at the root of `a.b[c].d`, if any. */
function rootIdentifier(node: TS.Expression): TS.Identifier | undefined {
  let current: TS.Expression = node;
  while (ts.isPropertyAccessExpression(current) || ts.isElementAccessExpression(current) || ts.isParenthesizedExpression(current) || ts.isNonNullExpression(current)) {
    current = current.expression;
  }
  return ts.isIdentifier(current) ? current : undefined;
}

const MUTATING_METHODS = new Set(['push', 'unshift', 'splice', 'pop', 'shift', 'set', 'delete', 'add']);

/**
 * Names assigned or mutated anywhere in the file (`x = `, `x += `, `x++`, `x.a.b = `, `x.list.push()`,
 * `Object.assign(x, ...)`): their declarations' initializers do not tell their value.
 */
function reassignedNames(file: TS.SourceFile): Set<string> {
  const names = new Set<string>();
  const visit = (node: TS.Node): void => {
    if (ts.isBinaryExpression(node) && node.operatorToken.kind >= ts.SyntaxKind.FirstAssignment && node.operatorToken.kind <= ts.SyntaxKind.LastAssignment) {
      const root = rootIdentifier(node.left);
      // `module.exports.x = ...` and `exports.x = ...` build the export, they do not mutate a binding.
      if (root && root.text !== 'module' && root.text !== 'exports') names.add(root.text);
    } else if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression)) {
      const method = node.expression.name.text;
      if (MUTATING_METHODS.has(method)) {
        const root = rootIdentifier(node.expression.expression);
        if (root) names.add(root.text);
      } else if (node.expression.getText(file) === 'Object.assign' && node.arguments[0]) {
        const root = rootIdentifier(node.arguments[0]);
        if (root) names.add(root.text);
      }
    } else if (ts.isDeleteExpression(node)) {
      const root = rootIdentifier(node.expression);
      if (root) names.add(root.text);
    } else if ((ts.isPrefixUnaryExpression(node) || ts.isPostfixUnaryExpression(node)) && ts.isIdentifier(node.operand)
      && (node.operator === ts.SyntaxKind.PlusPlusToken || node.operator === ts.SyntaxKind.MinusMinusToken)) {
      names.add(node.operand.text);
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return names;
}

function boundNames(name: TS.BindingName): string[] {
  if (ts.isIdentifier(name)) return [name.text];
  const names: string[] = [];
  for (const element of name.elements) if (!ts.isOmittedExpression(element)) names.push(...boundNames(element.name));
  return names;
}

/** After an unknown spread, keys set before it may have been overridden: they become unknown. */
function overridable(props: Map<string, Prop>, keep: Map<string, Prop>, reason: string, at: Span): Map<string, Prop> {
  const out = new Map<string, Prop>();
  for (const [key, prop] of props) {
    out.set(key, keep.has(key) ? prop : { key: prop.key, value: unknown(`may be overridden by ${reason}`, at) });
  }
  return out;
}

function propertyName(name: TS.PropertyName | undefined, sf: TS.SourceFile, evaluate: (e: TS.Expression) => Val): string | undefined {
  if (!name) return undefined;
  if (ts.isIdentifier(name) || ts.isStringLiteral(name) || ts.isNumericLiteral(name) || ts.isPrivateIdentifier(name)) return name.text;
  if (ts.isComputedPropertyName(name)) {
    const value = evaluate(name.expression);
    return value.t === 'lit' && (typeof value.v === 'string' || typeof value.v === 'number') ? String(value.v) : undefined;
  }
  void sf;
  return undefined;
}

/** `object.key`: the value, `undefined` when the object is known not to have it, or unknown. */
export function member(object: Val, key: string, at: Span): Val {
  if (object.t === 'unknown') return unknown(object.reason, at);
  if (object.t === 'obj') {
    const prop = object.props.get(key);
    if (prop) return prop.value;
    return object.open ? unknown(`may be set by ${object.open}`, at) : { t: 'lit', v: undefined, at };
  }
  if (object.t === 'arr') {
    if (key === 'length' && !object.open) return { t: 'lit', v: object.items.length, at };
    const index = Number(key);
    if (Number.isInteger(index) && !object.open) return object.items[index] ?? { t: 'lit', v: undefined, at };
    return unknown(`\`[${key}]\` of an array`, at);
  }
  return unknown(`\`.${key}\` of a ${object.t === 'fn' ? 'function' : 'value'}`, at);
}
