import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { occurrenceId } from '../../server/domain/occurrences.js';
import { seedApprovedProgram, useTestApp } from '../helpers/app.js';
import { createDevice, createZone } from '../helpers/system.js';

const at = (iso: string) => Date.parse(iso);
const DAY = 86400_000;

describe('planned against played, settled from what gateways report', () => {
  // The clock moves days ahead here: sessions must outlive it.
  const t = useTestApp({ now: at('2026-03-02T08:00:00+07:00'), env: { SESSION_TTL_HOURS: '2000' } });
  let schedule: string;
  let programId: string;
  const played = (deviceId: string, startAt: number, result: string, reason?: string) => t.fromDevice(deviceId, 'event', {
    id: randomUUID(), at: t.clock.now(), type: 'played', occurrenceId: occurrenceId(schedule, deviceId, startAt), programId, startAt,
    startedAt: startAt + 40, endedAt: result === 'missed' ? startAt + 40 : startAt + 60_040, result, ...(reason ? { reason } : {}),
  });
  const plays = async (deviceId: string) => (await (await t.api(`/api/plays?deviceId=${deviceId}`)).json()).plays
    .map((p: { startAt: string; status: string; reason: string | null; hamlet: string; gateway: string; title: string; category: string }) => [p.startAt.slice(0, 10), p.status, p.reason]).reverse();

  beforeAll(async () => {
    const zone = await createZone(t, 'Thôn Đình', { quietStart: '00:00', quietEnd: '00:00' });
    await createDevice(t, 'dinh-1', zone);
    await createDevice(t, 'dinh-2', zone);
    programId = seedApprovedProgram(t, 'Bản tin sáng', 60_000, 'news');
    schedule = (await (await t.api('/api/schedules', { method: 'POST', json: { programId, zoneIds: [zone], rule: { type: 'rrule', dtstart: '2026-03-02T09:00:00+07:00', rrule: 'FREQ=DAILY;COUNT=4' } } })).json()).schedule.id;
    await t.fromDevice('dinh-1', 'state', { state: 'online', session: 1, agentVersion: 'test' });
  });

  it('settles what a gateway played, waits for one that is away, and then counts it missed with since when it was away', async () => {
    const day1 = at('2026-03-02T09:00:00+07:00');
    t.clock.set(day1 + 61_000);
    await played('dinh-1', day1, 'completed');
    t.clock.set(day1 + 15 * 60_000);
    await t.server.plays.sweep();
    expect(await plays('dinh-1')).toEqual([['2026-03-02', 'played', null]]);
    // dinh-2 never came online: it may be playing from its cache; nothing is decided for three days.
    expect(await plays('dinh-2')).toEqual([['2026-03-02', 'expected', null]]);

    const day2 = day1 + DAY;
    t.clock.set(day2 + 61_000);
    await played('dinh-1', day2, 'missed', 'asset not available or failed verification');
    const day3 = day2 + DAY;
    t.clock.set(day3 + 61_000);
    await played('dinh-1', day3, 'completed');
    t.clock.set(day1 + 3 * DAY + 15 * 60_000);
    await t.server.plays.sweep();
    expect(await plays('dinh-1')).toEqual([
      ['2026-03-02', 'played', null], ['2026-03-03', 'missed', 'asset not available or failed verification'], ['2026-03-04', 'played', null],
      // Online but silent, and still on an older schedule (nothing here applies manifests): that is the reason given.
      ['2026-03-05', 'missed', expect.stringMatching(/had not received the latest schedule/)],
    ]);
    const away = await plays('dinh-2');
    expect(away[0]).toEqual(['2026-03-02', 'missed', expect.stringMatching(/^gateway offline since 2026-03-02T01:00:00/)]);
    expect(away.slice(1).map((p: string[]) => p[1])).toEqual(['expected', 'expected', 'expected']);
  });

  it('lists plays with the program\'s title and category, the hamlet\'s and the gateway\'s names, for technicians too', async () => {
    await t.api('/api/users', { method: 'POST', json: { username: 'ky-thuat', password: 'ky-thuat-mat-khau', role: 'technician' } });
    const tech = t.as(await t.login('ky-thuat', 'ky-thuat-mat-khau'));
    const res = await tech('/api/plays?status=played');
    expect(res.status).toBe(200);
    const [p] = (await res.json()).plays;
    expect(p).toMatchObject({ title: 'Bản tin sáng', category: 'news', hamlet: 'Thôn Đình', gateway: 'dinh-1', status: 'played', playedMs: 60_000 });
  });

  it('groups missed plays into one incident per gateway and reason, and resolves it when the gateway plays again', async () => {
    t.clock.set(at('2026-03-09T09:30:00+07:00'));
    await t.server.plays.sweep();
    const incidents = (await (await t.api('/api/incidents')).json()).incidents;
    const away = incidents.find((i: { deviceId: string }) => i.deviceId === 'dinh-2');
    expect(away).toMatchObject({ reasonKind: 'offline', count: 4, resolvedAt: null });
    const asset = incidents.find((i: { deviceId: string; reasonKind: string }) => i.deviceId === 'dinh-1' && i.reasonKind === 'asset');
    // The next day it played again: resolved.
    expect(asset).toMatchObject({ count: 1, resolvedAt: expect.any(String) });
    expect(incidents.filter((i: { deviceId: string }) => i.deviceId === 'dinh-2')).toHaveLength(1);
  });
});
