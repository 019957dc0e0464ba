#!/usr/bin/env node
// Seeded fuzzer: random edit sequences over a copy of the sample workspace, sent to the real server over stdio
// (incremental and full sync); the server's final diagnostics for the edited file must equal what
// `flakelens check --format json` reports for it on the same text (a copy of the workspace holding the final buffer).
// Every sequence is checked with the CLI's own check entry in-process (runCheck + the json reporter, as bin/cli.ts calls
// them for `check <dir> --format json`); every --spawn-every'th sequence also spawns the built CLI on its own copy.
// Then protocol abuse and workspace faults; the server must answer and not die.
//   npm run fuzz -- --sequences N --seed S [--first K] [--spawn-every K] [--verbose]
// Exit 0 when there was no crash, hang or mismatch. A mismatch prints the seed, the sequence and the differing findings.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { createProtocolConnection, StreamMessageReader, StreamMessageWriter } from 'vscode-languageserver-protocol/node';
import { TextDocument } from 'vscode-languageserver-textdocument';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CLI = path.join(REPO, 'server/dist/bin/cli.js');
const SAMPLE = path.join(REPO, 'test/fixtures/sample-workspace');
const dist = (file) => import(pathToFileURL(path.join(REPO, 'server/dist', file)).href);
const { runCheck, findWorkspaceRoot, commonAncestor } = await dist('cli/check.js');
const { formatReport } = await dist('cli/reporters/index.js');
const { PLAIN } = await dist('cli/colors.js');
const { RULES } = await dist('rules/index.js');
const { shareNodeModulesDeclarations } = await dist('workspace/program.js');
// The same seeded PRNG verify uses for file orders: a seed always gives the same edits.
const { seededRandom: rng } = await dist('verify/plan.js');

const { values } = parseArgs({
  options: {
    sequences: { type: 'string', default: '30' },
    seed: { type: 'string', default: '1' },
    // Replays from sequence K (the edits of sequence K depend only on the seed and K; the server starts fresh).
    first: { type: 'string', default: '0' },
    // Every K-th sequence (counting from --first) is also checked by a spawned `node server/dist/bin/cli.js check`.
    'spawn-every': { type: 'string', default: '10' },
    verbose: { type: 'boolean', default: false },
    'timeout-ms': { type: 'string', default: '60000' },
  },
});
const SEQUENCES = Number(values.sequences);
const SEED = Number(values.seed);
const FIRST = Number(values.first);
const SPAWN_EVERY = Number(values['spawn-every']);
const TIMEOUT = Number(values['timeout-ms']);

/** Snippets that move findings around: focus markers, sleeps, floating promises, line breaks of every kind, broken syntax. */
const SNIPPETS = [
  '.only', '.skip', 'it.only(', "it('x', async () => {\n  await new Promise((r) => setTimeout(r, 100));\n});\n", 'setTimeout(() => {}, 50);\n',
  'await ', 'async ', 'return ', 'Promise.resolve(1);\n', 'expect(load()).resolves.toBe(1);\n', '\n', '\r\n', '\r', '\u2028', '\u2029', '\t',
  '// flakelens-ignore-next-line\n', '/* ', ' */', '(', ')', '{', '}', ';', '`${', '"', "'", 'describe.only(', 'done', ' ', 'é', '😀',
  "import chaiAsPromised from 'chai-as-promised';\n", "import './helper';\n", 'test.describe.only(', 'fit(', 'xit(', 'beforeEach(async () => { await 1; });\n',
];

const root = path.join(REPO, 'test/fixtures/.tmp', `fuzz-${process.pid}`);
// The copy `check` runs on: the workspace as the server sees it (disk plus the edited buffer). A sibling of `root`,
// so node_modules resolve the same way.
const checkRoot = `${root}-check`;
for (const dir of [root, checkRoot]) {
  fs.rmSync(dir, { recursive: true, force: true });
  fs.cpSync(SAMPLE, dir, { recursive: true });
}
const uriOf = (file) => pathToFileURL(file).href;

function listTests(dir) {
  const out = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    const full = path.join(entry.parentPath ?? entry.path, entry.name);
    if (entry.isFile() && /\.(test|spec)\.ts$/.test(entry.name)) out.push(full);
  }
  return out.sort();
}
const TESTS = listTests(path.join(root, 'tests'));

