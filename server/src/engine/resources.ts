import { ts, type TS } from './typescript.js';
import { calleeChain, type TestBlock, type TestModel } from './testModel.js';
import { propertyNameText, resolveAlias, skipOuterExpressions } from './typeUtils.js';
import { INTERCEPTION_SPECIFIERS } from './runnerConfig/setup.js';

/**
 * The resource model: what a test file's tests and hooks acquire (servers, ports, mocks, fake timers, process
 * state) and where it is released. Everything is recognised by the module that declares the called API (the
 * checker's symbol, followed through imports and types), never by a name alone: a user's `listen()` is no server.
 *
 * Built lazily once per analysis (memoised on the test model, which lives exactly as long as the analysis).
 */

// ---------------------------------------------------------------------------------------------
// Module identity

/** `node:http` -> `http`, `@types/foo__bar` -> `@foo/bar`. */
function normaliseModule(name: string): string {
  let module = name.startsWith('node:') ? name.slice(5) : name;
  if (module.startsWith('@types/')) {
    module = module.slice(7);
    if (module.includes('__')) module = `@${module.replace('__', '/')}`;
  }
  return module;
}

const PACKAGE_IN_PATH = /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//g;

/**
 * The module that declares a node: the nearest `declare module 'x'` around it, else the package whose
 * declaration file holds it (`lib` for TypeScript's own lib files). Undefined for user code.
 */
export function declaringModule(declaration: TS.Node): string | undefined {
  for (let current: TS.Node | undefined = declaration.parent; current; current = current.parent) {
    if (ts.isModuleDeclaration(current) && ts.isStringLiteral(current.name)) return normaliseModule(current.name.text);
  }
  const file = declaration.getSourceFile();
  if (!file.isDeclarationFile) return undefined;
  const fileName = file.fileName.replace(/\\/g, '/');
  let last: string | undefined;
  for (const match of fileName.matchAll(PACKAGE_IN_PATH)) last = match[1];
  if (last === 'typescript' && /\/lib\/lib\.[^/]*\.d\.ts$/.test(fileName)) return 'lib';
  return last ? normaliseModule(last) : undefined;
}

/** Modules that declare a symbol (after aliases); empty when user code declares it (user code shadows libraries). */
export function symbolModules(checker: TS.TypeChecker, symbol: TS.Symbol | undefined): Set<string> {
  const modules = new Set<string>();
  const target = resolveAlias(checker, symbol);
  const declarations = target?.declarations ?? [];
  if (declarations.some((d) => !d.getSourceFile().isDeclarationFile)) return modules;
  for (const declaration of declarations) {
    const module = declaringModule(declaration);
    if (module) modules.add(module);
  }
  return modules;
}

/** The name node a call's callee ends in (`listen` of `app.listen`, `fetch` of `fetch`). */
export function calleeName(expression: TS.Expression): TS.Identifier | TS.PrivateIdentifier | undefined {
  const callee = skipOuterExpressions(expression);
  if (ts.isIdentifier(callee)) return callee;
  if (ts.isPropertyAccessExpression(callee)) return callee.name;
  return undefined;
}

export interface CallTarget {
  /** The exported or member name the callee resolves to (`listen`, `get`, `default` names use the local name). */
  name: string;
  /** Modules declaring it. */
  modules: Set<string>;
}

/** What a call or `new` calls, by declaring module. Undefined for user code, `any` and unresolvable callees. */
export function callTarget(checker: TS.TypeChecker, call: TS.CallExpression | TS.NewExpression): CallTarget | undefined {
  const name = calleeName(call.expression);
  if (!name) return undefined;
  const symbol = checker.getSymbolAtLocation(name);
  if (!symbol) return undefined;
  const modules = symbolModules(checker, symbol);
  if (modules.size === 0) {
    // `axios(url)`, `got(url)`, `nock(host)`: a callable value whose type a library declares.
    const type = checker.getTypeAtLocation(call.expression);
    const typeSymbol = type.aliasSymbol ?? type.getSymbol();
    const typeModules = symbolModules(checker, typeSymbol);
    if (typeModules.size === 0) return undefined;
    return { name: name.text, modules: typeModules };
  }
  return { name: name.text, modules };
}

export function hasModule(target: CallTarget | undefined, modules: ReadonlySet<string>): boolean {
  if (!target) return false;
  for (const module of target.modules) if (modules.has(module)) return true;
  return false;
}

// ---------------------------------------------------------------------------------------------
// Constant values

/** A number literal, or a `const` bound to one (one hop, same file or imported). */
export function constantNumber(checker: TS.TypeChecker, expression: TS.Expression | undefined): number | undefined {
  if (!expression) return undefined;
  const node = skipOuterExpressions(expression);
  if (ts.isNumericLiteral(node)) return Number(node.text);
  if (ts.isIdentifier(node) || ts.isPropertyAccessExpression(node)) {
    const declaration = constDeclaration(checker, node);
    const initializer = declaration?.initializer && skipOuterExpressions(declaration.initializer);
    if (initializer && ts.isNumericLiteral(initializer)) return Number(initializer.text);
  }
  return undefined;
}

/** A string literal, a template without substitutions, or a `const` bound to one. */
export function constantString(checker: TS.TypeChecker, expression: TS.Expression | undefined): string | undefined {
  if (!expression) return undefined;
  const node = skipOuterExpressions(expression);
  if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) return node.text;
  if (ts.isIdentifier(node)) {
    const declaration = constDeclaration(checker, node);
    const initializer = declaration?.initializer && skipOuterExpressions(declaration.initializer);
    if (initializer && (ts.isStringLiteral(initializer) || ts.isNoSubstitutionTemplateLiteral(initializer))) return initializer.text;
  }
  return undefined;
}

/** The literal text a string starts with: the whole of a literal, or the head of a template (`https://x/${id}`). */
export function stringPrefix(checker: TS.TypeChecker, expression: TS.Expression | undefined): string | undefined {
  if (!expression) return undefined;
  const node = skipOuterExpressions(expression);
  if (ts.isTemplateExpression(node)) return node.head.text;
  if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.PlusToken) return stringPrefix(checker, node.left);
  if (ts.isNewExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === 'URL' && node.arguments?.length === 1) {
    return stringPrefix(checker, node.arguments[0]);
  }
  return constantString(checker, node);
}

