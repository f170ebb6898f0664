/**
 * Token bucket per key (device id): a burst up to `capacity`, then `refillPerSec` sustained. A gateway
 * back after a week offline flushes hundreds of queued events at once; a runaway one floods forever.
 */
export function createRateLimiter({ capacity, refillPerSec, now }: { capacity: number; refillPerSec: number; now: () => number }) {
  const buckets = new Map<string, { tokens: number; at: number }>();
  return {
    allow(key: string): boolean {
      const t = now();
      const b = buckets.get(key) ?? { tokens: capacity, at: t };
      b.tokens = Math.min(capacity, b.tokens + ((t - b.at) / 1000) * refillPerSec);
      b.at = t;
      buckets.set(key, b);
      if (b.tokens < 1) return false;
      b.tokens -= 1;
      return true;
    },
  };
}

/** What a gateway may send; telemetry every 30 s and a few events per play are far below it. */
export const DEVICE_LIMITS = { maxPayloadBytes: 16 * 1024, burst: 600, perSecond: 5 };