/**
 * Verify results for every test of the copy, with the source hashes `verify` records: edits make verdicts stale or
 * unplaceable, and the server must still show exactly what check shows (both read .flakelens/verify.json).
 */
async function writeVerdicts(dir) {
  const { testSourceHashes } = await import(pathToFileURL(path.join(REPO, 'server/dist/engine/testBlocks.js')).href);
  const { resultsPath, writeResults } = await import(pathToFileURL(path.join(REPO, 'server/dist/verify/results.js')).href);
  const kinds = ['flaky', 'order-dependent', 'parallel-sensitive', 'timing-sensitive', 'failing', 'stable'];
  const tests = {};
  const verdicts = [];
  for (const abs of TESTS) {
    const file = path.relative(root, abs).split(path.sep).join('/');
    for (const [key, sourceHash] of testSourceHashes(file, fs.readFileSync(abs, 'utf8'))) {
      const titles = key.split('\u0000');
      const id = `${file} > ${titles.join(' > ')}`;
      const verdict = kinds[verdicts.length % kinds.length];
      tests[id] = { file, titles, sourceHash };
      const failed = verdict === 'stable' ? 0 : verdict === 'failing' ? 2 : 1;
      const polluters = verdict === 'order-dependent' && verdicts.length > 0 ? [verdicts[0].id] : undefined;
      verdicts.push({ id, file, titles, verdict, counts: { serial: { passed: 2 - failed, failed } }, ...(failed ? { firstFailure: { message: `boom ${verdicts.length}`, run: 1, mode: 'serial', stress: false } } : {}), ...(polluters ? { polluters, seed: 3 } : {}), conclusion: verdict });
    }
  }
  writeResults(resultsPath(dir), {
    schemaVersion: 1, tool: { name: 'flakelens', version: '0' }, root: dir, startedAt: new Date(0).toISOString(), durationMs: 0,
    runner: { id: 'vitest', version: '0', command: ['vitest'], shuffle: 'native' }, options: { runs: 2, modes: ['serial'], stress: false, seed: 3, workers: 2 },
    files: [...new Set(verdicts.map((v) => v.file))], tests, runs: [], orderFindings: [], verdicts,
    summary: { stable: 0, failing: 0, flaky: 0, 'order-dependent': 0, 'parallel-sensitive': 0, 'timing-sensitive': 0, tests: verdicts.length, runs: 2 },
  });
}
// Both copies: check on the check copy must see the verdicts the server sees.
for (const dir of [root, checkRoot]) await writeVerdicts(dir);

function startServer() {
  const child = spawn(process.execPath, [CLI, '--stdio'], { cwd: root, stdio: 'pipe' });
  const connection = createProtocolConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin));
  const server = { child, connection, stderr: '', exited: false, published: new Map(), waiters: [] };
  child.stderr.on('data', (c) => (server.stderr += c));
  child.on('exit', () => {
    server.exited = true;
    for (const w of server.waiters) w();
  });
  connection.onError(() => {});
  connection.onClose(() => {});
  connection.onNotification('textDocument/publishDiagnostics', (p) => {
    server.published.set(p.uri, p);
    for (const w of [...server.waiters]) w();
  });
  connection.onNotification(() => {});
  connection.onUnhandledProgress((p) => {
    if (p.value?.kind === 'end') server.progressEnded = true;
    for (const w of [...server.waiters]) w();
  });
  connection.onRequest((method, params) => (method === 'workspace/configuration' ? params.items.map(() => null) : null));
  connection.listen();
  return server;
}

function waitUntil(server, predicate, what) {
  return new Promise((resolve, reject) => {
    const check = () => {
      if (predicate()) {
        done();
        resolve();
      } else if (server.exited) {
        done();
        reject(Object.assign(new Error(`server exited while waiting for ${what}`), { kind: 'crash' }));
      }
    };
    const timer = setTimeout(() => {
      done();
      reject(Object.assign(new Error(`timed out waiting for ${what}`), { kind: 'hang' }));
    }, TIMEOUT);
    const done = () => {
      clearTimeout(timer);
      server.waiters = server.waiters.filter((w) => w !== check);
    };
    server.waiters.push(check);
    check();
  });
}