function constDeclaration(checker: TS.TypeChecker, node: TS.Identifier | TS.PropertyAccessExpression): TS.VariableDeclaration | undefined {
  const symbol = resolveAlias(checker, checker.getSymbolAtLocation(ts.isIdentifier(node) ? node : node.name));
  const declaration = symbol?.valueDeclaration;
  if (!declaration || !ts.isVariableDeclaration(declaration)) return undefined;
  const list = declaration.parent;
  if (!ts.isVariableDeclarationList(list) || !(list.flags & ts.NodeFlags.Const)) return undefined;
  return declaration;
}

/** The value of property `name` in an object literal argument (`{ port: 3000 }`). */
export function objectProperty(expression: TS.Expression | undefined, name: string): TS.Expression | undefined {
  if (!expression) return undefined;
  const node = skipOuterExpressions(expression);
  if (!ts.isObjectLiteralExpression(node)) return undefined;
  for (const property of node.properties) {
    if (ts.isPropertyAssignment(property) && propertyNameText(property.name) === name) return property.initializer;
    if (ts.isShorthandPropertyAssignment(property) && property.name.text === name) return property.name;
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Hosts

/** Hostname of an absolute http(s)/ws(s) URL prefix, lower-cased; undefined when the prefix holds no complete host. */
export function urlHost(prefix: string): { host: string; port?: number } | undefined {
  const match = /^(?:https?|wss?):\/\/(\[[^\]]+\]|[^/:?#\s]+)(?::(\d+))?(?=$|[/?#])/i.exec(prefix);
  if (!match) return undefined;
  // A template whose head ends inside the host (`http://${host}`) names no host.
  const host = match[1]!.toLowerCase();
  return match[2] ? { host, port: Number(match[2]) } : { host };
}

export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '');
  return bare === 'localhost' || bare.endsWith('.localhost') || /^127\./.test(bare) || bare === '::1' || bare === '0.0.0.0' || bare === '::';
}

/**
 * Hosts on the public internet: a dotted name that is no private or reserved address. Single-label names
 * (`postgres`, `minio`: compose services), private ranges and reserved TLDs (`.test`, `.invalid`, `.local`,
 * `.internal`) belong to the test environment or never resolve: not what this model calls a real network request.
 */
export function isPublicHost(host: string): boolean {
  if (isLoopbackHost(host)) return false;
  const bare = host.replace(/^\[|\]$/g, '');
  if (bare.includes(':')) return !/^(?:fc|fd|fe80)/i.test(bare); // IPv6 outside unique-local/link-local
  if (!bare.includes('.')) return false;
  const ipv4 = /^(\d+)\.(\d+)\.\d+\.\d+$/.exec(bare);
  if (ipv4) {
    const [a, b] = [Number(ipv4[1]), Number(ipv4[2])];
    return !(a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 169 && b === 254));
  }
  return !/\.(?:test|invalid|local|internal|localdomain|lan|home\.arpa)$/.test(bare);
}

// ---------------------------------------------------------------------------------------------
// Servers and ports

/** Modules whose `listen(port)` opens a listening socket. */
export const LISTEN_MODULES: ReadonlySet<string> = new Set([
  'net', 'http', 'https', 'tls', 'http2', 'express', 'express-serve-static-core', 'koa', 'fastify', 'connect', 'restify',
  '@types/node',
]);

export interface Listen {
  /** The call or `new` that listens. */
  node: TS.CallExpression | TS.NewExpression;
  /** The port expression. */
  portNode: TS.Expression;
  port: number;
  /** How it listens, for messages: `listen(3000)`, `new WebSocketServer({ port: 8080 })`. */
  label: string;
}

