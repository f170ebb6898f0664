import { describe, expect, it } from 'vitest';
import { createRateLimiter } from '../server/mqtt/limits.js';

describe('the per-device message rate limit', () => {
  it('allows a burst, refuses past it, and refills with time', () => {
    let now = 0;
    const limit = createRateLimiter({ capacity: 3, refillPerSec: 1, now: () => now });
    expect([1, 2, 3, 4].map(() => limit.allow('gw-1'))).toEqual([true, true, true, false]);
    expect(limit.allow('gw-2')).toBe(true);
    now += 1000;
    expect(limit.allow('gw-1')).toBe(true);
    expect(limit.allow('gw-1')).toBe(false);
    now += 60_000;
    expect([1, 2, 3, 4].map(() => limit.allow('gw-1'))).toEqual([true, true, true, false]);
  });
});
