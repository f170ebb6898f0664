import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GatewayAgent } from '../devices/agent/agent.js';
import { recordSink } from '../devices/agent/sinks.js';
import { toZonedIso } from '../server/domain/time.js';
import { speechLikeWav } from './helpers/audio.js';
import { fakeTimers } from './helpers/fake-timers.js';
import { linkProxy } from './helpers/proxy.js';
import { createDevice, createZone, readSinkLog, startTestSystem, uploadProgram, waitFor, type TestSystem } from './helpers/system.js';

describe('faults on the device plane', () => {
  let t: TestSystem;
  let dir: string;
  beforeAll(async () => {
    t = await startTestSystem();
    dir = await mkdtemp(join(tmpdir(), 'loalang-chaos-'));
  });
  afterAll(async () => {
    await t.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('a gateway cut off for 7 simulated days plays everything due, and every playlog reaches the server once after it reconnects', async () => {
    const zone = await createZone(t, 'Thôn Núi');
    const device = await createDevice(t, 'thon-nui-1', zone);
    const wav = join(dir, 'tin.wav');
    await speechLikeWav(wav, 2);
    const program = (await (await uploadProgram(t, wav, 'Tin buổi sáng')).json()).program;
    const tomorrow = new Date(Date.now() + 7 * 3600_000 + 86400_000).toISOString().slice(0, 10);
    const res = await t.api('/api/schedules', {
      method: 'POST', json: { programId: program.id, zoneIds: [zone], rule: { type: 'rrule', dtstart: `${tomorrow}T06:00:00+07:00`, rrule: 'FREQ=DAILY;BYHOUR=6,11,17' } },
    });
    expect(res.status).toBe(201);

    const link = await linkProxy(t.sys.mqttPort);
    const clock = fakeTimers(Date.now());
    const cache = join(dir, device.id);
    const agent = new GatewayAgent({
      id: device.id, secret: device.secret, server: t.sys.httpUrl, mqttUrl: link.url(), serverPublicKey: t.sys.publicKeyPem,
      cacheDir: cache, sink: recordSink(cache, clock), timers: clock, telemetryMs: 86400_000, reconnectMinMs: 50, reconnectMaxMs: 200,
    });
    await agent.start();
    const online = async () => (await (await t.api(`/api/devices/${device.id}`)).json()).device;
    await waitFor(async () => {
      const d = await online();
      return d.online && d.appliedVersion === d.manifestVersion && d.appliedVersion > 0;
    });
    await waitFor(async () => (await import('node:fs/promises')).readdir(join(cache, 'assets')).then((f) => f.some((x) => x.endsWith('.opus'))));

    await link.cut();
    await waitFor(async () => !(await online()).online);
    const start = clock.now();
    await clock.advanceTo(start + 7 * 86400_000);
    const iso = (ms: number) => encodeURIComponent(toZonedIso(ms, 'Asia/Ho_Chi_Minh'));
    const due = (await (await t.api(`/api/occurrences?zoneId=${zone}&from=${iso(start)}&to=${iso(start + 7 * 86400_000)}`)).json()).occurrences;
    expect(due.length).toBeGreaterThanOrEqual(19);
    const played = await readSinkLog(join(cache, 'sink.jsonl'));
    expect(played.map((p) => p.occurrenceId)).toEqual(due.map((o: { occurrenceId: string }) => o.occurrenceId));
    expect(played.every((p) => p.result === 'completed' && p.startedAt === p.startAt)).toBe(true);
    expect((await (await t.api(`/api/playlogs?deviceId=${device.id}`)).json()).playlogs).toEqual([]);
    expect((await agent.pendingEvents()).length).toBeGreaterThanOrEqual(due.length);

    await link.restore();
    const logs = await waitFor(async () => {
      const body = await (await t.api(`/api/playlogs?deviceId=${device.id}&limit=100`)).json();
      return body.playlogs.length >= due.length ? body.playlogs : null;
    }, 15_000);
    await waitFor(async () => (await agent.pendingEvents()).length === 0);
    expect(logs).toHaveLength(due.length);
    expect(new Set(logs.map((l: { occurrenceId: string }) => l.occurrenceId)).size).toBe(due.length);
    expect((await online()).online).toBe(true);
    agent.kill();
    await link.close();
  });
});
