import { describe, expect, it } from 'vitest';
import { findConflicts, inQuietHours } from '../server/domain/checks.js';
import { holidaysOn } from '../server/domain/holidays.js';
import { expandOccurrences, type ScheduleDef } from '../server/domain/occurrences.js';
import { ruleInstants, type Rule } from '../server/domain/rules.js';
import { toZonedIso } from '../server/domain/time.js';

const TZ = 'Asia/Ho_Chi_Minh';
const t = (iso: string) => Date.parse(iso);
const local = (ms: number[]) => ms.map((m) => toZonedIso(m, TZ));
const win = (from: string, to: string) => ({ from: t(from), to: t(to) });

describe('rule expansion at fixed dates', () => {
  const cases: [string, Rule, ReturnType<typeof win>, string[]][] = [
    ['once, inside the window', { type: 'once', at: '2026-12-31T20:00:00+07:00' }, win('2026-12-31T00:00:00+07:00', '2027-01-01T00:00:00+07:00'), ['2026-12-31T20:00:00+07:00']],
    ['RFC 5545 FREQ=DAILY with COUNT=3', { type: 'rrule', dtstart: '2026-03-02T06:30:00+07:00', rrule: 'FREQ=DAILY;COUNT=3' }, win('2026-03-01T00:00:00+07:00', '2026-04-01T00:00:00+07:00'),
      ['2026-03-02T06:30:00+07:00', '2026-03-03T06:30:00+07:00', '2026-03-04T06:30:00+07:00']],
    ['RFC 5545 FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH (every other week)', { type: 'rrule', dtstart: '2026-01-05T07:00:00+07:00', rrule: 'FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH' },
      win('2026-01-01T00:00:00+07:00', '2026-02-01T00:00:00+07:00'),
      ['2026-01-05T07:00:00+07:00', '2026-01-08T07:00:00+07:00', '2026-01-19T07:00:00+07:00', '2026-01-22T07:00:00+07:00']],
    ['RFC 5545 FREQ=MONTHLY;BYMONTHDAY=15 with UNTIL', { type: 'rrule', dtstart: '2026-01-15T19:00:00+07:00', rrule: 'FREQ=MONTHLY;BYMONTHDAY=15;UNTIL=20260401T000000Z' },
      win('2026-01-01T00:00:00+07:00', '2027-01-01T00:00:00+07:00'),
      ['2026-01-15T19:00:00+07:00', '2026-02-15T19:00:00+07:00', '2026-03-15T19:00:00+07:00']],
    ['RFC 5545 FREQ=MONTHLY;BYDAY=1MO (first Monday: citizen reception day)', { type: 'rrule', dtstart: '2026-01-05T08:00:00+07:00', rrule: 'FREQ=MONTHLY;BYDAY=1MO;COUNT=3' },
      win('2026-01-01T00:00:00+07:00', '2027-01-01T00:00:00+07:00'),
      ['2026-01-05T08:00:00+07:00', '2026-02-02T08:00:00+07:00', '2026-03-02T08:00:00+07:00']],
    ['RFC 5545 EXDATE removes one instance', { type: 'rrule', dtstart: '2026-03-02T06:30:00+07:00', rrule: 'FREQ=DAILY;COUNT=3', exdates: ['2026-03-03T06:30:00+07:00'] },
      win('2026-03-01T00:00:00+07:00', '2026-04-01T00:00:00+07:00'), ['2026-03-02T06:30:00+07:00', '2026-03-04T06:30:00+07:00']],
    ['lunar yearly 1/1 (Tết) at 07:00', { type: 'lunar', month: 1, day: 1, time: '07:00' }, win('2026-01-01T00:00:00+07:00', '2028-01-01T00:00:00+07:00'),
      ['2026-02-17T07:00:00+07:00', '2027-02-06T07:00:00+07:00']],
    ['lunar yearly 10/3 (Giỗ Tổ Hùng Vương)', { type: 'lunar', month: 3, day: 10, time: '06:00' }, win('2025-01-01T00:00:00+07:00', '2027-01-01T00:00:00+07:00'),
      ['2025-04-07T06:00:00+07:00', '2026-04-26T06:00:00+07:00']],
    ['lunar monthly rằm (15th), a leap month included (2025 has a leap 6th month)', { type: 'lunar', day: 15, time: '19:00' },
      win('2025-06-01T00:00:00+07:00', '2025-09-01T00:00:00+07:00'),
      ['2025-06-10T19:00:00+07:00', '2025-07-09T19:00:00+07:00', '2025-08-08T19:00:00+07:00']],
    ['lunar yearly 15/6 excludes the leap 6th month unless asked', { type: 'lunar', month: 6, day: 15, time: '19:00' },
      win('2025-06-01T00:00:00+07:00', '2025-09-01T00:00:00+07:00'), ['2025-07-09T19:00:00+07:00']],
    ['lunar yearly 15/6 leap: only the leap month', { type: 'lunar', month: 6, day: 15, time: '19:00', leap: true },
      win('2025-06-01T00:00:00+07:00', '2025-09-01T00:00:00+07:00'), ['2025-08-08T19:00:00+07:00']],
    ['every national holiday of 2026 at 07:00', { type: 'holidays', holidays: 'all', time: '07:00' }, win('2026-01-01T00:00:00+07:00', '2027-01-01T00:00:00+07:00'),
      ['2026-01-01', '2026-02-17', '2026-02-18', '2026-02-19', '2026-04-26', '2026-04-30', '2026-05-01', '2026-09-02'].map((d) => `${d}T07:00:00+07:00`)],
    ['National Day only', { type: 'holidays', holidays: ['national'], time: '06:30' }, win('2026-01-01T00:00:00+07:00', '2027-01-01T00:00:00+07:00'), ['2026-09-02T06:30:00+07:00']],
  ];

  it.each(cases)('%s', (_name, rule, w, expected) => {
    expect(local(ruleInstants(rule, w, TZ))).toEqual(expected);
  });

  it('keeps RRULE wall-clock times across a daylight-saving change in a zone that has one', () => {
    const out = ruleInstants({ type: 'rrule', dtstart: '2026-03-27T07:00:00+01:00', rrule: 'FREQ=DAILY;COUNT=3' }, win('2026-03-01T00:00:00Z', '2026-04-10T00:00:00Z'), 'Europe/Berlin');
    expect(out.map((m) => toZonedIso(m, 'Europe/Berlin'))).toEqual(['2026-03-27T07:00:00+01:00', '2026-03-28T07:00:00+01:00', '2026-03-29T07:00:00+02:00']);
  });

  it('knows which holidays fall on a date', () => {
    expect(holidaysOn({ year: 2026, month: 2, day: 17 })).toEqual(['tet']);
    expect(holidaysOn({ year: 2026, month: 9, day: 2 })).toEqual(['national']);
    expect(holidaysOn({ year: 2026, month: 9, day: 3 })).toEqual([]);
  });
});

