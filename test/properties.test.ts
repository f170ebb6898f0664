import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createBus } from '../server/bus.js';
import { openDb } from '../server/db/client.js';
import { assets, programs as programsTable, users } from '../server/db/schema.js';
import { inQuietHours } from '../server/domain/checks.js';
import { expandOccurrences, type ScheduleDef } from '../server/domain/occurrences.js';
import { localParts } from '../server/domain/time.js';
import { ApiError } from '../server/http/errors.js';
import { createLogger } from '../server/logger.js';
import { createSchedulesService } from '../server/schedules/service.js';

const TZ = 'Asia/Ho_Chi_Minh';
const BASE = Date.parse('2026-06-01T00:00:00+07:00');
const DAY = 86400_000;
const QUIET = { start: '22:00', end: '05:30' };

const devices = [
  { id: 'thon-a-1', zoneId: 'zn_a' }, { id: 'thon-a-2', zoneId: 'zn_a' }, { id: 'thon-b-1', zoneId: 'zn_b' },
];
const programs = new Map([
  ['pg_1', { id: 'pg_1', durationMs: 90_000, status: 'approved', title: 'Một' }],
  ['pg_2', { id: 'pg_2', durationMs: 600_000, status: 'approved', title: 'Hai' }],
]);

const hhmm = fc.tuple(fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 })).map(([h, m]) => `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`);
const dtstart = fc.tuple(fc.integer({ min: 0, max: 20 }), hhmm).map(([d, time]) => {
  const date = new Date(BASE + d * DAY + 7 * 3600_000).toISOString().slice(0, 10);
  return `${date}T${time}:00+07:00`;
});
const rule = fc.oneof(
  fc.record({ type: fc.constant('rrule' as const), dtstart, rrule: fc.constantFrom('FREQ=DAILY', 'FREQ=WEEKLY;BYDAY=MO,WE,FR', 'FREQ=WEEKLY;INTERVAL=2;BYDAY=SA', 'FREQ=MONTHLY;BYMONTHDAY=1,15', 'FREQ=DAILY;COUNT=5') }),
  fc.record({ type: fc.constant('lunar' as const), day: fc.constantFrom(1, 15), time: hhmm }),
  fc.record({ type: fc.constant('holidays' as const), holidays: fc.constant('all' as const), time: hhmm }),
  dtstart.map((at) => ({ type: 'once' as const, at })),
);
const schedule = fc.record({
  id: fc.string({ minLength: 3, maxLength: 8 }).map((s) => `sc_${s}`),
  programIds: fc.constantFrom(['pg_1'], ['pg_2'], ['pg_1', 'pg_2']),
  zoneIds: fc.constantFrom<string[] | 'all'>(['zn_a'], ['zn_b'], 'all'),
  rule,
  priority: fc.constantFrom('normal' as const, 'priority' as const, 'emergency' as const),
  repeat: fc.option(fc.record({ times: fc.integer({ min: 1, max: 3 }), gapMinutes: fc.integer({ min: 0, max: 30 }) }), { nil: undefined }),
  validUntil: fc.option(fc.integer({ min: BASE, max: BASE + 30 * DAY }), { nil: undefined }),
  skipHolidays: fc.boolean(),
  seriesAnchor: fc.constant(BASE - DAY),
}) as fc.Arbitrary<ScheduleDef>;
const window = fc.tuple(fc.integer({ min: 0, max: 20 * DAY }), fc.integer({ min: DAY, max: 14 * DAY })).map(([s, len]) => ({ from: BASE + s, to: BASE + s + len }));

/** Quiet hours by brute force: any minute of [start, end) whose local time is in 22:00–05:30. */
function quietByScan(start: number, end: number) {
  for (let m = Math.floor(start / 60_000) * 60_000; m < end; m += 60_000) {
    const p = localParts(Math.max(m, start), TZ);
    const minute = p.hour * 60 + p.minute;
    if (minute >= 22 * 60 || minute < 5 * 60 + 30) return true;
  }
  return false;
}

