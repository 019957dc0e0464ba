import { describe, expect, it } from 'vitest';
import { Scheduler } from '../../server/src/lsp/scheduler.js';

function settle(scheduler: Scheduler, runs: string[], count: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const poll = () => (runs.length >= count ? resolve() : Date.now() - started > 5000 ? reject(new Error(`only ran ${runs.join(',')}`)) : setTimeout(poll, 5));
    poll();
    void scheduler;
  });
}

describe('Scheduler', () => {
  it('runs the last debounced job per key once, editor work before background work', async () => {
    const runs: string[] = [];
    const scheduler = new Scheduler(() => {});
    scheduler.enqueue('bg1', 'background', () => runs.push('bg1'));
    scheduler.enqueue('bg2', 'background', () => runs.push('bg2'));
    scheduler.enqueue('doc', 'foreground', () => runs.push('doc'));
    scheduler.debounce('typing', 20, 'foreground', () => runs.push('typing v1'));
    scheduler.debounce('typing', 20, 'foreground', () => runs.push('typing v2'));
    await settle(scheduler, runs, 4);
    // bg1 was already running when the others were queued; then the foreground job jumps the queue.
    expect(runs.slice(0, 3)).toEqual(['bg1', 'doc', 'bg2']);
    expect(runs.slice(3)).toEqual(['typing v2']);
  });

  it('foregroundSettled waits for queued, debounced and running editor work, not for background work', async () => {
    const runs: string[] = [];
    const scheduler = new Scheduler(() => {});
    await scheduler.foregroundSettled(10_000); // nothing pending: at once
    scheduler.enqueue('bg', 'background', () => runs.push('bg'));
    scheduler.debounce('doc', 30, 'foreground', () => runs.push('doc'));
    scheduler.enqueue('open', 'foreground', () => runs.push('open'));
    await scheduler.foregroundSettled(10_000);
    expect(runs).toContain('doc');
    expect(runs).toContain('open');
    // Cancelling the only pending editor work settles too; the time cap ends a wait that never settles.
    scheduler.debounce('later', 60_000, 'foreground', () => runs.push('later'));
    const waited = scheduler.foregroundSettled(10_000);
    scheduler.cancel('later');
    await waited;
    scheduler.debounce('forever', 60_000, 'foreground', () => runs.push('forever'));
    await scheduler.foregroundSettled(20);
    scheduler.dispose();
    expect(runs).not.toContain('later');
  });

  it('keeps going after a failing job and reports it', async () => {
    const runs: string[] = [];
    const errors: string[] = [];
    const scheduler = new Scheduler((key, error) => errors.push(`${key}: ${(error as Error).message}`));
    scheduler.enqueue('bad', 'foreground', () => {
      throw new Error('boom');
    });
    scheduler.enqueue('good', 'foreground', () => runs.push('good'));
    await settle(scheduler, runs, 1);
    expect(errors).toEqual(['bad: boom']);
  });

  it('cancel drops a pending job and dispose stops everything', async () => {
    const runs: string[] = [];
    const scheduler = new Scheduler(() => {});
    scheduler.debounce('a', 10, 'foreground', () => runs.push('a'));
    scheduler.cancel('a');
    scheduler.debounce('b', 10, 'foreground', () => runs.push('b'));
    await settle(scheduler, runs, 1);
    expect(runs).toEqual(['b']);
    scheduler.debounce('c', 10, 'foreground', () => runs.push('c'));
    scheduler.dispose();
    scheduler.enqueue('d', 'foreground', () => runs.push('d'));
    await new Promise((r) => setTimeout(r, 30));
    expect(runs).toEqual(['b']);
  });
});
