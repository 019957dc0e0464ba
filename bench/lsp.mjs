#!/usr/bin/env node
// The language server as an editor sees it, through a real JSON-RPC client over stdio against the built server:
//   initialize latency; first diagnostics for a document opened right after `initialized` (before the background
//   pass ends), beside the floor for it (bench/floor.mjs --first); the whole workspace pass; edit -> diagnostics
//   latency percentiles (debounce set to 0 and printed separately); a helper edit republishing its open dependent and
//   all dependents; RSS along the way.
// Usage: node bench/lsp.mjs [--files N] [--edits E] [--workspace DIR --open FILE --helper FILE] [--server CLI.js] [--prof DIR]
//   (npm run bench:lsp). --server measures another build (say main's server/dist/bin/cli.js) for a before/after;
//   --prof writes the server's CPU profile (node --cpu-prof) to DIR.
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { createProtocolConnection, StreamMessageReader, StreamMessageWriter } from 'vscode-languageserver-protocol/node';
import { ensureRepo } from './generate.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({
  options: {
    files: { type: 'string', default: '150' },
    edits: { type: 'string', default: '100' },
    workspace: { type: 'string' },
    open: { type: 'string' },
    helper: { type: 'string' },
    server: { type: 'string' },
    prof: { type: 'string' },
  },
});
const CLI = values.server ? path.resolve(values.server) : path.join(ROOT, 'server/dist/bin/cli.js');
const EDITS = Number(values.edits);
if (!fs.existsSync(CLI)) {
  console.error('server/dist is missing: run npm run build first (npm run bench:lsp does)');
  process.exit(2);
}

let root;
let openFile;
let helperFile;
if (values.workspace) {
  root = path.resolve(values.workspace);
  if (!values.open) {
    console.error('--workspace needs --open <test file> (and optionally --helper <module it imports>)');
    process.exit(2);
  }
  openFile = path.resolve(values.open);
  helperFile = values.helper ? path.resolve(values.helper) : undefined;
} else {
  const testCount = Number(values.files);
  ({ repo: root } = ensureRepo(path.join(ROOT, 'bench/.work'), testCount, Math.max(2, Math.round(testCount / 3))));
  const tests = fs.readdirSync(path.join(root, 'tests/unit')).map((f) => path.join(root, 'tests/unit', f)).sort();
  openFile = tests[Math.floor(tests.length / 2)];
  // The helper the opened file imports first: its dependents include an open document.
  helperFile = path.join(root, 'src', `${/from '\.\.\/\.\.\/src\/(helper\d+)'/.exec(fs.readFileSync(openFile, 'utf8'))[1]}.ts`);
}
const uriOf = (file) => pathToFileURL(file).href;

const now = () => Number(process.hrtime.bigint()) / 1e6;
// The result cache goes to a scratch file, never into the measured workspace (a real suite is read-only).
const cacheFile = path.join(ROOT, 'bench/.work', `lsp-cache-${path.basename(root)}.json`);
fs.mkdirSync(path.dirname(cacheFile), { recursive: true });
fs.rmSync(cacheFile, { force: true });