async function initialize(server) {
  await server.connection.sendRequest('initialize', {
    processId: process.pid,
    rootUri: uriOf(root),
    workspaceFolders: [{ uri: uriOf(root), name: 'fuzz' }],
    capabilities: { window: { workDoneProgress: true }, textDocument: { publishDiagnostics: { versionSupport: true } } },
    initializationOptions: { debounceMs: 0 },
  });
  await server.connection.sendNotification('initialized', {});
  await waitUntil(server, () => server.progressEnded, 'the first workspace analysis');
}

const SEVERITY_NAMES = { 1: 'error', 2: 'warning', 3: 'info', 4: 'hint' };
const SKIPPED_PREFIX = 'flakelens did not analyse this file: ';
/** A served diagnostic, comparable with a finding of the json report (0-based positions, severity name). */
const servedKey = (d) => `${d.code} ${SEVERITY_NAMES[d.severity]} ${d.range.start.line}:${d.range.start.character}-${d.range.end.line}:${d.range.end.character} ${d.message}`;
const reportKey = (f) => `${f.ruleId} ${f.severity} ${f.range.start.line - 1}:${f.range.start.column - 1}-${f.range.end.line - 1}:${f.range.end.column - 1} ${f.message}`;

function servedKeys(diagnostics) {
  if (diagnostics.length === 1 && diagnostics[0].message.startsWith(SKIPPED_PREFIX)) return [`skipped: ${diagnostics[0].message.slice(SKIPPED_PREFIX.length)}`];
  return diagnostics.map(servedKey).sort();
}

/** The findings of `rel` in a `check --format json` report on the workspace copy `dir`, as comparable keys. */
function reportKeys(json, dir, rel) {
  const report = JSON.parse(json);
  const entry = report.files.find((f) => f.path === rel.split(path.sep).join('/'));
  if (!entry) return ['not in the report'];
  // A skipped file (binary, too large) has no findings and the note the server shows as its one diagnostic.
  if (entry.findings.length === 0 && entry.tests === undefined && entry.notes.length) return [`skipped: ${entry.notes.join('; ')}`];
  return entry.findings.map((f) => reportKey({ ...f, message: f.message.split(dir).join(root) })).sort();
}

shareNodeModulesDeclarations(true);

/** `flakelens check <dir> --format json`, in-process: what bin/cli.ts does for these arguments (no --rule, not quiet). */
function checkInProcess(dir) {
  const paths = [path.resolve(dir)];
  const outcome = runCheck({ root: findWorkspaceRoot(commonAncestor(paths)), paths, rules: RULES, ruleOverrides: {}, quiet: false, onNote: () => {} });
  if (outcome.kind !== 'report') throw new Error(`check: config error ${JSON.stringify(outcome.problems)}`);
  return formatReport(outcome.report, 'json', PLAIN);
}

/** The real CLI, spawned on its own copy of the workspace (so the loop can go on while it runs). */
function checkSpawned(dir) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, 'check', dir, '--format', 'json'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    const timer = setTimeout(() => child.kill(), TIMEOUT * 5);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** Lines only in one of the two sorted key lists: the smallest diff that shows a mismatch. */
function diffKeys(served, expected) {
  const a = new Set(served);
  const b = new Set(expected);
  return [...served.filter((k) => !b.has(k)).map((k) => `    - server: ${k}`), ...expected.filter((k) => !a.has(k)).map((k) => `    + check:  ${k}`)].join('\n');
}

const stats = { verdicts: 0, staleVerdicts: 0, sequences: 0, edits: 0, crashes: 0, hangs: 0, mismatches: 0, spawned: 0, compared: 0, abuse: 0, faults: 0, failures: [] };
const started = Date.now();
let server = startServer();
await initialize(server);

async function restart(reason) {
  stats.failures.push(reason);
  try {
    server.child.kill();
  } catch {}
  server = startServer();
  await initialize(server);
}

/** Records a mismatch: a dump to replay it, and the seed, sequence and differing findings on stdout. */
function mismatch(s, file, incremental, text, served, expected, against) {
  stats.mismatches++;
  const rel = path.relative(root, file);
  const dump = path.join(root, '..', `fuzz-mismatch-${SEED}-${s}${against === 'check' ? '' : '-spawned'}.json`);
  fs.writeFileSync(dump, JSON.stringify({ seed: SEED, sequence: s, file: rel, incremental, against, text, served, expected }, null, 2));
  // The server lives across sequences: when the replay of this one alone passes, replay from an earlier --first.
  stats.failures.push(`seed ${SEED} sequence ${s} (replay: npm run fuzz -- --seed ${SEED} --first ${s} --sequences 1, or from an earlier --first: the server keeps its state across sequences): ${rel} differs from ${against} (${dump})\n${diffKeys(served, expected)}`);
}