/** A listen on a fixed, non-zero port: `server.listen(3000)`, `listen({ port })`, ws `new Server({ port })`, hono `serve({ port })`. */
export function fixedPortListen(checker: TS.TypeChecker, node: TS.CallExpression | TS.NewExpression): Listen | undefined {
  const args = node.arguments ?? ts.factory.createNodeArray();
  if (args.length === 0) return undefined;
  const name = calleeName(node.expression)?.text;
  if (ts.isCallExpression(node) && name === 'listen') {
    const first = args[0]!;
    const portNode = objectProperty(first, 'port') ?? first;
    const port = constantNumber(checker, portNode);
    if (port === undefined || port === 0) return undefined;
    if (!hasModule(callTarget(checker, node), LISTEN_MODULES)) return undefined;
    return { node, portNode, port, label: 'listen' };
  }
  if (ts.isCallExpression(node) && name === 'serve') {
    const portNode = objectProperty(args[0], 'port');
    const port = constantNumber(checker, portNode);
    if (!portNode || port === undefined || port === 0) return undefined;
    if (!hasModule(callTarget(checker, node), new Set(['@hono/node-server']))) return undefined;
    return { node, portNode, port, label: 'serve' };
  }
  if (ts.isNewExpression(node)) {
    const portNode = objectProperty(args[0], 'port');
    const port = constantNumber(checker, portNode);
    if (!portNode || port === undefined || port === 0) return undefined;
    if (!hasModule(callTarget(checker, node), new Set(['ws', 'socket.io']))) return undefined;
    return { node, portNode, port, label: `new ${node.expression.getText()}` };
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Outgoing requests and interception

export interface Request {
  call: TS.CallExpression;
  /** The expression holding the URL or host. */
  target: TS.Expression;
  host: string;
  /** What the call is, for messages: `fetch`, `axios.get`, `https.get`. */
  client: string;
}

const HTTP_METHODS = new Set(['get', 'post', 'put', 'patch', 'delete', 'head', 'options', 'request']);
/** Client modules whose calls take a URL first. */
const URL_CLIENTS: ReadonlySet<string> = new Set(['axios', 'got', 'node-fetch', 'undici', 'undici-types', 'cross-fetch', 'isomorphic-fetch', 'ky']);

/** An outgoing HTTP request to a literal public host, by a client recognised through its declaring module. */
export function outgoingRequest(checker: TS.TypeChecker, call: TS.CallExpression): Request | undefined {
  const first = call.arguments[0];
  if (!first) return undefined;
  const name = calleeName(call.expression)?.text;
  if (!name) return undefined;
  // Cheap syntax filter before the checker.
  if (name !== 'fetch' && !HTTP_METHODS.has(name) && name !== 'axios' && name !== 'got' && name !== 'ky') {
    // a default import under another local name (`import client from 'axios'`) is still checked below
    if (!ts.isIdentifier(skipOuterExpressions(call.expression))) return undefined;
  }
  let host: string | undefined;
  const prefix = stringPrefix(checker, first);
  if (prefix !== undefined) host = urlHost(prefix)?.host;
  else {
    // http.get({ hostname: 'example.com' }), axios({ url: 'https://...' })
    const hostname = constantString(checker, objectProperty(first, 'hostname') ?? objectProperty(first, 'host'));
    if (hostname !== undefined) host = hostname.toLowerCase().replace(/:\d+$/, '');
    const url = stringPrefix(checker, objectProperty(first, 'url'));
    if (url !== undefined) host = urlHost(url)?.host;
  }
  if (!host || !isPublicHost(host)) return undefined;
  const target = callTarget(checker, call);
  if (!target) return undefined;
  const client = call.expression.getText();
  if (name === 'fetch' && (target.modules.has('lib') || target.modules.has('node') || target.modules.has('undici-types') || hasModule(target, URL_CLIENTS))) {
    return { call, target: first, host, client };
  }
  if ((name === 'get' || name === 'request') && (target.modules.has('http') || target.modules.has('https'))) {
    return { call, target: first, host, client };
  }
  if (hasModule(target, URL_CLIENTS)) return { call, target: first, host, client };
  return undefined;
}

/** Libraries that intercept outgoing requests once set up (by module). */
const INTERCEPTION_MODULES: ReadonlySet<string> = new Set([
  'msw', 'msw/node', 'nock', 'axios-mock-adapter', 'fetch-mock', 'jest-fetch-mock', 'vitest-fetch-mock', 'moxios',
  '@mswjs/interceptors', '@pollyjs/core', 'undici-mock', 'mock-fs',
]);
/** Module specifiers whose mocking (`vi.mock('axios')`) replaces a request client. */
const CLIENT_SPECIFIERS = /^(?:axios|got|node-fetch|undici|cross-fetch|isomorphic-fetch|ky|node:https?|https?)$/;

export interface Interception {
  /** Why requests in this file may be intercepted (for the model's explanation); undefined when none was seen. */
  reason?: string;
}

// ---------------------------------------------------------------------------------------------
// Cleanup: acquisitions and their releases

/** Methods that undo what their receiver holds: a sandbox, a stub or spy, a fake clock. */
const RECEIVER_RELEASES = new Set(['restore', 'mockRestore', 'uninstall']);

export type AcquisitionKind = 'fake-timers' | 'spy' | 'stub-env' | 'stub-global' | 'env-write' | HandleKind;

/** Resources held through a handle that must be closed: they outlive the test and keep the worker busy or alive. */
export type HandleKind = 'server' | 'interval' | 'db-connection' | 'browser' | 'temp-dir' | 'watcher';

export const HANDLE_KINDS: ReadonlySet<AcquisitionKind> = new Set<AcquisitionKind>(['server', 'interval', 'db-connection', 'browser', 'temp-dir', 'watcher']);

export type MockRunner = 'vitest' | 'jest' | 'sinon';

export interface Acquisition {
  kind: AcquisitionKind;
  /** The call or assignment that acquires. */
  node: TS.Node;
  /** The test, hook or step whose callback acquires (directly, not through a nested function). */
  block: TestBlock;
  runner: MockRunner | undefined;
  /** What is acquired, for messages: `vi.useFakeTimers()`, `process.env.API_URL`, the spied `api.load`. */
  label: string;
  /** For env writes: the variable name. */
  key?: string;
  /** For handles: the binding that holds it (undefined: the handle is dropped, nothing can close it). */
  symbol?: TS.Symbol;
}

export interface Release {
  kind: AcquisitionKind | 'all-env';
  node: TS.Node;
  /** The block whose callback holds it (a teardown hook, or the test itself). */
  block: TestBlock | undefined;
  /** In a `finally` block or a teardown callback registered from the test (`onTestFinished`, `t.after`). */
  guaranteed: boolean;
  key?: string;
  /** For handles: the binding whose handle is closed. */
  symbol?: TS.Symbol;
}

/** `.mockImplementation(...)`-like methods that give a spy a behaviour of its own (the `Once` forms are used up). */
const IMPLEMENTATION_METHODS = new Set([
  'mockImplementation', 'mockReturnValue', 'mockResolvedValue', 'mockRejectedValue', 'mockReturnThis',
  'returns', 'resolves', 'rejects', 'callsFake', 'throws', 'value', 'get', 'set',
]);

/** Per analysis: the model's collections, built in one walk on first use. */
export class ResourceModel {
  readonly listens: Listen[] = [];
  readonly requests: Request[] = [];
  readonly acquisitions: Acquisition[] = [];
  readonly releases: Release[] = [];
  /**
   * Calls in tests and hooks that may release something we cannot see into (a user helper named like
   * `restoreEnv()`, `cleanup()`, `resetTimers()`), by block: their effect is unknown.
   */
  readonly opaqueReleases = new Set<TestBlock | undefined>();
  /** Evidence that outgoing requests of this file are intercepted. */
  interception: string | undefined;
  /** String literals naming a loopback URL with a port: `http://localhost:3000/x` -> 3000. */
  readonly loopbackPorts: Array<{ node: TS.Node; port: number }> = [];

  constructor(readonly model: TestModel, readonly checker: TS.TypeChecker) {
    const visit = (node: TS.Node): void => {
      if (ts.isCallExpression(node)) this.visitCall(node);
      else if (ts.isNewExpression(node)) this.visitNew(node);
      else if ((ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node) || ts.isTemplateHead(node)) && /localhost|127\.0\.0\.1/.test(node.text)) {
        const host = urlHost(node.text);
        if (host?.port !== undefined && isLoopbackHost(host.host)) this.loopbackPorts.push({ node, port: host.port });
      } else if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier) && INTERCEPTION_SPECIFIERS.test(node.moduleSpecifier.text)) {
        this.interception ??= `imports ${node.moduleSpecifier.text}`;
      } else if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.EqualsToken) {
        this.visitAssignment(node);
      } else if (ts.isDeleteExpression(node)) {
        const key = envKey(node.expression);
        if (key !== undefined) this.envWrite(node, key, `delete process.env.${key}`);
        else if (isDynamicEnvAccess(node.expression)) this.releases.push({ kind: 'all-env', node, ...this.releaseSite(node) });
      }
      ts.forEachChild(node, visit);
    };
    visit(model.sourceFile);
  }

  /** The block that owns a node directly: the nearest function around it must be that block's callback. */
  private ownerBlock(node: TS.Node): TestBlock | undefined {
    for (let current: TS.Node | undefined = node.parent; current; current = current.parent) {
      if (ts.isFunctionLike(current)) return this.model.blockOfCallback(current);
    }
    return undefined;
  }

  /** A release position: the owning block, and whether it always runs (finally, onTestFinished/t.after callback). */
  private releaseSite(node: TS.Node): { block: TestBlock | undefined; guaranteed: boolean } {
    let guaranteed = false;
    for (let current: TS.Node | undefined = node.parent; current; current = current.parent) {
      if (ts.isBlock(current) && current.parent && ts.isTryStatement(current.parent) && current.parent.finallyBlock === current) guaranteed = true;
      if (ts.isFunctionLike(current)) {
        const block = this.model.blockOfCallback(current);
        if (block) return { block, guaranteed };
        // A callback registered as teardown from inside a test: onTestFinished(() => ...), t.after(() => ...).
        const call = current.parent;
        if (call && ts.isCallExpression(call) && call.arguments.includes(current as TS.Expression)) {
          const name = calleeName(call.expression)?.text;
          if (name && TEARDOWN_REGISTRARS.has(name)) {
            guaranteed = true;
            continue;
          }
        }
        // A release inside a nested callback (`vars.forEach((v) => delete process.env[v])`) still belongs to the
        // enclosing block: counting it can only make the rule quieter.
      }
    }
    return { block: undefined, guaranteed };
  }

  private visitCall(call: TS.CallExpression): void {
    const { checker } = this;
    this.visitHandle(call);
    const listen = fixedPortListen(checker, call);
    if (listen) this.listens.push(listen);
    const request = outgoingRequest(checker, call);
    if (request) this.requests.push(request);
    this.visitReceiverRelease(call);
    const chain = calleeChain(call.expression);
    if (!chain) return;
    const names = [chain.root.text, ...chain.path];
    const last = names[names.length - 1]!;
    const firstArg = call.arguments[0];
    const specifier = firstArg && (ts.isStringLiteral(firstArg) || ts.isNoSubstitutionTemplateLiteral(firstArg)) ? firstArg.text : undefined;
    if (specifier !== undefined) {
      // require('nock'), vi.mock('axios'), jest.mock('node-fetch'), vi.stubGlobal('fetch', ...)
      if (last === 'require' && INTERCEPTION_SPECIFIERS.test(specifier)) this.interception ??= `requires ${specifier}`;
      if ((last === 'mock' || last === 'doMock' || last === 'unstable_mockModule') && (CLIENT_SPECIFIERS.test(specifier) || INTERCEPTION_SPECIFIERS.test(specifier))) {
        this.interception ??= `mocks ${specifier}`;
      }
      if (last === 'stubGlobal' && specifier === 'fetch') this.interception ??= 'stubs the global fetch';
    }
    if (last === 'spyOn' && call.arguments.length >= 2) {
      const method = call.arguments[1]!;
      if (ts.isStringLiteral(method) && /^(?:fetch|get|request|post)$/.test(method.text)) this.interception ??= `spies on ${method.text}`;
    }
    if (names.length === 1 && /^(?:setupServer|setupWorker|setGlobalDispatcher|enableFetchMocks)$/.test(last)) this.interception ??= `calls ${last}`;
    if (last === 'enableMocks' || last === 'disableNetConnect') this.interception ??= `calls ${names.join('.')}`;
    // Any call into an interception library (msw `server.listen()` through a helper's export, `nock(host)`).
    if (!this.interception && /^(?:listen|use|intercept|nock|mock|get|post|reply)$/.test(last) && names.length <= 3) {
      const target = callTarget(checker, call);
      if (hasModule(target, INTERCEPTION_MODULES)) this.interception = `calls ${names.join('.')} of ${[...target!.modules][0]}`;
    }
    this.visitCleanupCall(call, chain.root, names);
  }

  private visitNew(node: TS.NewExpression): void {
    this.visitHandle(node);
    const listen = fixedPortListen(this.checker, node);
    if (listen) this.listens.push(listen);
    const name = calleeName(node.expression)?.text;
    if (name === 'MockAgent' || name === 'MockAdapter' || name === 'Polly' || name === 'FetchMock') {
      const target = callTarget(this.checker, node);
      if (!target || hasModule(target, new Set(['undici', 'undici-types', ...INTERCEPTION_MODULES]))) this.interception ??= `creates ${name}`;
    }
  }

  private visitAssignment(node: TS.BinaryExpression): void {
    const left = skipOuterExpressions(node.left);
    // globalThis.fetch = ..., global.fetch = ..., window.fetch = ...
    if (ts.isPropertyAccessExpression(left) && left.name.text === 'fetch' && ts.isIdentifier(left.expression) && /^(?:globalThis|global|window|self)$/.test(left.expression.text)) {
      this.interception ??= `replaces ${left.getText()}`;
    }
    // process.env = saved: restores every variable.
    if (ts.isPropertyAccessExpression(left) && left.name.text === 'env' && ts.isIdentifier(left.expression) && left.expression.text === 'process') {
      this.releases.push({ kind: 'all-env', node, ...this.releaseSite(node) });
      return;
    }
    const key = envKey(left);
    if (key !== undefined) this.envWrite(node, key, `process.env.${key}`);
    // process.env[name] = saved[name]: which variable is unknown, so it may restore any.
    else if (isDynamicEnvAccess(left)) this.releases.push({ kind: 'all-env', node, ...this.releaseSite(node) });
  }

  private envWrite(node: TS.Node, key: string, label: string): void {
    const site = this.releaseSite(node);
    const block = site.block;
    // Any write in a teardown hook or an always-running position counts as restoring that variable.
    if (site.guaranteed || block?.hook === 'afterEach' || block?.hook === 'afterAll') {
      this.releases.push({ kind: 'env-write', node, key, ...site });
      return;
    }
    // A write in the test body after an earlier write of the same key is its (skippable) restore.
    const earlier = this.acquisitions.find((a) => a.kind === 'env-write' && a.key === key && a.block === block);
    if (earlier && block) {
      this.releases.push({ kind: 'env-write', node, key, ...site });
      return;
    }
    if (!block || block.kind === 'suite' || this.ownerBlock(node) !== block) return;
    this.acquisitions.push({ kind: 'env-write', node, block, runner: undefined, label, key });
  }

  // -------------------------------------------------------------------------------------------
  // Handles: servers, intervals, connections, browsers, temp dirs, watchers

  private visitHandle(node: TS.CallExpression | TS.NewExpression): void {
    const name = calleeName(node.expression)?.text;
    if (!name) return;
    if (ts.isCallExpression(node) && HANDLE_RELEASES.has(name)) this.handleRelease(node, name);
    const found = handleAcquisition(this.checker, node, name);
    if (!found) return;
    const block = this.handleOwner(node);
    if (!block || block.kind === 'suite') return;
    // Fake timers make setInterval fake: nothing real outlives the test.
    if (found.kind === 'interval' && this.model.fakeTimersActiveAt(node)) return;
    let binding = found.receiverBinding ? receiverIdentifier(node) : resultBinding(node);
    // `server.listen(0)` as a statement: the server it was called on is the handle.
    if (binding === 'dropped' && found.kind === 'server') binding = receiverIdentifier(node) ?? 'dropped';
    if (binding === 'disposed' || binding === 'escapes') return;
    if (binding === 'dropped') binding = undefined;
    const symbol = binding ? this.checker.getSymbolAtLocation(binding) : undefined;
    if (binding && !symbol) return;
    // A handle that escapes (passed to a helper, stored in a list, returned) may be closed where we cannot see.
    if (symbol && this.escapes(symbol, binding!)) return;
    this.acquisitions.push({ kind: found.kind, node, block, runner: undefined, label: found.label, ...(symbol ? { symbol } : {}) });
  }

  /** The block whose code opens a handle: directly, or inside a `new Promise` executor (`new Promise((r) => server.listen(0, r))`). */
  private handleOwner(node: TS.Node): TestBlock | undefined {
    for (let current: TS.Node | undefined = node.parent; current; current = current.parent) {
      if (!ts.isFunctionLike(current)) continue;
      const block = this.model.blockOfCallback(current);
      if (block) return block;
      const parent = current.parent;
      if (parent && ts.isNewExpression(parent) && ts.isIdentifier(parent.expression) && parent.expression.text === 'Promise') continue;
      return undefined;
    }
    return undefined;
  }

  private handleRelease(call: TS.CallExpression, name: string): void {
    let target: TS.Expression | undefined;
    if (name === 'clearInterval' || name === 'clearTimeout') target = call.arguments[0];
    else if (TEMP_REMOVERS.has(name)) target = call.arguments[0];
    else {
      const callee = skipOuterExpressions(call.expression);
      if (ts.isPropertyAccessExpression(callee)) target = callee.expression;
    }
    if (!target) return;
    let root = skipOuterExpressions(target);
    while (ts.isPropertyAccessExpression(root) && !TEMP_REMOVERS.has(name)) root = skipOuterExpressions(root.expression);
    if (!ts.isIdentifier(root)) return;
    const symbol = this.checker.getSymbolAtLocation(root);
    if (!symbol) return;
    const site = this.releaseSite(call);
    for (const kind of HANDLE_KINDS) this.releases.push({ kind, node: call, ...site, symbol });
  }

  /** Whether a binding's handle may be closed out of sight: any use other than calls on it, reads of its members or harmless checks. */
  private escapes(symbol: TS.Symbol, declared: TS.Identifier): boolean {
    const name = declared.text;
    let escaped = false;
    const visit = (node: TS.Node): void => {
      if (escaped) return;
      if (ts.isIdentifier(node) && node.text === name && node !== declared && this.checker.getSymbolAtLocation(node) === symbol) {
        if (!harmlessUse(this.checker, node)) escaped = true;
        return;
      }
      ts.forEachChild(node, visit);
    };
    visit(this.model.sourceFile);
    return escaped;
  }

  /** Whether an expression's root is created inside the block's callback (a local binding or a fresh object). */
  private isLocalTo(expression: TS.Expression, block: TestBlock | undefined): boolean {
    const callback = block?.callback;
    if (!callback) return false;
    let root = skipOuterExpressions(expression);
    while (ts.isPropertyAccessExpression(root) || ts.isElementAccessExpression(root)) root = skipOuterExpressions(root.expression);
    if (ts.isNewExpression(root) || ts.isObjectLiteralExpression(root)) return true;
    if (!ts.isIdentifier(root)) return false;
    const declaration = this.checker.getSymbolAtLocation(root)?.valueDeclaration;
    return !!declaration && declaration.getStart() >= callback.getStart() && declaration.getEnd() <= callback.getEnd();
  }

  /** vi/jest: the runner's own object, resolved by the checker (a user `vi` is no runner). */
  private mockRunner(root: TS.Identifier): MockRunner | undefined {
    if (root.text === 'vi' || root.text === 'jest') {
      const identity = this.model.resolveRunner(root);
      if (identity?.framework === 'vitest' && identity.name === 'vi') return 'vitest';
      if (identity?.framework === 'jest' && identity.name === 'jest') return 'jest';
      return undefined;
    }
    const symbol = this.checker.getSymbolAtLocation(root);
    if (symbolModules(this.checker, symbol).has('sinon')) return 'sinon';
    const type = this.checker.getTypeAtLocation(root);
    const typeSymbol = type.aliasSymbol ?? type.getSymbol();
    return symbolModules(this.checker, typeSymbol).has('sinon') ? 'sinon' : undefined;
  }

  /**
   * sandbox.restore(), stub.restore(), clock.restore(), spy.mockRestore(): a release of what the receiver holds,
   * whatever the receiver is rooted in: a local, or mocha's context (`this.stub.restore()` for `this.stub = sinon.stub(...)`).
   */
  private visitReceiverRelease(call: TS.CallExpression): void {
    const callee = skipOuterExpressions(call.expression);
    const name = ts.isPropertyAccessExpression(callee) ? callee.name.text
      : ts.isElementAccessExpression(callee) && ts.isStringLiteralLike(callee.argumentExpression) ? callee.argumentExpression.text : undefined;
    if (name === undefined || !RECEIVER_RELEASES.has(name)) return;
    const site = this.releaseSite(call);
    for (const kind of ['spy', 'fake-timers'] as const) this.releases.push({ kind, node: call, ...site });
  }

  private visitCleanupCall(call: TS.CallExpression, root: TS.Identifier, names: string[]): void {
    const last = names[names.length - 1]!;
    // Opaque releases: a user helper that may restore what we track (`restoreEnv()`, `resetClock()`).
    if (/restore|reset|cleanup|clean[A-Z]|teardown|unstub|dispose|realTimers/i.test(last) && !['vi', 'jest', 'sinon'].includes(root.text)) {
      const site = this.releaseSite(call);
      const target = callTarget(this.checker, call);
      if (!target) this.opaqueReleases.add(site.block);
    }
    // restore/mockRestore/uninstall: visitReceiverRelease.
    if (!/^(?:useFakeTimers|useRealTimers|spyOn|restoreAllMocks|resetAllMocks|stubEnv|unstubAllEnvs|stubGlobal|unstubAllGlobals|stub|spy|replace|replaceGetter|replaceSetter)$/.test(last)) return;
    const runner = names.length === 2 ? this.mockRunner(root) : undefined;
    if (!runner) return;
    const site = this.releaseSite(call);
    const release = (kind: AcquisitionKind): void => {
      this.releases.push({ kind, node: call, ...site });
    };
    const acquire = (kind: AcquisitionKind, label: string): void => {
      const block = site.block;
      if (!block || block.kind === 'suite' || site.guaranteed || this.ownerBlock(call) !== block) return;
      this.acquisitions.push({ kind, node: call, block, runner, label });
    };
    const prefix = runner === 'sinon' ? root.text : runner === 'vitest' ? 'vi' : 'jest';
    switch (last) {
      case 'useFakeTimers':
        acquire('fake-timers', `${prefix}.useFakeTimers()`);
        break;
      case 'useRealTimers': release('fake-timers'); break;
      case 'spyOn':
      case 'stub':
      case 'replace':
      case 'replaceGetter':
      case 'replaceSetter':
      case 'spy': {
        if (last !== 'spyOn' && runner !== 'sinon') break;
        if (last === 'spyOn' && runner === 'sinon') break;
        // Only spies on an object's method leak (`sinon.stub()` alone creates a free function).
        if (call.arguments.length < 2) break;
        // vi/jest spies call through until given an implementation; only a spy with one changes later tests.
        if (runner !== 'sinon' && !hasImplementation(call)) break;
        // A spy on an object the test itself creates (`const stream = new ReadableStream()`) dies with the test.
        if (this.isLocalTo(call.arguments[0]!, site.block)) break;
        const object = call.arguments[0]!.getText();
        const method = call.arguments[1]!;
        const methodName = ts.isStringLiteral(method) ? method.text : method.getText();
        acquire('spy', `the ${runner === 'sinon' ? (last === 'spy' ? 'spy' : 'stub') : 'mocked spy'} on \`${object}.${methodName}\``);
        break;
      }
      case 'restoreAllMocks': release('spy'); break;
      case 'resetAllMocks': if (runner !== 'sinon') release('spy'); break;
      case 'stubEnv':
      case 'stubGlobal': {
        if (runner !== 'vitest') break;
        const kind = last === 'stubEnv' ? 'stub-env' : 'stub-global';
        const name = call.arguments[0];
        const key = name && (ts.isStringLiteral(name) || ts.isNoSubstitutionTemplateLiteral(name)) ? name.text : undefined;
        // Stubbing the same name again where a release belongs (a finally, a teardown) puts a saved value back.
        if (site.guaranteed || site.block?.hook === 'afterEach' || site.block?.hook === 'afterAll') {
          this.releases.push({ kind, node: call, ...site, ...(key !== undefined ? { key } : {}) });
          break;
        }
        if (key === undefined) break;
        const before = this.acquisitions.length;
        acquire(kind, `vi.${last}('${key}', ...)`);
        if (this.acquisitions.length > before) this.acquisitions[before]!.key = key;
        break;
      }
      case 'unstubAllEnvs': release('stub-env'); break;
      case 'unstubAllGlobals': release('stub-global'); break;
      default: break;
    }
  }
}

