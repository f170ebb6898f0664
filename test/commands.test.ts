import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GatewayAgent } from '../devices/agent/agent.js';
import { realTimers } from '../devices/agent/timers.js';
import { generateSigningKeys, loadSigningKeys, signPayload, topics } from '../devices/protocol/index.js';
import { speechLikeWav } from './helpers/audio.js';
import { approvedProgram, createDevice, createZone, NO_QUIET_HOURS, readSinkLog, startTestSystem, testAgent, type TestSystem, waitFor } from './helpers/system.js';

describe('signed commands to a gateway', () => {
  let t: TestSystem;
  let dir: string;
  let zone: string;
  let device: { id: string; secret: string };
  let agent: GatewayAgent;
  let programId: string;
  const cmd = (json: unknown) => t.api(`/api/devices/${device.id}/commands`, { method: 'POST', json });
  const results = async () => (await (await t.api(`/api/devices/${device.id}/commands`)).json()).commands as { seq: number; type: string; result: string; reason: string | null; payload: string }[];
  const resultOf = (seq: number) => waitFor(async () => (await results()).find((c) => c.seq === seq && c.result !== 'sent'));

  beforeAll(async () => {
    t = await startTestSystem();
    dir = await mkdtemp(join(tmpdir(), 'loalang-cmd-'));
    zone = await createZone(t, 'Thôn Lệnh', NO_QUIET_HOURS);
    device = await createDevice(t, 'thon-lenh-1', zone);
    const wav = join(dir, 'p.wav');
    await speechLikeWav(wav, 6);
    programId = (await approvedProgram(t, wav, 'Thông báo khẩn')).id;
    agent = testAgent(t, device, join(dir, device.id));
    await agent.start();
    await waitFor(async () => (await (await t.api(`/api/devices/${device.id}`)).json()).device.online);
  });
  afterAll(async () => {
    await agent.stop();
    await t.stop();
    await rm(dir, { recursive: true, force: true, maxRetries: 5 });
  });

  it('sets the volume, and the gateway reports the result and its new volume', async () => {
    const res = await cmd({ type: 'set-volume', volume: 35 });
    expect(res.status).toBe(202);
    const { command } = await res.json();
    expect((await resultOf(command.seq))!.result).toBe('done');
    await waitFor(async () => (await (await t.api(`/api/devices/${device.id}`)).json()).device.telemetry?.volume === 35);
  });

  it('plays a program now, and stops it on command; the playlog says interrupted', async () => {
    const play = await (await cmd({ type: 'play-now', programId })).json();
    expect((await resultOf(play.command.seq))!.result).toBe('done');
    await waitFor(async () => (await (await t.api(`/api/devices/${device.id}`)).json()).device.playing);
    const stop = await (await cmd({ type: 'stop' })).json();
    expect((await resultOf(stop.command.seq))!.result).toBe('done');
    const log = await waitFor(async () => {
      const lines = await readSinkLog(join(dir, device.id, 'sink.jsonl'));
      return lines.find((l) => l.occurrenceId.startsWith('cmd-'));
    });
    expect(log!.result).toBe('interrupted');
    expect(log!.endedAt - log!.startedAt).toBeLessThan(6000);
  });

  it('refuses a replayed command and one out of order, and says why', async () => {
    const all = await results();
    const newest = all[0];
    const older = all[all.length - 1];
    const replay = await agent.onCommand(newest.payload);
    expect(replay.result).toBe('rejected');
    expect(replay.reason).toMatch(/^replayed/);
    const reordered = await agent.onCommand(older.payload);
    expect(reordered.result).toBe('rejected');
    expect(reordered.reason).toMatch(/^out of order/);
    // What the original commands did stays on record.
    expect((await results()).find((c) => c.seq === newest.seq)!.result).toBe('done');
  });

  it('refuses an expired command and one signed by another key', async () => {
    const next = ((await results())[0]?.seq ?? 0) + 10;
    const base = { deviceId: device.id, seq: next, issuedAt: Date.now() - 120_000, expiresAt: Date.now() - 60_000, type: 'stop' };
    const impostor = loadSigningKeys(generateSigningKeys().privateKeyPem);
    expect(await agent.onCommand(JSON.stringify(signPayload({ ...base, expiresAt: Date.now() + 60_000 }, impostor.privateKey)))).toEqual({ result: 'rejected', reason: 'bad signature' });
    // An expired command from the real server: ask for one with the shortest TTL, then deliver it late.
    const res = await (await cmd({ type: 'resync', ttlSeconds: 5 })).json();
    await resultOf(res.command.seq);
    // Its clock taken as it is (not measured against the server's): 10 s later, as if delivered late.
    const late = testAgent(t, device, join(dir, 'late'), { mqttUrl: 'mqtt://127.0.0.1:9', timers: { ...realTimers, now: () => Date.now() + 10_000 }, followServerClock: false });
    expect((await late.onCommand(res.command.payload)).reason).toMatch(/^expired/);
    late.kill();
  });

  it('never retains a command on the broker [MQTT-3.3.1-5]', async () => {
    await cmd({ type: 'resync' });
    await agent.stop();
    const client = mqtt.connect(t.sys.mqttUrl, { clientId: device.id, username: device.id, password: device.secret, reconnectPeriod: 0 });
    const got: string[] = [];
    client.on('message', (topic) => got.push(topic));
    await new Promise<void>((r) => client.once('connect', () => r()));
    await client.subscribeAsync(topics.cmd(device.id), { qos: 1 });
    await new Promise((r) => setTimeout(r, 400));
    expect(got).toEqual([]);
    await client.endAsync();
    await agent.start();
  });

  it('refuses a command to an unknown device, a bad body, and a technician-only command from an editor', async () => {
    expect((await t.api('/api/devices/thon-khong-co/commands', { method: 'POST', json: { type: 'stop' } })).status).toBe(404);
    expect((await cmd({ type: 'set-volume', volume: 300 })).status).toBe(400);
    await t.api('/api/users', { method: 'POST', json: { username: 'bientap', password: 'bien-tap-vien-1', role: 'editor' } });
    const editor = await t.login('bientap', 'bien-tap-vien-1');
    const res = await fetch(`${t.sys.httpUrl}/api/devices/${device.id}/commands`, { method: 'POST', headers: { cookie: editor, 'content-type': 'application/json' }, body: JSON.stringify({ type: 'stop' }) });
    expect(res.status).toBe(403);
  });
});