const spawnedChecks = [];
let spawnQueue = Promise.resolve();
/** One spawned check at a time, in the background: on a copy of the check workspace as it is now. */
function queueSpawnedCheck(s, file, incremental, text, served) {
  const rel = path.relative(root, file);
  const copy = `${root}-spawn-${s}`;
  fs.rmSync(copy, { recursive: true, force: true });
  fs.cpSync(checkRoot, copy, { recursive: true });
  stats.spawned++;
  spawnQueue = spawnQueue.then(async () => {
    const result = await checkSpawned(copy);
    fs.rmSync(copy, { recursive: true, force: true });
    if (result.code !== 0 && result.code !== 1) {
      stats.crashes++;
      stats.failures.push(`seed ${SEED} sequence ${s}: spawned check exited ${result.code ?? result.signal}\n${result.stderr.slice(-2000)}`);
      return;
    }
    const expected = reportKeys(result.stdout, copy, rel);
    if (JSON.stringify(served) !== JSON.stringify(expected)) mismatch(s, file, incremental, text, served, expected, 'spawned check');
  });
  spawnedChecks.push(spawnQueue);
}

let checkMs = 0;
for (let s = FIRST; s < FIRST + SEQUENCES; s++) {
  const random = rng(SEED * 100003 + s);
  const pick = (list) => list[Math.floor(random() * list.length)];
  const file = pick(TESTS);
  const uri = uriOf(file);
  const incremental = s % 2 === 0;
  let doc = TextDocument.create(uri, 'typescript', 1, fs.readFileSync(file, 'utf8'));
  try {
    // Versions restart at 1 when a document is reopened, as editors do: the last publication of the previous
    // sequence on this file (same URI, maybe the same final version) must not be taken for this one's. A round trip
    // first: the server answers in order, so every publication it sent before reading the last didClose has arrived;
    // from here on it publishes the closed file without a version, or this sequence's versions.
    await server.connection.sendRequest('flakelens/fuzzBarrier').catch(() => {});
    server.published.delete(uri);
    await server.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'typescript', version: 1, text: doc.getText() } });
    const edits = 1 + Math.floor(random() * 12);
    for (let e = 0; e < edits; e++) {
      const text = doc.getText();
      const start = Math.floor(random() * (text.length + 1));
      const end = Math.min(text.length, start + (random() < 0.5 ? 0 : Math.floor(random() * 12)));
      const newText = random() < 0.85 ? pick(SNIPPETS) : '';
      const range = { start: doc.positionAt(start), end: doc.positionAt(end) };
      const change = incremental ? { range, text: newText } : { text: text.slice(0, start) + newText + text.slice(end) };
      doc = TextDocument.update(doc, [change], doc.version + 1);
      await server.connection.sendNotification('textDocument/didChange', { textDocument: { uri, version: doc.version }, contentChanges: [change] });
      stats.edits++;
    }
    const version = doc.version;
    await waitUntil(server, () => server.published.get(uri)?.version === version, `diagnostics of ${path.relative(root, file)} v${version}`);
    const got = server.published.get(uri).diagnostics;
    const served = servedKeys(got);
    stats.verdicts += got.filter((d) => String(d.code).startsWith('verify/')).length;
    stats.staleVerdicts += got.filter((d) => String(d.code).startsWith('verify/') && d.message.endsWith('(stale: test changed since the run)')).length;
    // The same text on disk in the check copy (every other file there equals the server's disk).
    const rel = path.relative(root, file);
    const checkFile = path.join(checkRoot, rel);
    const original = fs.readFileSync(checkFile, 'utf8');
    fs.writeFileSync(checkFile, doc.getText());
    try {
      const t = Date.now();
      const expected = reportKeys(checkInProcess(checkRoot), checkRoot, rel);
      checkMs += Date.now() - t;
      stats.compared += expected.length;
      if (JSON.stringify(served) !== JSON.stringify(expected)) mismatch(s, file, incremental, doc.getText(), served, expected, 'check');
      if (SPAWN_EVERY > 0 && (s - FIRST) % SPAWN_EVERY === 0) queueSpawnedCheck(s, file, incremental, doc.getText(), served);
    } finally {
      fs.writeFileSync(checkFile, original);
    }
    await server.connection.sendNotification('textDocument/didClose', { textDocument: { uri } });
  } catch (error) {
    if (error.kind === 'hang') stats.hangs++;
    else stats.crashes++;
    await restart(`seed ${SEED} sequence ${s}: ${error.message}\n${server.stderr.slice(-2000)}`);
  }
  stats.sequences++;
  if (values.verbose) process.stderr.write(`sequence ${s}: ${stats.mismatches} mismatches, ${stats.crashes} crashes, ${stats.hangs} hangs so far (${((Date.now() - started) / 1000).toFixed(0)} s)\n`);
}
await Promise.all(spawnedChecks);