describe('properties of the scheduling engine (fast-check)', () => {
  it('occurrences are sorted, inside the window, and none starts at or after validUntil', () => {
    fc.assert(fc.property(fc.array(schedule, { maxLength: 6 }), window, (schedules, w) => {
      const occ = expandOccurrences(schedules, devices, programs, w, TZ);
      for (let i = 1; i < occ.length; i++) expect(occ[i].startAt >= occ[i - 1].startAt).toBe(true);
      for (const o of occ) {
        expect(o.startAt < w.to && o.endAt > w.from).toBe(true);
        const s = schedules.find((x) => x.id === o.scheduleId)!;
        if (s.validUntil != null) expect(o.startAt < s.validUntil).toBe(true);
      }
    }), { numRuns: 150 });
  });

  it('occurrence ids are stable under rebuild: a wider window or a second build gives the same ids', () => {
    fc.assert(fc.property(fc.array(schedule, { maxLength: 5 }), window, fc.integer({ min: 0, max: 3 * DAY }), (schedules, w, extra) => {
      const a = expandOccurrences(schedules, devices, programs, w, TZ);
      const again = expandOccurrences(schedules, devices, programs, w, TZ);
      expect(again).toEqual(a);
      const wider = expandOccurrences(schedules, devices, programs, { from: w.from - extra, to: w.to + extra }, TZ);
      const inW = wider.filter((o) => o.startAt < w.to && o.endAt > w.from);
      expect(inW.map((o) => [o.occurrenceId, o.programId])).toEqual(a.map((o) => [o.occurrenceId, o.programId]));
      expect(new Set(a.map((o) => o.occurrenceId)).size).toBe(a.length);
    }), { numRuns: 150 });
  });

  it('the quiet-hours check agrees with a minute-by-minute scan', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 30 * DAY }), fc.integer({ min: 1, max: 180 }), (offset, minutes) => {
      const start = BASE + offset;
      const end = start + minutes * 60_000;
      expect(inQuietHours(start, end, QUIET, TZ)).toBe(quietByScan(start, end));
    }), { numRuns: 500 });
  });

  it('no schedule the service accepts puts a normal or priority play in quiet hours', async () => {
    const { db } = openDb(':memory:');
    db.insert(users).values({ id: 'us_test', username: 'canbo', role: 'editor', passwordHash: 'x', createdAt: 0 }).run();
    for (const [id, p] of programs) {
      db.insert(assets).values({ sha256: id.padEnd(64, '0'), bytes: 1, durationMs: p.durationMs, loudnessLufs: -16, truePeakDb: -2, createdAt: 0 }).onConflictDoNothing().run();
      db.insert(programsTable).values({ id, title: p.title, category: 'other', status: 'approved', assetSha256: id.padEnd(64, '0'), createdAt: 0, updatedAt: 0 }).run();
    }
    const service = createSchedulesService({
      db, bus: createBus(createLogger('silent')), clock: { now: () => BASE }, timeZone: TZ, checkDays: 30,
      programs: () => programs,
      zones: () => [{ id: 'zn_a', name: 'Thôn A', quietStart: QUIET.start, quietEnd: QUIET.end }, { id: 'zn_b', name: 'Thôn B', quietStart: QUIET.start, quietEnd: QUIET.end }],
      devices: () => devices,
    });
    await fc.assert(fc.asyncProperty(schedule, async (s) => {
      let accepted;
      try {
        // fast-check builds null-prototype records; the API would hand the service plain JSON.
        accepted = await service.create(JSON.parse(JSON.stringify(s)), 'us_test');
      } catch (err) {
        if (err instanceof ApiError) return;
        throw err;
      }
      if (accepted.priority === 'emergency') return;
      const occ = expandOccurrences([accepted], devices, programs, { from: BASE, to: BASE + 30 * DAY }, TZ);
      for (const o of occ) expect(quietByScan(o.startAt, o.endAt)).toBe(false);
    }), { numRuns: 120 });
    expect(service.list().length).toBeGreaterThan(0);
  });
});