/** A server process and a client connection to it, recording diagnostics, progress and log messages. */
function startSession() {
  const nodeFlags = [...(values.prof ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(values.prof)}`] : []), ...(process.env.BENCH_SERVER_NODE_FLAGS?.split(' ').filter(Boolean) ?? [])];
  const child = spawn(process.execPath, [...nodeFlags, CLI, '--stdio'], { cwd: root, stdio: ['pipe', 'pipe', 'inherit'] });
  const c = createProtocolConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin));
  const s = { child, c, spawnedAt: now(), published: new Map(), progressEnded: undefined, logs: [], waiters: new Set() };
  const wake = () => s.waiters.forEach((w) => w());
  c.onNotification('textDocument/publishDiagnostics', (p) => {
    if (!s.published.has(p.uri)) s.published.set(p.uri, []);
    s.published.get(p.uri).push({ version: p.version, at: now() });
    wake();
  });
  c.onNotification('window/logMessage', (p) => {
    s.logs.push(p.message);
    wake();
  });
  c.onNotification(() => {});
  c.onUnhandledProgress((p) => {
    if (p.value?.kind === 'end') s.progressEnded = now();
    wake();
  });
  c.onRequest((method, params) => (method === 'workspace/configuration' ? params.items.map(() => null) : null));
  c.listen();
  s.until = (pred, timeoutMs = 600_000) =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('timed out')), timeoutMs);
      const check = () => {
        if (pred()) {
          s.waiters.delete(check);
          clearTimeout(timer);
          resolve();
        }
      };
      s.waiters.add(check);
      check();
    });
  /** CPU time (user + system) the server process has used so far: a number the machine's load inflates much less than wall time. */
  s.cpuMs = () => {
    const fields = fs.readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10; // utime + stime, in clock ticks of 10 ms
  };
  s.rssMb = () => Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${child.pid}/status`, 'utf8'))[1]) / 1024;
  s.publishedAfter = (uri, t, version) => (s.published.get(uri) ?? []).some((p) => p.at >= t && (version === undefined || p.version === version));
  s.initialize = () =>
    c.sendRequest('initialize', {
      processId: process.pid,
      rootUri: uriOf(root),
      workspaceFolders: [{ uri: uriOf(root), name: path.basename(root) }],
      capabilities: { window: { workDoneProgress: true }, textDocument: { publishDiagnostics: { versionSupport: true } } },
      initializationOptions: { debounceMs: 0, cacheLocation: cacheFile },
    });
  s.stop = async () => {
    await c.sendRequest('shutdown');
    c.sendNotification('exit');
    // A clean exit writes the profile; kill only a server that does not go.
    await new Promise((resolve) => {
      const timer = setTimeout(resolve, 10_000);
      child.on('exit', () => {
        clearTimeout(timer);
        resolve();
      });
    });
    if (child.exitCode === null) child.kill();
  };
  return s;
}

const session = startSession();
const { c, until, cpuMs, rssMb, publishedAfter, published, spawnedAt } = session;

const rows = [];
const fmt = (msValue) => (msValue >= 1000 ? `${(msValue / 1000).toFixed(2)} s` : `${msValue.toFixed(0)} ms`);
const init = await session.initialize();
const initializedAt = now();
const initCpu = cpuMs();
rows.push(['initialize answered (from spawn)', fmt(initializedAt - spawnedAt), `server CPU until then ${initCpu} ms; ${init.serverInfo?.name} ${init.serverInfo?.version}`]);
c.sendNotification('initialized', {});
const openUri = uriOf(openFile);
let text = fs.readFileSync(openFile, 'utf8');
const openedAt = now();
c.sendNotification('textDocument/didOpen', { textDocument: { uri: openUri, languageId: 'typescript', version: 1, text } });
await until(() => publishedAfter(openUri, openedAt, 1));
const firstDiagnostics = now() - openedAt;
rows.push(['first diagnostics of the document opened after initialized', fmt(firstDiagnostics), path.relative(root, openFile)]);
await until(() => session.progressEnded !== undefined);
rows.push(['whole-workspace background pass (from initialized), no result cache', fmt(session.progressEnded - initializedAt), `${published.size} documents published`]);
const afterPass = rssMb();

const latencies = [];
const editsFrom = process.hrtime.bigint() / 1000n;
for (let i = 0; i < EDITS; i++) {
  const version = i + 2;
  text = `${text}\n// edit ${i}`;
  const sentAt = now();
  c.sendNotification('textDocument/didChange', { textDocument: { uri: openUri, version }, contentChanges: [{ text }] });
  await until(() => publishedAfter(openUri, sentAt, version));
  latencies.push(now() - sentAt);
}
latencies.sort((a, b) => a - b);
// The edit phase on the monotonic clock the profile's timestamps use (µs): to cut it out of the profile.
if (values.prof) console.error(`edit phase (µs, monotonic): ${editsFrom} ${process.hrtime.bigint() / 1000n}`);
const pct = (q) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))];
rows.push([`edit -> diagnostics, ${EDITS} edits (debounce 0; default debounce 200 ms comes on top)`, `p50 ${fmt(pct(0.5))} / p95 ${fmt(pct(0.95))} / max ${fmt(latencies.at(-1))}`, 'full-text didChange of the open document']);