/** Protocol abuse: every request gets an answer (result or error), the server stays up. */
async function abuse() {
  const c = server.connection;
  const uri = uriOf(TESTS[0]);
  const expectAnswer = async (what, promise) => {
    stats.abuse++;
    try {
      await promise;
    } catch (error) {
      if (typeof error?.code !== 'number') throw Object.assign(new Error(`${what}: no JSON-RPC error code (${error})`), { kind: 'crash' });
    }
  };
  await expectAnswer('unknown method', c.sendRequest('flakelens/noSuchMethod', {}));
  await expectAnswer('hover far out of range', c.sendRequest('textDocument/hover', { textDocument: { uri }, position: { line: 1e9, character: 1e9 } }));
  await expectAnswer('hover negative', c.sendRequest('textDocument/hover', { textDocument: { uri }, position: { line: -1, character: 0.5 } }));
  await expectAnswer('codeAction garbage', c.sendRequest('textDocument/codeAction', { textDocument: { uri }, range: null, context: 5 }));
  await expectAnswer('codeLens of a closed file', c.sendRequest('textDocument/codeLens', { textDocument: { uri } }));
  await expectAnswer('executeCommand garbage', c.sendRequest('workspace/executeCommand', { command: 'flakelens.verify', arguments: [42, 'x', null] }));
  await expectAnswer('executeCommand unknown', c.sendRequest('workspace/executeCommand', { command: 'rm -rf', arguments: [] }));
  await c.sendNotification('textDocument/didChange', { textDocument: { uri: 'file:///not/open.ts', version: 3 }, contentChanges: [{ range: { start: { line: 99, character: 0 }, end: { line: 0, character: 0 } }, text: 'x' }] });
  const huge = path.join(root, 'tests/huge.test.ts');
  const binary = path.join(root, 'tests/binary.test.ts');
  await c.sendNotification('textDocument/didOpen', { textDocument: { uri: uriOf(huge), languageId: 'typescript', version: 1, text: "it.only('x', () => {});\n".repeat(200_000) } });
  await c.sendNotification('textDocument/didOpen', { textDocument: { uri: uriOf(binary), languageId: 'typescript', version: 1, text: '\u0000\u0001\u0002\uFFFD'.repeat(1000) } });
  await waitUntil(server, () => server.published.get(uriOf(huge))?.version === 1 && server.published.get(uriOf(binary))?.version === 1, 'diagnostics of huge and binary documents');
  await c.sendNotification('textDocument/didClose', { textDocument: { uri: uriOf(huge) } });
  await c.sendNotification('textDocument/didClose', { textDocument: { uri: uriOf(binary) } });
}

