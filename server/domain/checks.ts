import { groupBy } from './group.js';
import { dateKey, localDates, localParts, localToUtc, minutesOf } from './time.js';
import type { Occurrence, Play } from './occurrences.js';

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

/** Pairs of plays that overlap, `a` against `b`, both sorted by start (one sweep). */
export function overlappingPlays(a: Play[], b: Play[], limit = 50): [Play, Play][] {
  const out: [Play, Play][] = [];
  let j = 0;
  for (const p of a) {
    while (j < b.length && b[j].endAt <= p.startAt) j++;
    for (let k = j; k < b.length && b[k].startAt < p.endAt; k++) {
      if (b[k].endAt > p.startAt) {
        out.push([p, b[k]]);
        if (out.length >= limit) return out;
      }
    }
  }
  return out;
}

/** The most plays starting on one local day, and that day. */
export function busiestDay(plays: Play[], tz: string): { day: string; plays: number } | null {
  const counts = new Map<string, number>();
  for (const p of plays) {
    const d = dateKey(localParts(p.startAt, tz));
    counts.set(d, (counts.get(d) ?? 0) + 1);
  }
  let best: { day: string; plays: number } | null = null;
  for (const [day, n] of counts) if (!best || n > best.plays) best = { day, plays: n };
  return best;
}
