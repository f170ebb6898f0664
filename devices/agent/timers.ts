/** Clock and timers are injected so a test can run a week of schedule in milliseconds. */
export interface Timers {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const realTimers: Timers = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};

// setTimeout overflows past 2^31-1 ms (~24.8 days); longer waits are re-armed in steps.
const MAX_DELAY = 2 ** 31 - 1;

/** Calls `fn` at epoch `at` (ms) by the injected clock; returns a cancel function. */
export function at(timers: Timers, when: number, fn: () => void): () => void {
  let handle: unknown;
  const arm = () => {
    const delay = when - timers.now();
    if (delay <= 0) return fn();
    handle = timers.setTimeout(arm, Math.min(delay, MAX_DELAY));
  };
  arm();
  return () => timers.clearTimeout(handle);
}

/** Resolves after `ms` by the injected clock, or early (with false) when the signal aborts. */
export function sleep(timers: Timers, ms: number, signal?: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve(false);
    let cancel = () => {};
    const onAbort = () => {
      cancel();
      resolve(false);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    // Armed last: a wait of 0 ms (a repetition already due) resolves at once, inside `at`.
    cancel = at(timers, timers.now() + ms, () => {
      signal?.removeEventListener('abort', onAbort);
      resolve(true);
    });
  });
}

/**
 * An AbortSignal that aborts after `ms` by the injected clock (AbortSignal.timeout knows only real
 * time). Call `clear` once the guarded work is over, so no timer outlives it.
 */
export function deadline(timers: Timers, ms: number): { signal: AbortSignal; clear(): void } {
  const controller = new AbortController();
  const handle = timers.setTimeout(() => controller.abort(new Error(`no answer within ${ms} ms`)), ms);
  return { signal: controller.signal, clear: () => timers.clearTimeout(handle) };
}