/** Whether a spy gets an implementation of its own: chained (`spyOn(a, 'b').mockReturnValue(1)`) or through its binding. */
function hasImplementation(call: TS.CallExpression): boolean {
  let current: TS.Node = call;
  while (ts.isPropertyAccessExpression(current.parent) && ts.isCallExpression(current.parent.parent) && current.parent.parent.expression === current.parent) {
    if (IMPLEMENTATION_METHODS.has(current.parent.name.text)) return true;
    current = current.parent.parent;
  }
  // const spy = vi.spyOn(a, 'b'); spy.mockImplementation(...)
  const declaration = current.parent;
  if (declaration && ts.isVariableDeclaration(declaration) && ts.isIdentifier(declaration.name)) {
    const name = declaration.name.text;
    const scope = declaration.parent?.parent?.parent;
    let found = false;
    const visit = (node: TS.Node): void => {
      if (found) return;
      if (ts.isPropertyAccessExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === name && IMPLEMENTATION_METHODS.has(node.name.text)) found = true;
      ts.forEachChild(node, visit);
    };
    if (scope) visit(scope);
    return found;
  }
  return false;
}

// ---------------------------------------------------------------------------------------------
// Handle acquisitions

const SERVER_RESULT_MODULES: ReadonlySet<string> = new Set(['net', 'http', 'https', 'tls', 'http2', 'express', 'express-serve-static-core', 'koa', 'connect', 'restify', '@types/node']);
const DB_MODULES: ReadonlySet<string> = new Set([
  'pg', 'mysql2', 'mysql2/promise', 'mysql', 'postgres', 'knex', 'typeorm', 'sequelize', '@sequelize/core', 'sequelize-typescript',
  '.prisma', '@prisma/client', 'mongoose', 'mongodb', 'ioredis', 'redis', '@redis/client', 'kysely', '@mikro-orm/core',
]);
const DB_CLASSES = new Set(['Pool', 'Client', 'PrismaClient', 'Sequelize', 'DataSource', 'Kysely', 'MongoClient', 'Redis', 'Cluster', 'Connection']);
const DB_FACTORIES = new Set(['createPool', 'createConnection', 'createClient', 'createCluster', 'knex', 'connect', 'init', 'createConnections']);
const BROWSER_MODULES: ReadonlySet<string> = new Set(['playwright', 'playwright-core', '@playwright/test', 'puppeteer', 'puppeteer-core']);
const FS_MODULES: ReadonlySet<string> = new Set(['fs', 'fs/promises', 'fs-extra', 'graceful-fs']);
const TEMP_REMOVERS = new Set(['rm', 'rmSync', 'rmdir', 'rmdirSync', 'remove', 'removeSync', 'rimraf', 'rimrafSync', 'emptyDir', 'deleteAsync', 'del']);
/** Calls that close, stop or free a handle. */
const HANDLE_RELEASES = new Set([
  'close', 'closeAllConnections', 'end', 'destroy', 'quit', 'disconnect', '$disconnect', 'stop', 'terminate', 'dispose',
  'clearInterval', 'clearTimeout', 'unwatch', ...TEMP_REMOVERS,
]);

