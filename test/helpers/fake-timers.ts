import type { Timers } from '../../devices/agent/timers.js';

/**
 * A manual clock for the agent: `advanceTo` fires due timers in time order, letting real I/O
 * (cache writes, the sink's log) settle between them, so days pass in milliseconds.
 */
export function fakeTimers(start: number) {
  let now = start;
  let seq = 0;
  const pending = new Map<number, { at: number; seq: number; fn: () => void }>();
  let waitIdle: () => Promise<void> = async () => {};
  // Real I/O (cache checks, downloads, log writes) finishes before the clock moves on.
  const settle = async () => {
    await new Promise((r) => setTimeout(r, 4));
    await waitIdle();
  };
  const timers: Timers & { advanceTo(t: number): Promise<void>; readonly pendingCount: number; idleWith(f: () => Promise<void>): void } = {
    /** What "the system under test is idle" means, e.g. `() => agent.settled()`. */
    idleWith(f) {
      waitIdle = f;
    },
    now: () => now,
    setTimeout(fn, ms) {
      const id = ++seq;
      pending.set(id, { at: now + Math.max(0, ms), seq: id, fn });
      return id;
    },
    clearTimeout(id) {
      pending.delete(id as number);
    },
    async advanceTo(target: number) {
      await settle();
      for (;;) {
        const next = [...pending.entries()].filter(([, t]) => t.at <= target).sort(([, a], [, b]) => a.at - b.at || a.seq - b.seq)[0];
        if (!next) break;
        pending.delete(next[0]);
        now = Math.max(now, next[1].at);
        next[1].fn();
        await settle();
      }
      now = target;
      await settle();
    },
    get pendingCount() {
      return pending.size;
    },
  };
  return timers;
}
