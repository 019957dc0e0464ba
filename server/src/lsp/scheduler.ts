/**
 * Serialises analysis work: per-key debounce, one job at a time, editor work before background work,
 * and a turn of the event loop between jobs so requests and cancellations are served.
 * Jobs are synchronous analyses, so "in flight" never overlaps; staleness is checked by the job
 * itself (document version) right before publishing.
 */
export type Priority = 'foreground' | 'background';

interface Job {
  key: string;
  priority: Priority;
  run: () => void;
}

export class Scheduler {
  private readonly timers = new Map<string, NodeJS.Timeout>();
  /** Keys of debounced foreground work whose timer has not fired yet. */
  private readonly foregroundTimers = new Set<string>();
  private readonly settledWaiters = new Set<() => void>();
  private readonly queue = new Map<string, Job>();
  private pumping = false;
  private disposed = false;

  constructor(
    private readonly onError: (key: string, error: unknown) => void,
    /** Told after each job, and when the queue has drained. */
    private readonly hooks: { ran?: () => void; drained?: () => void } = {},
  ) {}

  /** Runs the job once `delayMs` has passed without another schedule for the same key. */
  debounce(key: string, delayMs: number, priority: Priority, run: () => void): void {
    if (this.disposed) return;
    this.cancel(key);
    if (delayMs <= 0) {
      this.enqueue(key, priority, run);
      return;
    }
    const timer = setTimeout(() => {
      this.timers.delete(key);
      this.foregroundTimers.delete(key);
      this.enqueue(key, priority, run);
    }, delayMs);
    this.timers.set(key, timer);
    if (priority === 'foreground') this.foregroundTimers.add(key);
  }

  /**
   * Resolves once no editor work is queued, debounced or running (or after `maxWaitMs`, so constant typing cannot
   * hold a background pass back for ever). The first workspace pass waits for it: open documents come first.
   */
  foregroundSettled(maxWaitMs: number): Promise<void> {
    if (!this.hasForeground()) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.settledWaiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, maxWaitMs);
      this.settledWaiters.add(done);
    });
  }

  private hasForeground(): boolean {
    if (this.foregroundTimers.size > 0 || this.runningForeground) return true;
    for (const job of this.queue.values()) if (job.priority === 'foreground') return true;
    return false;
  }

  private runningForeground = false;

  private notifySettled(): void {
    if (this.settledWaiters.size === 0 || this.hasForeground()) return;
    for (const waiter of [...this.settledWaiters]) waiter();
  }

  /** Queues a job now; a queued job with the same key is replaced (its work would be stale). */
  enqueue(key: string, priority: Priority, run: () => void): void {
    if (this.disposed) return;
    const queued = this.queue.get(key);
    this.queue.delete(key);
    // A background refresh never demotes editor work already queued for the key.
    const effective = queued?.priority === 'foreground' ? 'foreground' : priority;
    this.queue.set(key, { key, priority: effective, run });
    void this.pump();
  }

  /** No job is waiting, queued or running. */
  get idle(): boolean {
    return this.timers.size === 0 && this.queue.size === 0 && !this.pumping;
  }

  /** Drops a pending timer and queued job for the key. */
  cancel(key: string): void {
    const timer = this.timers.get(key);
    if (timer) clearTimeout(timer);
    this.timers.delete(key);
    this.foregroundTimers.delete(key);
    this.queue.delete(key);
    this.notifySettled();
  }

  dispose(): void {
    this.disposed = true;
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    this.foregroundTimers.clear();
    this.queue.clear();
    for (const waiter of [...this.settledWaiters]) waiter();
  }

  private next(): Job | undefined {
    let background: Job | undefined;
    for (const job of this.queue.values()) {
      if (job.priority === 'foreground') return job;
      background ??= job;
    }
    return background;
  }

  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      for (let job = this.next(); job && !this.disposed; job = this.next()) {
        this.queue.delete(job.key);
        this.runningForeground = job.priority === 'foreground';
        try {
          job.run();
        } catch (error) {
          this.onError(job.key, error);
        } finally {
          this.runningForeground = false;
        }
        this.notifySettled();
        this.hooks.ran?.();
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
    } finally {
      this.pumping = false;
      this.notifySettled();
    }
    if (!this.disposed && this.queue.size === 0) this.hooks.drained?.();
  }
}
