import type { ManifestItem } from '../protocol/index.js';

/** What decides whether a due item may still start. */
export interface StartCheck {
  /** Server time. */
  now: number;
  /** The verified audio, or null when it cannot be had. */
  file: string | null;
  /** Why the audio cannot be had, when that is known ('disk full'). */
  missingReason?: string;
  /** A play that could not start within this many ms of its startAt is missed. */
  lateToleranceMs: number;
  /** An emergency played over the item's start: it was held, and may start this much later. */
  held: boolean;
  maxHoldMs: number;
  /** Alerts: never started at or after this, and no late tolerance (they play when they arrive). */
  expiresAt?: number;
}

/** Why a due item is missed rather than played; undefined when it may start. Pure. */
export function missedReason(item: ManifestItem, c: StartCheck): { reason: string; expired?: true } | undefined {
  if (c.expiresAt !== undefined && c.now >= c.expiresAt) return { reason: `expired at ${new Date(c.expiresAt).toISOString()} before it could start`, expired: true };
  if (!c.file) return { reason: c.missingReason ?? 'asset not available or failed verification' };
  if (c.expiresAt !== undefined) return undefined;
  const late = c.now - item.startAt;
  // Held plays are not late: they follow the emergency, within a limit (Circular 39/2020/TT-BTTTT puts
  // emergencies first; a schedule much later than its time no longer informs anyone).
  if (c.held) return late > c.maxHoldMs ? { reason: `held by an emergency broadcast for more than ${minutes(c.maxHoldMs)}` } : undefined;
  return late > c.lateToleranceMs ? { reason: `started ${late} ms late` } : undefined;
}

const minutes = (ms: number) => (ms === 60_000 ? '1 minute' : `${ms / 60_000} minutes`);