interface HandleFound {
  kind: HandleKind;
  label: string;
  /** The handle is the call's receiver (`await app.listen()` of fastify returns an address, not the server). */
  receiverBinding?: boolean;
}

/** A call or `new` that opens a handle, recognised by the module declaring it. */
function handleAcquisition(checker: TS.TypeChecker, node: TS.CallExpression | TS.NewExpression, name: string): HandleFound | undefined {
  if (ts.isNewExpression(node)) {
    if (name === 'WebSocketServer' || name === 'Server') {
      const target = callTarget(checker, node);
      if (hasModule(target, new Set(['ws']))) {
        const options = node.arguments?.[0];
        // Attached to another server ({ server } / { noServer }): that server owns the socket.
        if (objectProperty(options, 'server') || objectProperty(options, 'noServer')) return undefined;
        return { kind: 'server', label: `new ${node.expression.getText()}()` };
      }
      return undefined;
    }
    if (!DB_CLASSES.has(name)) return undefined;
    const target = callTarget(checker, node);
    if (!hasModule(target, DB_MODULES)) return undefined;
    return { kind: 'db-connection', label: `new ${node.expression.getText()}()` };
  }
  switch (name) {
    case 'listen': {
      const target = callTarget(checker, node);
      if (hasModule(target, new Set(['fastify']))) return { kind: 'server', label: `${node.expression.getText()}()`, receiverBinding: true };
      if (!hasModule(target, SERVER_RESULT_MODULES)) return undefined;
      return { kind: 'server', label: `${node.expression.getText()}()` };
    }
    case 'serve':
      return hasModule(callTarget(checker, node), new Set(['@hono/node-server'])) ? { kind: 'server', label: 'serve()' } : undefined;
    case 'setInterval': {
      const target = callTarget(checker, node);
      if (!target || ![...target.modules].some((m) => m === 'lib' || m === 'node' || m === 'timers' || m === '@types/node')) return undefined;
      return { kind: 'interval', label: 'setInterval()' };
    }
    case 'launch':
    case 'launchPersistentContext':
    case 'newContext': {
      const target = callTarget(checker, node);
      return hasModule(target, BROWSER_MODULES) ? { kind: 'browser', label: `${node.expression.getText()}()` } : undefined;
    }
    case 'mkdtemp':
    case 'mkdtempSync': {
      const target = callTarget(checker, node);
      return hasModule(target, FS_MODULES) ? { kind: 'temp-dir', label: `${node.expression.getText()}()` } : undefined;
    }
    case 'watch': {
      const target = callTarget(checker, node);
      return hasModule(target, new Set([...FS_MODULES, 'chokidar'])) ? { kind: 'watcher', label: `${node.expression.getText()}()` } : undefined;
    }
    default: {
      if (!DB_FACTORIES.has(name)) return undefined;
      const target = callTarget(checker, node);
      if (!hasModule(target, DB_MODULES)) return undefined;
      // pg `pool.connect()` borrows a client from a pool (released with `release()`); the pool is the handle.
      if (name === 'connect' && !hasModule(target, new Set(['mongoose', 'mongodb']))) return undefined;
      // mongoose `Model.init()` builds indexes; only MikroORM's `init()` opens a connection.
      if (name === 'init' && !hasModule(target, new Set(['@mikro-orm/core']))) return undefined;
      // mongoose `createConnection()` without a URI opens nothing until `openUri()`.
      if (name === 'createConnection' && node.arguments.length === 0) return undefined;
      // mongoose.connect() opens the default connection held by the module itself.
      const receiverBinding = name === 'connect' && hasModule(target, new Set(['mongoose']));
      return { kind: 'db-connection', label: `${node.expression.getText()}()`, ...(receiverBinding ? { receiverBinding } : {}) };
    }
  }
}