/** Workspace faults: the server keeps serving through deletes, renames, broken configs, symlink loops and bulk creation. */
async function faults() {
  const c = server.connection;
  const file = TESTS[TESTS.length - 1];
  const uri = uriOf(file);
  const text = fs.readFileSync(file, 'utf8');
  await c.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'typescript', version: 1, text } });
  fs.renameSync(file, `${file}.moved`);
  fs.writeFileSync(path.join(root, 'tsconfig.json.bak'), fs.readFileSync(path.join(root, 'tsconfig.json')));
  fs.writeFileSync(path.join(root, 'tsconfig.json'), '{ "compilerOptions": ');
  fs.writeFileSync(path.join(root, 'flakelens.config.json.bak'), fs.readFileSync(path.join(root, 'flakelens.config.json')));
  fs.writeFileSync(path.join(root, 'flakelens.config.json'), '{ "rules": 3 ');
  try {
    fs.symlinkSync('.', path.join(root, 'tests/loop'));
  } catch {}
  for (let i = 0; i < 50; i++) {
    fs.mkdirSync(path.join(root, `tests/gen/d${i % 5}`), { recursive: true });
    fs.writeFileSync(path.join(root, `tests/gen/d${i % 5}/g${i}.test.ts`), `import { it } from 'vitest';\nit.only('g${i}', () => {});\n`);
  }
  await c.sendNotification('textDocument/didChange', { textDocument: { uri, version: 2 }, contentChanges: [{ text: `${text}\n` }] });
  await waitUntil(server, () => server.published.get(uri)?.version === 2, 'diagnostics while the workspace is broken');
  fs.renameSync(`${file}.moved`, file);
  fs.renameSync(path.join(root, 'tsconfig.json.bak'), path.join(root, 'tsconfig.json'));
  fs.renameSync(path.join(root, 'flakelens.config.json.bak'), path.join(root, 'flakelens.config.json'));
  await c.sendNotification('textDocument/didChange', { textDocument: { uri, version: 3 }, contentChanges: [{ text }] });
  await waitUntil(server, () => server.published.get(uri)?.version === 3, 'diagnostics once the workspace is fixed');
  await c.sendNotification('textDocument/didClose', { textDocument: { uri } });
  stats.faults++;
}

for (const [name, step] of [['protocol abuse', abuse], ['workspace faults', faults]]) {
  try {
    await step();
  } catch (error) {
    if (error.kind === 'hang') stats.hangs++;
    else stats.crashes++;
    await restart(`${name}: ${error.message}\n${server.stderr.slice(-2000)}`);
  }
}

// Requests after shutdown are refused with an error, then exit ends the process with 0.
try {
  await server.connection.sendRequest('shutdown');
  let refused = false;
  await server.connection.sendRequest('textDocument/hover', { textDocument: { uri: uriOf(TESTS[0]) }, position: { line: 0, character: 0 } }).catch((e) => (refused = typeof e.code === 'number'));
  if (!refused) throw new Error('a request after shutdown was not refused');
  await server.connection.sendNotification('exit');
  await waitUntil(server, () => server.exited, 'exit');
  if (server.child.exitCode !== 0) throw new Error(`exit code ${server.child.exitCode} after shutdown`);
} catch (error) {
  stats.crashes++;
  stats.failures.push(`shutdown: ${error.message}`);
}

// Bad framing on a fresh server: garbage headers must not crash it into a stack trace loop; it must exit or keep reading.
{
  const child = spawn(process.execPath, [CLI, '--stdio'], { cwd: root, stdio: 'pipe' });
  let stderr = '';
  child.stderr.on('data', (c) => (stderr += c));
  child.stdin.write('Content-Length: abc\r\n\r\n{}Content-Length: 5\r\n\r\n{"a":Content-Length: 99999999999\r\n\r\n');
  child.stdin.end();
  const code = await new Promise((resolve) => {
    const timer = setTimeout(() => {
      child.kill();
      resolve('hang');
    }, TIMEOUT);
    child.on('exit', (c) => {
      clearTimeout(timer);
      resolve(c);
    });
  });
  stats.abuse++;
  if (code === 'hang') {
    stats.hangs++;
    stats.failures.push('bad framing: the server did not exit after its input closed');
  } else if (/unexpected error|internal error/.test(stderr)) {
    stats.crashes++;
    stats.failures.push(`bad framing: ${stderr.slice(0, 500)}`);
  }
}

fs.rmSync(root, { recursive: true, force: true });
fs.rmSync(checkRoot, { recursive: true, force: true });
const seconds = ((Date.now() - started) / 1000).toFixed(1);
const summary = `fuzz seed ${SEED}: ${stats.sequences} sequences (${stats.edits} edits, incremental and full sync; each compared with check in-process, ${stats.compared} findings in all, ${stats.spawned} also with a spawned check), ${stats.abuse} protocol abuses, ${stats.faults} workspace fault rounds, ${stats.verdicts} verify diagnostics compared (${stats.staleVerdicts} stale); ${stats.crashes} crashes, ${stats.hangs} hangs, ${stats.mismatches} mismatches; ${seconds} s (in-process checks ${(checkMs / 1000).toFixed(1)} s)`;
process.stdout.write(`${summary}\n`);
for (const failure of stats.failures) process.stdout.write(`  ${failure}\n`);
process.exitCode = stats.crashes + stats.hangs + stats.mismatches > 0 ? 1 : 0;