describe('schedule options', () => {
  const devices = [{ id: 'thon-dong-1', zoneId: 'zn_dong' }];
  const programs = new Map([['pg_a', { id: 'pg_a', durationMs: 120_000 }], ['pg_b', { id: 'pg_b', durationMs: 60_000 }], ['pg_c', { id: 'pg_c', durationMs: 60_000 }]]);
  const daily: ScheduleDef = { id: 'sc_1', programIds: ['pg_a'], zoneIds: ['zn_dong'], rule: { type: 'rrule', dtstart: '2026-02-15T07:00:00+07:00', rrule: 'FREQ=DAILY' }, priority: 'normal' };
  const feb = win('2026-02-15T00:00:00+07:00', '2026-02-22T00:00:00+07:00');

  it('skips public holidays when asked (Tết 2026: 17–19 February)', () => {
    const occ = expandOccurrences([{ ...daily, skipHolidays: true }], devices, programs, feb, TZ);
    expect(local(occ.map((o) => o.startAt)).map((s) => s.slice(0, 10))).toEqual(['2026-02-15', '2026-02-16', '2026-02-20', '2026-02-21']);
  });

  it('ends at validUntil', () => {
    const occ = expandOccurrences([{ ...daily, validUntil: t('2026-02-17T07:00:00+07:00') }], devices, programs, feb, TZ);
    expect(occ).toHaveLength(2);
  });

  it('counts every repetition and the gaps in an occurrence\'s length', () => {
    const [o] = expandOccurrences([{ ...daily, repeat: { times: 3, gapMinutes: 10 } }], devices, programs, feb, TZ);
    expect(o.endAt - o.startAt).toBe(3 * 120_000 + 2 * 600_000);
    expect(o.repeat).toEqual({ times: 3, gapMinutes: 10 });
  });

  it('rotates a series one program per occurrence, continuing from its offset', () => {
    const series = { ...daily, programIds: ['pg_a', 'pg_b', 'pg_c'], seriesAnchor: t('2026-02-15T00:00:00+07:00') };
    expect(expandOccurrences([series], devices, programs, feb, TZ).map((o) => o.programId)).toEqual(['pg_a', 'pg_b', 'pg_c', 'pg_a', 'pg_b', 'pg_c', 'pg_a']);
    // The same series seen from a later window still knows its place.
    const later = expandOccurrences([series], devices, programs, win('2026-02-17T00:00:00+07:00', '2026-02-19T00:00:00+07:00'), TZ);
    expect(later.map((o) => o.programId)).toEqual(['pg_c', 'pg_a']);
    expect(expandOccurrences([{ ...series, seriesOffset: 1 }], devices, programs, feb, TZ)[0].programId).toBe('pg_b');
  });
});

describe('quiet hours and conflicts', () => {
  const q = { start: '22:00', end: '05:30' };
  it.each([
    ['21:50 for 15 minutes runs into 22:00', '2026-05-01T21:50:00+07:00', 15, true],
    ['21:45 for 15 minutes ends at 22:00 sharp', '2026-05-01T21:45:00+07:00', 15, false],
    ['05:29 is still quiet', '2026-05-02T05:29:00+07:00', 1, true],
    ['05:30 is morning', '2026-05-02T05:30:00+07:00', 30, false],
    ['midnight is quiet', '2026-05-02T00:00:00+07:00', 1, true],
    ['noon is not', '2026-05-02T12:00:00+07:00', 60, false],
  ])('%s', (_n, start, minutes, hit) => {
    expect(inQuietHours(t(start), t(start) + minutes * 60_000, q, TZ)).toBe(hit);
  });

  it('finds occurrences that overlap on the same device, and not on others', () => {
    const o = (id: string, deviceId: string, start: number, end: number) => ({ occurrenceId: id, scheduleId: id, programId: 'p', zoneId: 'z', deviceId, startAt: start, endAt: end, priority: 'normal' as const });
    const conflicts = findConflicts([o('a', 'd1', 0, 100), o('b', 'd2', 0, 100)], [o('x', 'd1', 50, 150), o('y', 'd1', 100, 200), o('z', 'd3', 0, 100)]);
    expect(conflicts.map((c) => [c.occurrence.occurrenceId, c.other.occurrenceId])).toEqual([['a', 'x']]);
  });
});