/**
 * The variable a handle is stored in: `const s = await x()`, `s = x()`; 'disposed' for `using`/`await using`;
 * 'dropped' when the call is a statement of its own (nothing keeps the handle); 'escapes' when it is handed on
 * (an argument, a property, a return value) to code that may close it.
 */
function resultBinding(node: TS.Expression): TS.Identifier | 'disposed' | 'dropped' | 'escapes' {
  let current: TS.Node = node;
  // Through `await`, parentheses, casts and chained calls that return the same handle (`.listen()`, `.unref()`).
  for (;;) {
    const parent: TS.Node = current.parent;
    if (ts.isAwaitExpression(parent) || ts.isParenthesizedExpression(parent) || ts.isAsExpression(parent) || ts.isNonNullExpression(parent) || ts.isSatisfiesExpression(parent)) {
      current = parent;
      continue;
    }
    if (ts.isPropertyAccessExpression(parent) && parent.expression === current && /^(?:listen|unref|ref|on|once)$/.test(parent.name.text)
      && ts.isCallExpression(parent.parent) && parent.parent.expression === parent) {
      current = parent.parent;
      continue;
    }
    break;
  }
  const parent = current.parent;
  if (ts.isVariableDeclaration(parent) && parent.initializer === current && ts.isIdentifier(parent.name)) {
    const list = parent.parent;
    if (ts.isVariableDeclarationList(list) && (list.flags & ts.NodeFlags.Using) !== 0) return 'disposed';
    return parent.name;
  }
  if (ts.isBinaryExpression(parent) && parent.operatorToken.kind === ts.SyntaxKind.EqualsToken && parent.right === current) {
    const left = skipOuterExpressions(parent.left);
    if (ts.isIdentifier(left)) return left;
    // this.server = ..., ctx.server = ...: stored where we do not follow.
    return 'escapes';
  }
  if (ts.isExpressionStatement(parent) || ts.isVoidExpression(parent)) return 'dropped';
  return 'escapes';
}

