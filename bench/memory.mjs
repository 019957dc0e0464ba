#!/usr/bin/env node
// RSS of the server over many edits of one document: node bench/memory.mjs [--edits 5000] [--every 250] [--settle-ms 3000]
// Edits stream in without waiting; every --every edits the bench waits for that version's diagnostics and records RSS
// (busy: mid-typing), then pauses --settle-ms and records it again (settled: the editor between bursts of typing).
// Prints both curves, the peak and the ratio settled/after-startup (goal: <= 1.5).
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { createProtocolConnection, StreamMessageReader, StreamMessageWriter } from 'vscode-languageserver-protocol/node';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({ options: { edits: { type: 'string', default: '5000' }, every: { type: 'string', default: '250' }, 'settle-ms': { type: 'string', default: '3000' } } });
const EDITS = Number(values.edits);
const EVERY = Number(values.every);
const SETTLE_MS = Number(values['settle-ms']);
const pause = () => new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
const root = path.join(REPO, 'test/fixtures/.tmp', `memory-${process.pid}`);
fs.rmSync(root, { recursive: true, force: true });
fs.cpSync(path.join(REPO, 'test/fixtures/sample-workspace'), root, { recursive: true });
const file = path.join(root, 'tests/unit/cart.test.ts');
const uri = pathToFileURL(file).href;

const child = spawn(process.execPath, [path.join(REPO, 'server/dist/bin/cli.js'), '--stdio'], { cwd: root, stdio: 'pipe' });
const c = createProtocolConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin));
let published = new Map();
let progressEnded = false;
const waiters = new Set();
const wake = () => waiters.forEach((w) => w());
c.onNotification('textDocument/publishDiagnostics', (p) => {
  published.set(p.uri, p.version);
  wake();
});
c.onNotification(() => {});
c.onUnhandledProgress((p) => {
  if (p.value?.kind === 'end') progressEnded = true;
  wake();
});
c.onRequest((method, params) => (method === 'workspace/configuration' ? params.items.map(() => null) : null));
c.listen();
const until = (pred) => new Promise((resolve) => {
  const check = () => {
    if (pred()) {
      waiters.delete(check);
      resolve();
    }
  };
  waiters.add(check);
  check();
});
const rssMb = () => Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${child.pid}/status`, 'utf8'))[1]) / 1024;

await c.sendRequest('initialize', { processId: process.pid, rootUri: pathToFileURL(root).href, workspaceFolders: [{ uri: pathToFileURL(root).href, name: 'm' }], capabilities: { window: { workDoneProgress: true }, textDocument: { publishDiagnostics: { versionSupport: true } } }, initializationOptions: { debounceMs: 0 } });
await c.sendNotification('initialized', {});
await until(() => progressEnded);
let text = fs.readFileSync(file, 'utf8');
await c.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'typescript', version: 1, text } });
await until(() => published.get(uri) === 1);
const startupBusy = rssMb();
await pause();
const startup = rssMb();
const curve = [[0, startupBusy, startup]];
process.stderr.write(`after startup (workspace analysed, document open): ${startupBusy.toFixed(0)} MB, settled ${startup.toFixed(0)} MB\n`);
const started = Date.now();
for (let version = 2; version <= EDITS + 1; version++) {
  // Alternately type and delete a line at the end of a test body: every edit changes the program.
  const lines = text.split('\n').length;
  const change = version % 2 === 0 ? { range: { start: { line: lines - 1, character: 0 }, end: { line: lines - 1, character: 0 } }, text: `const v${version} = ${version};\n` } : { range: { start: { line: lines - 2, character: 0 }, end: { line: lines - 1, character: 0 } }, text: '' };
  text = version % 2 === 0 ? `${text}const v${version} = ${version};\n` : text.split('\n').slice(0, -2).concat('').join('\n');
  await c.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges: [change] });
  if ((version - 1) % EVERY === 0) {
    await until(() => published.get(uri) === version);
    const busy = rssMb();
    await pause();
    curve.push([version - 1, busy, rssMb()]);
    process.stderr.write(`${version - 1} edits: ${busy.toFixed(0)} MB, settled ${curve.at(-1)[2].toFixed(0)} MB\n`);
  }
}
const peak = Math.max(...curve.map(([, busy]) => busy));
const settled = curve.map(([, , r]) => r);
const steady = settled.at(-1);
const worst = Math.max(...settled.slice(1));
console.log(`after startup ${startup.toFixed(0)} MB (settled); peak ${peak.toFixed(0)} MB (busy); after ${EDITS} edits ${steady.toFixed(0)} MB settled; settled/startup ${(steady / startup).toFixed(2)} (worst checkpoint ${(worst / startup).toFixed(2)}); ${((Date.now() - started) / 1000).toFixed(0)} s`);
console.log(`curve (edits: busy MB / settled MB): ${curve.map(([e, b, r]) => `${e}: ${b.toFixed(0)}/${r.toFixed(0)}`).join(', ')}`);
await c.sendRequest('shutdown');
await c.sendNotification('exit');
fs.rmSync(root, { recursive: true, force: true });
