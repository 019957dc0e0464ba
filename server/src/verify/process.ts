import { spawn } from 'node:child_process';

export interface ProcessOutcome {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  cancelled: boolean;
  spawnError?: string;
  durationMs: number;
}

const OUTPUT_LIMIT = 256 * 1024;
const KILL_GRACE_MS = 2000;

/** Live runner process groups, so an interrupt can take every one of them down. */
const live = new Set<number>();

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    // Negative pid: the whole process group (the runner and its workers), not just the runner's own process.
    process.kill(process.platform === 'win32' ? pid : -pid, signal);
  } catch {
    // Already gone.
  }
}

/** Kills every runner process tree still running (used on SIGINT/SIGTERM before exiting). */
export function killAllRunners(): void {
  for (const pid of live) killGroup(pid, 'SIGKILL');
  live.clear();
}

/**
 * Runs one runner command in its own process group. On timeout or abort the whole group gets SIGTERM, then
 * SIGKILL after a grace period, so workers the runner forked do not outlive it.
 */
export function runProcess(
  argv: readonly string[],
  options: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs: number; signal?: AbortSignal },
): Promise<ProcessOutcome> {
  const started = Date.now();
  return new Promise((resolve) => {
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    let cancelled = false;
    let settled = false;
    const [command, ...args] = argv;
    const child = spawn(command!, args, {
      cwd: options.cwd,
      env: options.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: process.platform !== 'win32',
    });
    const pid = child.pid;
    if (pid !== undefined) live.add(pid);
    const append = (current: string, chunk: Buffer): string => {
      const next = current + chunk.toString('utf8');
      return next.length > OUTPUT_LIMIT ? next.slice(next.length - OUTPUT_LIMIT) : next;
    };
    child.stdout!.on('data', (chunk: Buffer) => (stdout = append(stdout, chunk)));
    child.stderr!.on('data', (chunk: Buffer) => (stderr = append(stderr, chunk)));

    let graceTimer: NodeJS.Timeout | undefined;
    const stop = () => {
      if (pid === undefined) return;
      killGroup(pid, 'SIGTERM');
      graceTimer = setTimeout(() => killGroup(pid, 'SIGKILL'), KILL_GRACE_MS);
      graceTimer.unref();
    };
    const timer = setTimeout(() => {
      timedOut = true;
      stop();
    }, options.timeoutMs);
    const onAbort = () => {
      cancelled = true;
      stop();
    };
    options.signal?.addEventListener('abort', onAbort, { once: true });
    if (options.signal?.aborted) onAbort();

    const finish = (exitCode: number | null, signal: NodeJS.Signals | null, spawnError?: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      if (pid !== undefined) {
        // Workers the runner left behind die with the group even when the runner itself exited normally.
        killGroup(pid, 'SIGKILL');
        live.delete(pid);
      }
      if (graceTimer) clearTimeout(graceTimer);
      resolve({ exitCode, signal, stdout, stderr, timedOut, cancelled, spawnError, durationMs: Date.now() - started });
    };
    child.on('error', (error) => finish(null, null, error.message));
    child.on('close', (code, signal) => finish(code, signal));
  });
}

/** A command line as a user would type it in a POSIX shell. */
export function shellQuote(argv: readonly string[]): string {
  return argv.map((arg) => (/^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`)).join(' ');
}
