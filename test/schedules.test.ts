import { beforeAll, describe, expect, it } from 'vitest';
import { seedApprovedProgram, useTestApp } from './helpers/app.js';
import { createDevice, createZone, waitFor } from './helpers/system.js';

/** The day after the test app's fixed "now" (Monday 2 March 2026, 08:00 in the commune). */
const tomorrow = (hhmm: string, ss = '00') => `2026-03-03T${hhmm}:${ss}+07:00`;

describe('schedules through the API', () => {
  const t = useTestApp();
  let dong: string;
  let tay: string;
  let programId: string;
  const post = (json: unknown, query = '') => t.api(`/api/schedules${query}`, { method: 'POST', json });
  const count = async () => (await (await t.api('/api/schedules')).json()).schedules.length as number;
  const versions = async () => Object.fromEntries((await (await t.api('/api/devices')).json()).devices.map((d: { id: string; manifestVersion: number }) => [d.id, d.manifestVersion]));

  beforeAll(async () => {
    dong = await createZone(t, 'Thôn Đông');
    tay = await createZone(t, 'Thôn Tây');
    await createDevice(t, 'thon-dong-1', dong);
    await createDevice(t, 'thon-tay-1', tay);
    programId = seedApprovedProgram(t, 'Bản tin thời sự', 60_000);
  });

  it('refuses a normal broadcast in quiet hours, naming the zone, the window and the first offending occurrence [Circular 39/2020]', async () => {
    const before = await count();
    const res = await post({ programId, zoneIds: [dong], rule: { type: 'once', at: tomorrow('22:30') } });
    expect(res.status).toBe(422);
    const { error } = await res.json();
    expect(error.code).toBe('quiet_hours');
    expect(error.message).toContain('Thôn Đông');
    expect(error.message).toContain('22:00–05:30');
    expect(error.details.hits[0]).toMatchObject({ zoneId: dong, window: '22:00–05:30', startAt: tomorrow('22:30') });
    expect(await count()).toBe(before);
  });

  it('refuses a play that starts before quiet hours but runs into them', async () => {
    const res = await post({ programId, zoneIds: [dong], rule: { type: 'once', at: tomorrow('21:59', '30') } });
    expect((await res.json()).error.code).toBe('quiet_hours');
  });

  it('lets an emergency play in quiet hours', async () => {
    const res = await post({ programId, zoneIds: [dong], rule: { type: 'once', at: tomorrow('23:00') }, priority: 'emergency' });
    expect(res.status).toBe(201);
  });

  it('honours a zone\'s edited quiet hours', async () => {
    const zone = await createZone(t, 'Tổ dân phố 3');
    await t.api(`/api/zones/${zone}`, { method: 'PATCH', json: { quietStart: '23:30', quietEnd: '05:00' } });
    const res = await post({ programId, zoneIds: [zone], rule: { type: 'once', at: tomorrow('22:30') } });
    expect(res.status).toBe(201);
  });

  it('refuses an overlapping normal schedule with 409, listing the other schedule and instants; a priority one may overlap', async () => {
    const first = await (await post({ programId, zoneIds: [dong], rule: { type: 'once', at: tomorrow('10:00') } })).json();
    const res = await post({ programId, zoneIds: [dong, tay], rule: { type: 'rrule', dtstart: tomorrow('10:00', '30'), rrule: 'FREQ=DAILY;COUNT=2' } });
    expect(res.status).toBe(409);
    const { error } = await res.json();
    expect(error.code).toBe('conflict');
    expect(error.details.conflicts[0]).toMatchObject({ deviceId: 'thon-dong-1', scheduleId: first.schedule.id, otherStartAt: tomorrow('10:00') });
    const priority = await post({ programId, zoneIds: [dong], rule: { type: 'once', at: tomorrow('10:00') }, priority: 'priority' });
    expect(priority.status).toBe(201);
  });

  it('answers ?dryRun=true with the occurrences, conflicts and quiet-hours hits, and saves nothing', async () => {
    // Its own schedule to conflict with, at an hour no other test uses.
    expect((await post({ programId, zoneIds: [tay], rule: { type: 'once', at: tomorrow('14:00') } })).status).toBe(201);
    const before = await count();
    const res = await post({ programId, zoneIds: [dong, tay], rule: { type: 'rrule', dtstart: tomorrow('14:00'), rrule: 'FREQ=DAILY;COUNT=3' } }, '?dryRun=true');
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.ok).toBe(false);
    expect(body.occurrenceCount).toBe(6);
    expect(body.conflicts.length).toBeGreaterThan(0);
    expect(body.quietHours).toEqual([]);
    const late = await (await post({ programId, zoneIds: [dong], rule: { type: 'once', at: tomorrow('23:45') } }, '?dryRun=true')).json();
    expect(late.quietHours[0].zoneName).toBe('Thôn Đông');
    expect(await count()).toBe(before);
  });

  it('refuses an invalid RRULE, a rule that never plays, and an unknown zone, with clear codes', async () => {
    const bad = await post({ programId, zoneIds: [dong], rule: { type: 'rrule', dtstart: tomorrow('08:00'), rrule: 'FREQ=SOMETIMES' } });
    expect(bad.status).toBe(422);
    expect((await bad.json()).error.code).toBe('invalid_rule');
    const never = await post({ programId, zoneIds: [dong], rule: { type: 'rrule', dtstart: '2020-01-01T08:00:00+07:00', rrule: 'FREQ=DAILY;COUNT=2' } });
    expect((await never.json()).error.code).toBe('never_plays');
    const zone = await post({ programId, zoneIds: ['zn_nowhere'], rule: { type: 'once', at: tomorrow('08:00') } });
    expect((await zone.json()).error.code).toBe('unknown_zone');
  });

  it('publishes a new manifest only to the devices of the zones a schedule change touches', async () => {
    await t.server.manifests.whenIdle();
    const before = await versions();
    const res = await post({ programId, zoneIds: [tay], rule: { type: 'rrule', dtstart: tomorrow('19:00'), rrule: 'FREQ=DAILY;COUNT=3' } });
    expect(res.status).toBe(201);
    const after = await waitFor(async () => {
      const v = await versions();
      return v['thon-tay-1'] > before['thon-tay-1'] ? v : null;
    });
    expect(after!['thon-dong-1']).toBe(before['thon-dong-1']);
  });

  it('exports a zone\'s coming broadcasts as iCalendar [RFC 5545]', async () => {
    expect((await post({ programId, zoneIds: [dong], rule: { type: 'once', at: tomorrow('16:00') } })).status).toBe(201);
    const res = await t.api(`/api/zones/${dong}/calendar.ics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/calendar');
    const ics = await res.text();
    expect(ics.startsWith('BEGIN:VCALENDAR\r\nVERSION:2.0\r\n')).toBe(true);
    expect(ics).toContain('SUMMARY:Bản tin thời sự');
    expect(ics).toContain('DTSTART:20260303T090000Z');
    expect(ics.split('\r\n').every((l) => Buffer.byteLength(l) <= 75)).toBe(true);
  });

  it('previews occurrences per zone', async () => {
    expect((await post({ programId, zoneIds: [tay], rule: { type: 'once', at: tomorrow('17:00') } })).status).toBe(201);
    const body = await (await t.api(`/api/occurrences?from=${encodeURIComponent('2026-03-02T08:00:00+07:00')}&zoneId=${tay}`)).json();
    expect(body.occurrences.length).toBeGreaterThan(0);
    expect(body.occurrences.every((o: { zoneId: string }) => o.zoneId === tay)).toBe(true);
  });
});
