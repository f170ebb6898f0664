import { deadline, type Timers } from './timers.js';

/**
 * NTP-style estimate of how far this gateway's clock is from the server's (server minus ours), from
 * one HTTP time exchange: the server's time is taken as the middle of the round trip. `serverTimers`
 * read server time (this clock plus the offset it follows); plays, expiries and reports use them.
 */
export class ClockOffset {
  offsetMs?: number;
  /** Round trip of the last exchange, by this gateway's clock. */
  roundTripMs?: number;
  /** When the last estimate was made, by this gateway's clock. */
  measuredAt = -Infinity;
  private pending?: Promise<number | undefined>;

  constructor(private readonly o: {
    server: string;
    authorization: string;
    /** The clock being measured: the one plays start by. */
    clock: Timers;
    /** The request's own deadline runs on these. */
    timers: Timers;
    /** Whether server time follows the estimate (default) or stays this clock's. */
    follow?: boolean;
    /** Called after each estimate. */
    onMeasured?: () => void;
  }) {}

  /** An estimate was made in this run. */
  get measured() {
    return this.offsetMs !== undefined;
  }

  /** The offset server time follows: 0 until measured, or while it is within what one exchange can tell. */
  get appliedMs(): number {
    if (this.o.follow === false || this.offsetMs === undefined) return 0;
    // An offset within half the round trip cannot be told from none (the answer may have waited in the
    // server's queue): the gateway's own clock, kept by NTP when healthy, is then the better guess.
    return Math.abs(this.offsetMs) <= (this.roundTripMs ?? 0) / 2 ? 0 : this.offsetMs;
  }

  /** Server time by this clock and the applied offset; waits run on this clock (a delay is the same on both). */
  readonly serverTimers: Timers = {
    now: () => this.o.clock.now() + this.appliedMs,
    setTimeout: (fn, ms) => this.o.clock.setTimeout(fn, ms),
    clearTimeout: (handle) => this.o.clock.clearTimeout(handle),
  };

  /** The new estimate; offline or on an error, the last one. One exchange at a time: a second caller shares it. */
  measure(): Promise<number | undefined> {
    return (this.pending ??= this.exchange().finally(() => (this.pending = undefined)));
  }

  /**
   * Resolves once the exchange under way (or one started now) ends, or after `ms`: what a just
   * reconnected gateway waits for before it judges an expiry, instead of trusting an unmeasured clock.
   */
  soon(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const handle = this.o.timers.setTimeout(resolve, ms);
      void this.measure().finally(() => {
        this.o.timers.clearTimeout(handle);
        resolve();
      });
    });
  }

  private async exchange(): Promise<number | undefined> {
    const limit = deadline(this.o.timers, 5000);
    let measured = false;
    try {
      const t0 = this.o.clock.now();
      const res = await fetch(new URL('/device/v1/time', this.o.server), { headers: { authorization: this.o.authorization }, signal: limit.signal });
      const t1 = this.o.clock.now();
      if (!res.ok) return this.offsetMs;
      const { now } = (await res.json()) as { now: number };
      this.offsetMs = Math.round(now - (t0 + t1) / 2);
      this.roundTripMs = t1 - t0;
      this.measuredAt = t1;
      measured = true;
    } catch {
      // Offline: keep the last estimate.
    } finally {
      limit.clear();
    }
    if (measured) this.o.onMeasured?.();
    return this.offsetMs;
  }
}
