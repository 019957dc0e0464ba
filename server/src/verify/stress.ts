import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';

/** Event-loop stall injected into every node process of a stressed run: STALL_MS blocked, then GAP_MS free. */
export const STALL_MS = 1200;
export const GAP_MS = 1200;

const PRELOAD_SOURCE = `'use strict';
// flakelens --stress: blocks this process's event loop for ${STALL_MS} ms every ${STALL_MS + GAP_MS} ms, the way a
// loaded CI machine delays timers, I/O callbacks and promise continuations.
function stall() {
  const end = Date.now() + ${STALL_MS};
  while (Date.now() < end) {}
  setTimeout(stall, ${GAP_MS}).unref();
}
setTimeout(stall, ${GAP_MS}).unref();
`;

/** Writes the stall preload and returns the NODE_OPTIONS that load it (keeping the user's own options). */
export function stressNodeOptions(tmp: string, existing: string | undefined): string {
  const file = path.join(tmp, 'stress-preload.cjs');
  if (!fs.existsSync(file)) fs.writeFileSync(file, PRELOAD_SOURCE);
  return `${existing ? `${existing} ` : ''}--require ${JSON.stringify(file)}`;
}

const SPINNER_SOURCE = `
const { workerData } = require('node:worker_threads');
const slot = new Int32Array(new SharedArrayBuffer(4));
const period = 50;
for (;;) {
  const busyUntil = Date.now() + period * workerData.load;
  while (Date.now() < busyUntil) {}
  const idle = period - period * workerData.load;
  if (idle > 0) Atomics.wait(slot, 0, 0, idle);
}
`;

/**
 * CPU load from worker threads in flakelens' own process: one per core, each busy for `load` of every 50 ms.
 * Returns the function that stops them.
 */
export function startCpuLoad(load: number, threads = os.availableParallelism()): () => Promise<void> {
  const clamped = Math.min(1, Math.max(0, load));
  if (clamped === 0) return async () => {};
  const workers = Array.from({ length: threads }, () => {
    const worker = new Worker(SPINNER_SOURCE, { eval: true, workerData: { load: clamped } });
    worker.unref();
    worker.on('error', () => {});
    return worker;
  });
  return async () => {
    await Promise.all(workers.map((w) => w.terminate()));
  };
}
