import type { Category } from '../server/domain/categories.js';
import { schedulePlays, type ProgramRef } from '../server/domain/occurrences.js';
import { localToUtc, toZonedIso } from '../server/domain/time.js';
import type { ProgramView } from '../server/programs/service.js';
import type { Schedule } from '../server/schedules/service.js';

/** Category colours (calendar and legend), chosen to stay apart for the common colour blindnesses. */
export const CATEGORY_COLORS: Record<Category, string> = {
  greeting: '#c2185b', procedure: '#1565c0', law: '#6a1b9a', emergency: '#b71c1c', news: '#2e7d32', relay: '#00838f', music: '#ef6c00', other: '#546e7a',
};
export const PRIORITY_BORDERS = { normal: 'transparent', priority: '#f9a825', emergency: '#000000' } as const;

/** The calendar works in the commune's wall-clock time: an instant as `2026-03-02T07:00:00`, no offset. */
export const floating = (ms: number, tz: string) => toZonedIso(ms, tz).slice(0, 19);
/** A wall-clock time the calendar asked for (`2026-03-02`, `2026-03-02T00:00:00Z`) as the instant it means here. */
export function fromFloating(text: string, tz: string): number | null {
  const m = /^(\d{4})-(\d\d)-(\d\d)(?:T(\d\d):(\d\d))?/.exec(text);
  if (!m) return null;
  return localToUtc({ year: +m[1], month: +m[2], day: +m[3] }, Number(m[4] ?? 0), Number(m[5] ?? 0), tz);
}

export interface CalendarEvent {
  id: string;
  title: string;
  start: string;
  end: string;
  backgroundColor: string;
  borderColor: string;
  classNames: string[];
  extendedProps: { scheduleId: string; programId: string; at: string; priority: string; category: Category };
}

/**
 * One event per play of a schedule (every gateway of its hamlets plays it at once), in a window,
 * optionally only those reaching one hamlet. What airs is the approved version: its length sets the end.
 */
export function calendarEvents(schedules: Schedule[], programs: ProgramView[], w: { from: number; to: number }, tz: string, zoneId?: string): CalendarEvent[] {
  const onAir = programs.filter((p) => p.airing);
  const refs = new Map<string, ProgramRef>(onAir.map((p) => [p.id, { id: p.id, durationMs: p.airing!.durationMs }]));
  const byId = new Map(onAir.map((p) => [p.id, p]));
  const out: CalendarEvent[] = [];
  for (const s of schedules) {
    if (zoneId && s.zoneIds !== 'all' && !s.zoneIds.includes(zoneId)) continue;
    for (const play of schedulePlays(s, refs, w, tz)) {
      const p = byId.get(play.programId)!;
      out.push({
        id: `${s.id}@${play.startAt}`, title: p.title, start: floating(play.startAt, tz), end: floating(play.endAt, tz),
        backgroundColor: CATEGORY_COLORS[p.category], borderColor: PRIORITY_BORDERS[s.priority], classNames: [`priority-${s.priority}`],
        extendedProps: { scheduleId: s.id, programId: p.id, at: toZonedIso(play.startAt, tz), priority: s.priority, category: p.category },
      });
    }
  }
  return out.sort((a, b) => a.start.localeCompare(b.start));
}
