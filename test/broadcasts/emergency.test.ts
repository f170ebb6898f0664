import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GatewayAgent } from '../../devices/agent/agent.js';
import { toZonedIso } from '../../server/domain/time.js';
import { speechLikeWav } from '../helpers/audio.js';
import {
  approvedProgram, approverSession, createDevice, createZone, NO_QUIET_HOURS, readSinkLog, testAgent, useTestSystem, waitFor,
} from '../helpers/system.js';

const TZ = 'Asia/Ho_Chi_Minh';

describe('emergency broadcasts reach the loudspeakers at once and stop when told [Circular 39/2020/TT-BTTTT: khẩn cấp]', () => {
  const t = useTestSystem();
  let cache: string;
  const agents: GatewayAgent[] = [];
  let zone: string;
  let gateways: { id: string; secret: string }[];
  let news: { id: string };
  let warning: { id: string };
  let chair: (path: string, init?: RequestInit & { json?: unknown }) => Promise<Response>;
  const sink = (id: string) => readSinkLog(join(cache, id, 'sink.jsonl'));
  const status = async (id: string) => (await (await t.api(`/api/broadcasts/${id}`)).json()).broadcast;
  const fire = async (json: Record<string, unknown>) => (await (await chair('/api/broadcasts/emergency', { method: 'POST', json: { zoneIds: [zone], ...json } })).json()).broadcast.broadcast;

  beforeAll(async () => {
    cache = await mkdtemp(join(tmpdir(), 'loalang-emergency-'));
    zone = await createZone(t, 'Thôn Ven Đê', NO_QUIET_HOURS);
    gateways = [await createDevice(t, 've-de-1', zone), await createDevice(t, 've-de-2', zone), await createDevice(t, 've-de-3', zone)];
    const wav = (s: number, name: string) => speechLikeWav(join(cache, name), s).then(() => join(cache, name));
    news = await approvedProgram(t, await wav(8, 'news.wav'), 'Bản tin chiều');
    warning = await approvedProgram(t, await wav(2, 'warning.wav'), 'Cảnh báo lũ');
    chair = t.as(await approverSession(t));
    // Two gateways online; the third stays away until a test starts it.
    for (const g of gateways.slice(0, 2)) {
      const a = testAgent(t, g, join(cache, g.id));
      agents.push(a);
      await a.start();
    }
    await waitFor(async () => (await (await t.api('/api/devices')).json()).devices.filter((d: { online: boolean; appliedVersion: number }) => d.online && d.appliedVersion > 0).length === 2);
  }, 60_000);
  afterAll(async () => {
    for (const a of agents) await a.stop();
    await rm(cache, { recursive: true, force: true, maxRetries: 5 });
  });

  it('cuts a normal play short on every online gateway (logged interrupted), and a cancel between two repeats stops the rest', async () => {
    const startAt = Math.ceil((Date.now() + 3000) / 1000) * 1000;
    expect((await t.api('/api/schedules', { method: 'POST', json: { programId: news.id, zoneIds: [zone], rule: { type: 'once', at: toZonedIso(startAt, TZ) } } })).status).toBe(201);
    await waitFor(async () => (await sink('ve-de-1')).length === 0 && Date.now() > startAt + 1500, 10_000);
    const fired = await fire({ content: { type: 'program', programId: warning.id }, repeat: { times: 3, gapSeconds: 3 }, riskLevel: 4 });
    expect(fired.status).toBe('active');
    // The first play of the warning starts at once and ends; during the gap before the second, cancel.
    await waitFor(async () => (await Promise.all(['ve-de-1', 've-de-2'].map(sink))).every((l) => l.some((p) => p.programId === warning.id && p.result === 'completed')), 15_000);
    const cancelled = await (await chair(`/api/broadcasts/${fired.id}/cancel`, { method: 'POST', json: { reason: 'Nước đã rút' } })).json();
    expect(cancelled.broadcast.broadcast.status).toBe('cancelled');
    await new Promise((r) => setTimeout(r, 6000));
    for (const id of ['ve-de-1', 've-de-2']) {
      const log = await sink(id);
      expect(log.find((p) => p.programId === news.id)?.result, id).toBe('interrupted');
      expect(log.filter((p) => p.programId === warning.id).map((p) => p.result), id).toEqual(['completed']);
    }
    const board = await waitFor(async () => {
      const b = await status(fired.id);
      return b.targets.filter((x: { deviceId: string }) => x.deviceId !== 've-de-3').every((x: { status: string }) => x.status === 'cancelled') ? b : null;
    }, 10_000);
    // The gateway that was away never gets it now.
    expect(board.targets.find((x: { deviceId: string }) => x.deviceId === 've-de-3').status).toBe('cancelled');
  }, 60_000);

  it('reaches a gateway that comes back before the broadcast expires, and never one that comes back after', async () => {
    const soon = await fire({ content: { type: 'program', programId: warning.id }, expiresAt: toZonedIso(Date.now() + 3000, TZ) });
    const later = await fire({ content: { type: 'program', programId: warning.id }, expiresAt: toZonedIso(Date.now() + 60_000, TZ) });
    expect((await status(later.id)).targets.find((x: { deviceId: string }) => x.deviceId === 've-de-3')).toMatchObject({ status: 'pending', offlineSince: null });
    await new Promise((r) => setTimeout(r, 4000));
    const away = testAgent(t, gateways[2], join(cache, 've-de-3'));
    agents.push(away);
    await away.start();
    const played = await waitFor(async () => (await status(later.id)).targets.find((x: { deviceId: string; status: string }) => x.deviceId === 've-de-3' && x.status === 'played'), 20_000);
    expect(played).toBeTruthy();
    const log = await sink('ve-de-3');
    expect(log.filter((p) => p.programId === warning.id)).toHaveLength(1);
    const gone = (await status(soon.id)).targets.find((x: { deviceId: string }) => x.deviceId === 've-de-3');
    expect(['missed', 'expired']).toContain(gone.status);
  }, 60_000);

  it('lets a technician silence one gateway with stop, without cancelling the broadcast elsewhere', async () => {
    await t.api('/api/users', { method: 'POST', json: { username: 'ky-thuat', password: 'ky-thuat-mat-khau', role: 'technician' } });
    const tech = t.as(await t.login('ky-thuat', 'ky-thuat-mat-khau'));
    const b = await fire({ content: { type: 'program', programId: news.id } });
    await waitFor(async () => (await status(b.id)).targets.filter((x: { status: string }) => x.status === 'playing').length >= 2, 10_000);
    expect((await tech('/api/devices/ve-de-1/commands', { method: 'POST', json: { type: 'stop' } })).status).toBe(202);
    expect((await tech(`/api/broadcasts/${b.id}/cancel`, { method: 'POST', json: {} })).status).toBe(403);
    await waitFor(async () => (await sink('ve-de-2')).some((p) => p.programId === news.id && p.startAt >= b.firedAt && p.result === 'completed'), 15_000);
    expect((await status(b.id)).broadcast.status).toBe('active');
  }, 60_000);

  it('plays at once in a hamlet that is in its quiet hours, where a normal schedule for the same minute is refused', async () => {
    // Quiet hours from an hour ago to two hours from now, local time (they may wrap midnight).
    const hhmm = (ms: number) => toZonedIso(ms, TZ).slice(11, 16);
    const quiet = await createZone(t, 'Thôn Giờ Nghỉ', { quietStart: hhmm(Date.now() - 3600_000), quietEnd: hhmm(Date.now() + 2 * 3600_000) });
    const g = await createDevice(t, 'gio-nghi-1', quiet);
    const a = testAgent(t, g, join(cache, g.id));
    agents.push(a);
    await a.start();
    await waitFor(async () => (await (await t.api('/api/devices/gio-nghi-1')).json()).device.appliedVersion > 0, 20_000);
    const scheduled = await t.api('/api/schedules', { method: 'POST', json: { programId: news.id, zoneIds: [quiet], rule: { type: 'once', at: toZonedIso(Date.now() + 60_000, TZ) } } });
    expect(scheduled.status).toBe(422);
    expect((await scheduled.json()).error.code).toBe('quiet_hours');
    const b = (await (await chair('/api/broadcasts/emergency', { method: 'POST', json: { zoneIds: [quiet], content: { type: 'program', programId: warning.id } } })).json()).broadcast.broadcast;
    await waitFor(async () => (await status(b.id)).targets.find((x: { deviceId: string; status: string }) => x.deviceId === 'gio-nghi-1' && x.status === 'played'), 20_000);
    expect((await readSinkLog(join(cache, g.id, 'sink.jsonl'))).filter((p) => p.programId === warning.id).map((p) => p.result)).toEqual(['completed']);
  }, 60_000);
});
