import { mkdtemp, readdir, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GatewayAgent } from '../devices/agent/agent.js';
import { recordSink } from '../devices/agent/sinks.js';
import { toZonedIso } from '../server/domain/time.js';
import { speechLikeWav } from './helpers/audio.js';
import { fakeTimers } from './helpers/fake-timers.js';
import { linkProxy } from './helpers/proxy.js';
import { parseConfig } from '../server/config.js';
import { createLogger } from '../server/logger.js';
import { startSystem } from '../server/main.js';
import { ADMIN_PASSWORD, approvedProgram, createDevice, createZone, loginCookie, readSinkLog, systemClient, startTestSystem, testAgent, type TestSystem, tomorrowAt, waitFor } from './helpers/system.js';

describe('faults on the device plane', () => {
  let t: TestSystem;
  let dir: string;
  beforeAll(async () => {
    t = await startTestSystem();
    dir = await mkdtemp(join(tmpdir(), 'loalang-chaos-'));
  });
  afterAll(async () => {
    await t.stop();
    await rm(dir, { recursive: true, force: true, maxRetries: 5 });
  });

  it('a gateway cut off for 7 simulated days plays everything due, and every playlog reaches the server once after it reconnects', async () => {
    const zone = await createZone(t, 'Thôn Núi');
    const device = await createDevice(t, 'thon-nui-1', zone);
    const wav = join(dir, 'tin.wav');
    await speechLikeWav(wav, 2);
    const program = (await approvedProgram(t, wav, 'Tin buổi sáng'));
    const res = await t.api('/api/schedules', {
      method: 'POST', json: { programId: program.id, zoneIds: [zone], rule: { type: 'rrule', dtstart: tomorrowAt('06:00'), rrule: 'FREQ=DAILY;BYHOUR=6,11,17' } },
    });
    expect(res.status).toBe(201);

    const link = await linkProxy(t.sys.mqttPort);
    const clock = fakeTimers(Date.now());
    const cache = join(dir, device.id);
    const agent = testAgent(t, device, cache, { mqttUrl: link.url(), timers: clock, telemetryMs: 86400_000, reconnectMinMs: 50, reconnectMaxMs: 200 });
    clock.idleWith(() => agent.settled());
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
    // Three a day from tomorrow 06:00 (local): at least six whole days of them in these seven, whatever the hour now.
    expect(due.length).toBeGreaterThanOrEqual(18);
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

  it.each([
    ['truncated', (f: string) => truncate(f, 100)],
    ['corrupted', async (f: string) => {
      const bytes = await readFile(f);
      bytes[bytes.length >> 1] ^= 0xff;
      await writeFile(f, bytes);
    }],
  ])('a %s cached asset is detected before it plays and fetched again', async (kind, damage) => {
    const zone = await createZone(t, `Thôn Hỏng ${kind}`);
    const device = await createDevice(t, `thon-hong-${kind}`, zone);
    const wav = join(dir, `${kind}.wav`);
    await speechLikeWav(wav, 3 + kind.length / 10);
    const program = (await approvedProgram(t, wav, `Thông báo ${kind}`));
    const at = tomorrowAt('08:00');
    expect((await t.api('/api/schedules', { method: 'POST', json: { programId: program.id, zoneIds: [zone], rule: { type: 'once', at } } })).status).toBe(201);

    const clock = fakeTimers(Date.now());
    const cache = join(dir, device.id);
    const agent = testAgent(t, device, cache, { timers: clock, telemetryMs: 86400_000 });
    clock.idleWith(() => agent.settled());
    await agent.start();
    const file = join(cache, 'assets', `${program.asset.sha256}.opus`);
    await waitFor(async () => (await readdir(join(cache, 'assets'))).includes(`${program.asset.sha256}.opus`));
    await damage(file);

    await clock.advanceTo(Date.parse(at) + 60_000);
    const played = await readSinkLog(join(cache, 'sink.jsonl'));
    expect(played).toEqual([expect.objectContaining({ programId: program.id, result: 'completed', startedAt: Date.parse(at) })]);
    const repaired = await readFile(file);
    expect(repaired.length).toBe(program.asset.bytes);
    expect(createHash('sha256').update(repaired).digest('hex')).toBe(program.asset.sha256);
    agent.kill();
  });
});

describe('a server restart', () => {
  it('loses nothing scheduled, and gateways resync and stay in sync', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'loalang-restart-'));
    const env = { HOST: '127.0.0.1', PORT: '0', MQTT_PORT: '0', DATA_DIR: join(dir, 'data'), MEDIA_DIR: join(dir, 'media'), LOALANG_ADMIN_PASSWORD: ADMIN_PASSWORD };
    const log = createLogger('silent');
    let sys = await startSystem(parseConfig(env), { log });
    const fixedEnv = { ...env, PORT: String(sys.httpPort), MQTT_PORT: String(sys.mqttPort) };
    const cookie = await loginCookie(sys.httpUrl, 'admin', ADMIN_PASSWORD);
    const api = (path: string, json?: unknown) => fetch(`${sys.httpUrl}${path}`, {
      method: json ? 'POST' : 'GET', headers: { cookie, 'content-type': 'application/json' }, body: json ? JSON.stringify(json) : undefined,
    }).then((r) => r.json());
    const zone = (await api('/api/zones', { name: 'Thôn Cũ' })).zone.id;
    const dev = (await api('/api/devices', { id: 'thon-cu-1', name: 'Cụm loa', zoneId: zone })).device;
    const wav = join(dir, 'x.wav');
    await speechLikeWav(wav, 2);
    const client = systemClient(sys, cookie);
    const program = await approvedProgram(client, wav, 'Bản tin');
    await api('/api/schedules', { programId: program.id, zoneIds: [zone], rule: { type: 'rrule', dtstart: tomorrowAt('07:00'), rrule: 'FREQ=DAILY' } });
    const cache = join(dir, 'gw');
    const agent = new GatewayAgent({
      id: dev.id, secret: dev.secret, server: sys.httpUrl, mqttUrl: sys.mqttUrl, serverPublicKey: sys.publicKeyPem, cacheDir: cache,
      sink: recordSink(cache, (await import('../devices/agent/timers.js')).realTimers), reconnectMinMs: 100, reconnectMaxMs: 300,
    });
    await agent.start();
    await waitFor(async () => (await api('/api/devices/thon-cu-1')).device.appliedVersion > 0);
    const before = (await api('/api/devices/thon-cu-1')).device;
    const occBefore = (await api(`/api/occurrences?zoneId=${zone}`)).occurrences.length;

    await sys.stop();
    sys = await startSystem(parseConfig(fixedEnv), { log });
    await waitFor(async () => {
      const d = (await api('/api/devices/thon-cu-1')).device;
      if (process.env.DEBUG_RESTART) console.log(d);
      return d.online && d.appliedVersion === d.manifestVersion ? d : null;
    }, 15_000);
    const after = (await api('/api/devices/thon-cu-1')).device;
    expect(after.manifestVersion).toBe(before.manifestVersion);
    expect(agent.manifestVersion).toBe(before.manifestVersion);
    expect((await api(`/api/occurrences?zoneId=${zone}`)).occurrences.length).toBe(occBefore);
    await agent.stop();
    await sys.stop();
    await rm(dir, { recursive: true, force: true, maxRetries: 5 });
  });
});