/** The identifier a method is called on (`app` of `app.listen()`). */
function receiverIdentifier(node: TS.CallExpression | TS.NewExpression): TS.Identifier | undefined {
  const callee = skipOuterExpressions(node.expression);
  if (!ts.isPropertyAccessExpression(callee)) return undefined;
  const receiver = skipOuterExpressions(callee.expression);
  return ts.isIdentifier(receiver) ? receiver : undefined;
}

/** Calls a handle may be passed to without being closed or kept: waiting for events, assertions, supertest, logging. */
const HARMLESS_CALLEES = /^(?:once|on|expect|assert(?:\.\w+)?|request|supertest|agent|String|Number|Boolean|console\.\w+|JSON\.stringify|inspect|getPort|clearInterval|clearTimeout|rm|rmSync|rmdir|rmdirSync|remove|removeSync|rimraf|emptyDir|path\.\w+|join|resolve)$/;

/** A use of a handle binding that neither closes it out of sight nor lets it escape. */
function harmlessUse(checker: TS.TypeChecker, identifier: TS.Identifier): boolean {
  const parent = identifier.parent;
  if (ts.isPropertyAccessExpression(parent) && parent.expression === identifier) return true;
  if (ts.isElementAccessExpression(parent) && parent.expression === identifier) return true;
  if (ts.isBinaryExpression(parent) && parent.left === identifier && parent.operatorToken.kind === ts.SyntaxKind.EqualsToken) return true;
  if (ts.isBinaryExpression(parent) && /^(?:===|!==|==|!=|&&|\|\||\?\?)$/.test(parent.operatorToken.getText())) return true;
  if (ts.isPrefixUnaryExpression(parent) || ts.isTypeOfExpression(parent) || ts.isVoidExpression(parent) || ts.isIfStatement(parent) || ts.isConditionalExpression(parent)) return true;
  if (ts.isTemplateSpan(parent)) return true;
  if (ts.isAsExpression(parent) || ts.isNonNullExpression(parent) || ts.isParenthesizedExpression(parent)) return harmlessUse(checker, parent as unknown as TS.Identifier);
  if (ts.isCallExpression(parent) && parent.arguments.includes(identifier)) {
    // A library call (`once(server, 'listening')`, `supertest(server)`, `fs.watch(dir)`) does not keep or close the handle; a user function might.
    // Built-ins (`list.push(server)`, `map.set(k, server)`) store it where we do not follow.
    if (HARMLESS_CALLEES.test(parent.expression.getText().replace(/^(?:fs|fsp|fs\.promises|promises)\./, ''))) return true;
    const target = callTarget(checker, parent);
    return target !== undefined && [...target.modules].some((m) => m !== 'lib');
  }
  if (ts.isVariableDeclaration(parent) && parent.name === identifier) return true;
  return false;
}