if (helperFile) {
  const helperUri = uriOf(helperFile);
  const dependents = [];
  // `from '../src/helper'`, `from './test-setup.js'`: the helper by name, with or without an extension.
  const importsHelper = new RegExp(`/${path.basename(helperFile).replace(/\.[^.]+$/, '').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(\\.[cm]?[jt]sx?)?['"]`);
  const walk = (dir) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      if (e.name === 'node_modules' || e.name.startsWith('.')) continue;
      const full = path.join(dir, e.name);
      if (e.isDirectory()) walk(full);
      else if (/\.(test|spec)\.[cm]?[jt]sx?$/.test(e.name) && importsHelper.test(fs.readFileSync(full, 'utf8'))) dependents.push(uriOf(full));
    }
  };
  walk(root);
  const helperText = fs.readFileSync(helperFile, 'utf8');
  c.sendNotification('textDocument/didOpen', { textDocument: { uri: helperUri, languageId: 'typescript', version: 1, text: helperText } });
  const editedAt = now();
  c.sendNotification('textDocument/didChange', { textDocument: { uri: helperUri, version: 2 }, contentChanges: [{ text: `${helperText}\nexport const benchEdit = 1;\n` }] });
  await until(() => publishedAfter(openUri, editedAt));
  const openDependent = now() - editedAt;
  await until(() => dependents.every((u) => publishedAfter(u, editedAt)), 120_000).catch(() => undefined);
  const republished = dependents.filter((u) => publishedAfter(u, editedAt)).length;
  const last = Math.max(...dependents.map((u) => (published.get(u) ?? []).filter((p) => p.at >= editedAt).map((p) => p.at)).flat(), editedAt);
  rows.push(['helper edit: open dependent republished', fmt(openDependent), path.relative(root, helperFile)]);
  rows.push(['helper edit: all dependents republished', fmt(last - editedAt), `${republished} of ${dependents.length} dependents`]);
}
const afterEdits = rssMb();
rows.push(['RSS after the workspace pass / after the edits', `${afterPass.toFixed(0)} MB / ${afterEdits.toFixed(0)} MB`, `${(afterEdits / afterPass).toFixed(2)}× (goal <= 1.5)`]);

await session.stop();

// A restart: the result cache written by the first server answers for every file on disk it still holds for.
{
  const again = startSession();
  await again.initialize();
  const initializedAt = now();
  again.c.sendNotification('initialized', {});
  const openedAt = now();
  again.c.sendNotification('textDocument/didOpen', { textDocument: { uri: openUri, languageId: 'typescript', version: 1, text: fs.readFileSync(openFile, 'utf8') } });
  // The pass's summary is logged right after its progress ends.
  await again.until(() => again.progressEnded !== undefined && again.publishedAfter(openUri, openedAt, 1) && again.logs.some((m) => m.startsWith('workspace analysis:')), 60_000).catch(() => undefined);
  const summary = again.logs.find((m) => m.startsWith('workspace analysis:')) ?? '';
  const fromCache = /\((\d+) from the result cache\)/.exec(summary)?.[1] ?? '?';
  rows.push(['restart: whole-workspace pass with the result cache (from initialized)', fmt(again.progressEnded - initializedAt), `${fromCache} files from the cache; RSS ${again.rssMb().toFixed(0)} MB`]);
  await again.stop();
}

// What no rule can avoid before the opened document's first diagnostics (bench/floor.mjs --first), in fresh processes
// once the server is gone: to read the first-diagnostics row against.
{
  const floors = [];
  for (let run = 0; run < 3; run++) {
    const floor = spawnSync(process.execPath, [path.join(ROOT, 'bench/floor.mjs'), root, '--first', openFile], { encoding: 'utf8' });
    if (floor.status !== 0) {
      console.error(`bench/floor.mjs failed (exit ${floor.status}${floor.error ? `, ${floor.error.message}` : ''}):\n${floor.stderr}`);
      process.exit(1);
    }
    floors.push(JSON.parse(floor.stdout));
  }
  floors.sort((a, b) => a.ms - b.ms);
  const firstIndex = rows.findIndex((r) => r[0].startsWith('first diagnostics'));
  rows.splice(firstIndex + 1, 0, [
    'floor: engine and compiler loaded, the first program built and bound, no rule',
    fmt(floors[1].ms),
    `fresh process, from its start; ${floors[1].sourceFiles} source files; median of 3 (bench/floor.mjs --first)`,
  ]);
}

const header = ['measure', 'value', 'detail'];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
const line = (cells) => `| ${cells.map((cell, i) => cell.padEnd(widths[i])).join(' | ')} |`;
console.log(`\nlanguage server on ${root}`);
console.log(line(header));
console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
for (const row of rows) console.log(line(row));
console.log(`\nnode ${process.version}; wall-clock from this client's side of the pipe.`);
process.exit(0);
