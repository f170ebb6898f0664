import { deadline, type Timers } from './timers.js';

/**
 * NTP-style estimate of how far this gateway's clock is from the server's (server minus ours), from
 * one HTTP time exchange: the server's time is taken as the middle of the round trip.
 */
export class ClockOffset {
  offsetMs?: number;
  /** When the last estimate was made, by this gateway's clock. */
  measuredAt = -Infinity;

  constructor(private readonly o: {
    server: string;
    authorization: string;
    /** The clock being measured: the one plays start by. */
    clock: Timers;
    /** The request's own deadline runs on these. */
    timers: Timers;
  }) {}

  /** The new estimate; offline or on an error, the last one. */
  async measure(): Promise<number | undefined> {
    const limit = deadline(this.o.timers, 5000);
    try {
      const t0 = this.o.clock.now();
      const res = await fetch(new URL('/device/v1/time', this.o.server), { headers: { authorization: this.o.authorization }, signal: limit.signal });
      const t1 = this.o.clock.now();
      if (!res.ok) return this.offsetMs;
      const { now } = (await res.json()) as { now: number };
      this.offsetMs = Math.round(now - (t0 + t1) / 2);
      this.measuredAt = t1;
    } catch {
      // Offline: keep the last estimate.
    } finally {
      limit.clear();
    }
    return this.offsetMs;
  }
}
