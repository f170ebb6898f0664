import { groupBy } from './group.js';
import { localDates, localToUtc, minutesOf } from './time.js';
import type { Occurrence } from './occurrences.js';

export interface QuietHours { start: string; end: string }

/**
 * Does [startAt, endAt) touch the zone's quiet hours? Windows may wrap midnight (22:00–05:30), so
 * each local day from the one before the start to the one holding the end is checked.
 */
export function inQuietHours(startAt: number, endAt: number, q: QuietHours, tz: string): boolean {
  const s = minutesOf(q.start);
  const e = minutesOf(q.end);
  if (s === e) return false;
  for (const d of localDates(startAt - 86400_000, endAt, tz)) {
    const from = localToUtc(d, Math.floor(s / 60), s % 60, tz);
    let to = localToUtc(d, Math.floor(e / 60), e % 60, tz);
    if (e < s) to += 86400_000;
    if (startAt < to && endAt > from) return true;
  }
  return false;
}

export interface Conflict { occurrence: Occurrence; other: Occurrence }

/** Pairs of occurrences that overlap on one device, `candidates` against `existing` (sweep per device). */
export function findConflicts(candidates: Occurrence[], existing: Occurrence[], limit = 50): Conflict[] {
  const byDevice = groupBy(existing, (o) => o.deviceId);
  for (const list of byDevice.values()) list.sort((a, b) => a.startAt - b.startAt);
  const out: Conflict[] = [];
  for (const c of candidates) {
    const list = byDevice.get(c.deviceId);
    if (!list) continue;
    // Sorted by start: nothing after the first one starting at or past c's end can overlap.
    for (const o of list) {
      if (o.startAt >= c.endAt) break;
      if (o.endAt > c.startAt && o.occurrenceId !== c.occurrenceId) {
        out.push({ occurrence: c, other: o });
        if (out.length >= limit) return out;
      }
    }
  }
  return out;
}