/** `process.env.X` / `process.env['X']` -> `X`. */
export function envKey(expression: TS.Expression): string | undefined {
  const node = skipOuterExpressions(expression);
  let object: TS.Expression;
  let key: string | undefined;
  if (ts.isPropertyAccessExpression(node)) {
    object = node.expression;
    key = node.name.text;
  } else if (ts.isElementAccessExpression(node)) {
    object = node.expression;
    const argument = node.argumentExpression;
    key = ts.isStringLiteral(argument) || ts.isNoSubstitutionTemplateLiteral(argument) ? argument.text : undefined;
  } else {
    return undefined;
  }
  if (key === undefined) return undefined;
  const env = skipOuterExpressions(object);
  if (!ts.isPropertyAccessExpression(env) || env.name.text !== 'env') return undefined;
  const processNode = skipOuterExpressions(env.expression);
  if (!ts.isIdentifier(processNode) || processNode.text !== 'process') return undefined;
  return key;
}

/** `process.env[name]` with a computed name. */
function isDynamicEnvAccess(expression: TS.Expression): boolean {
  const node = skipOuterExpressions(expression);
  if (!ts.isElementAccessExpression(node)) return false;
  const env = skipOuterExpressions(node.expression);
  return ts.isPropertyAccessExpression(env) && env.name.text === 'env' && ts.isIdentifier(env.expression) && env.expression.text === 'process';
}

/** Calls that register teardown for the running test or scope (vitest onTestFinished, node:test t.after, tap t.teardown). */
export const TEARDOWN_REGISTRARS: ReadonlySet<string> = new Set(['onTestFinished', 'onTestFailed', 'after', 'afterEach', 'afterAll', 'teardown', 'addCleanup', 'cleanup']);

const memo = new WeakMap<TestModel, ResourceModel>();

/** The resource model of the analysis the test model belongs to. */
export function resourceModel(model: TestModel): ResourceModel {
  let resources = memo.get(model);
  if (!resources) memo.set(model, (resources = new ResourceModel(model, model.checker)));
  return resources;
}
