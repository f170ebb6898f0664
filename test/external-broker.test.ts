import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, connect as tcpConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFleet } from '../devices/sim/fleet.js';
import { topics } from '../devices/protocol/index.js';
import { toZonedIso } from '../server/domain/time.js';
import { useTestApp } from './helpers/app.js';
import { speechLikeWav } from './helpers/audio.js';
import { approvedProgram, createDevice, createZone, NO_QUIET_HOURS, readSinkLog, startTestSystem, type TestSystem, waitFor } from './helpers/system.js';

const MOSQUITTO = process.env.MOSQUITTO_PATH ?? '/usr/sbin/mosquitto';
const run = promisify(execFile);

const freePort = () => new Promise<number>((resolve) => {
  const s = createServer().listen(0, '127.0.0.1', () => {
    const port = (s.address() as { port: number }).port;
    s.close(() => resolve(port));
  });
});
const portOpen = (port: number) => new Promise<boolean>((resolve) => {
  const s = tcpConnect(port, '127.0.0.1').once('connect', () => (s.destroy(), resolve(true))).once('error', () => resolve(false));
});
function connectOnce(url: string, opts: IClientOptions): Promise<{ client?: MqttClient; error?: Error & { code?: number } }> {
  return new Promise((resolve) => {
    const client = mqtt.connect(url, { reconnectPeriod: 0, connectTimeout: 5000, ...opts });
    client.once('connect', () => resolve({ client }));
    client.once('error', (error) => (client.end(true), resolve({ error })));
  });
}

describe('an external Mosquitto broker, with the password and ACL files the server exports', () => {
  let t: TestSystem;
  let dir: string;
  let mosquitto: ChildProcess;
  let port: number;
  let env: Record<string, string>;
  const clients: MqttClient[] = [];

  const exportAcl = () => run(process.execPath, ['--import', 'tsx', 'scripts/export-mosquitto.ts', '--out', join(dir, 'mosquitto'), '--port', String(port), '--run-as', 'root'], { env: { ...process.env, ...env } });
  const reload = async () => {
    await exportAcl();
    mosquitto.kill('SIGHUP');
    await new Promise((r) => setTimeout(r, 300));
  };

  beforeAll(async () => {
    if (!existsSync(MOSQUITTO)) throw new Error(`${MOSQUITTO} not found: apt-get install mosquitto, or set MOSQUITTO_PATH`);
    dir = await mkdtemp(join(tmpdir(), 'loalang-mosquitto-'));
    port = await freePort();
    env = {
      DATA_DIR: join(dir, 'data'), MEDIA_DIR: join(dir, 'media'), MQTT_URL: `mqtt://127.0.0.1:${port}`, MQTT_PASSWORD: 'server-on-mosquitto-pw',
      MQTT_HOOK_TOKEN: 'hook-token-0123456789', LOG_LEVEL: 'silent',
    };
    await exportAcl();
    mosquitto = spawn(MOSQUITTO, ['-c', join(dir, 'mosquitto', 'mosquitto.conf')], { stdio: 'ignore' });
    await waitFor(() => portOpen(port), 10_000);
    t = await startTestSystem(env, dir);
  });
  afterAll(async () => {
    for (const c of clients) c.end(true);
    await t?.stop();
    mosquitto?.kill('SIGKILL');
    await rm(dir, { recursive: true, force: true, maxRetries: 5 });
  });

  it('carries a broadcast end to end: provision, export, reload, gateways play on time, playlogs come back', async () => {
    const zone = await createZone(t, 'Thôn Mosquitto', NO_QUIET_HOURS);
    const devices = [await createDevice(t, 'thon-mq-1', zone), await createDevice(t, 'thon-mq-2', zone)];
    await reload();
    const fleet = await startFleet({ server: t.sys.httpUrl, mqttUrl: `mqtt://127.0.0.1:${port}`, serverPublicKey: t.sys.publicKeyPem, devices, cacheRoot: join(dir, 'fleet') });
    try {
      await waitFor(async () => (await (await t.api('/api/devices')).json()).devices.every((d: { online: boolean; appliedVersion: number }) => d.online && d.appliedVersion > 0));
      const wav = join(dir, 'a.wav');
      await speechLikeWav(wav, 1);
      const program = (await approvedProgram(t, wav, 'Qua Mosquitto'));
      const startAt = Math.ceil((Date.now() + 3000) / 1000) * 1000;
      const res = await t.api('/api/schedules', { method: 'POST', json: { programId: program.id, zoneIds: [zone], rule: { type: 'once', at: toZonedIso(startAt, 'Asia/Ho_Chi_Minh') } } });
      expect(res.status).toBe(201);
      const played = await waitFor(async () => {
        const logs = await Promise.all(devices.map((d) => readSinkLog(fleet.sinkFile(d.id))));
        return logs.every((l) => l.length === 1) ? logs.flat() : null;
      }, 15_000);
      for (const p of played!) expect(Math.abs(p.startedAt - startAt)).toBeLessThan(250);
      await waitFor(async () => (await (await t.api('/api/playlogs')).json()).playlogs.length === 2);
    } finally {
      await fleet.stop();
    }
  });

  it('refuses anonymous clients and wrong secrets, and keeps a device to its own topics', async () => {
    expect((await connectOnce(`mqtt://127.0.0.1:${port}`, { clientId: 'anon-1' })).error).toBeDefined();
    expect((await connectOnce(`mqtt://127.0.0.1:${port}`, { clientId: 'thon-mq-1', username: 'thon-mq-1', password: 'wrong' })).error).toBeDefined();

    const zone = await createZone(t, 'Thôn ACL');
    const a = await createDevice(t, 'thon-acl-a', zone);
    const b = await createDevice(t, 'thon-acl-b', zone);
    await reload();
    const ca = (await connectOnce(`mqtt://127.0.0.1:${port}`, { clientId: a.id, username: a.id, password: a.secret })).client!;
    const cb = (await connectOnce(`mqtt://127.0.0.1:${port}`, { clientId: b.id, username: b.id, password: b.secret })).client!;
    clients.push(ca, cb);
    const stolen: string[] = [];
    ca.on('message', (topic) => topic.includes(b.id) && stolen.push(topic));
    await ca.subscribeAsync([topics.manifest(b.id), 'loalang/v1/dev/+/manifest'], { qos: 1 }).catch(() => {});
    const seenByB: string[] = [];
    cb.on('message', (_t, p) => p.toString() === 'forged' && seenByB.push(_t));
    await cb.subscribeAsync(topics.manifest(b.id), { qos: 1 });
    await ca.publishAsync(topics.manifest(b.id), 'forged', { qos: 1 }).catch(() => {});
    await ca.publishAsync(topics.state(b.id), 'forged', { qos: 1, retain: true }).catch(() => {});
    // A genuine manifest for B arrives from the server: A must not see it.
    await t.api(`/api/zones/${zone}`, { method: 'PATCH', json: { quietStart: '22:30' } });
    await new Promise((r) => setTimeout(r, 800));
    expect(stolen).toEqual([]);
    expect(seenByB).toEqual([]);
    expect((await (await t.api(`/api/devices/${b.id}`)).json()).device.online).toBe(false);
  });

  it('sends each command with an MQTT 5 message expiry no longer than the command lives', async () => {
    const zone = await createZone(t, 'Thôn Hết Hạn');
    const d = await createDevice(t, 'thon-het-han-1', zone);
    await reload();
    const c = (await connectOnce(`mqtt://127.0.0.1:${port}`, { clientId: d.id, username: d.id, password: d.secret, protocolVersion: 5 })).client!;
    clients.push(c);
    const got = new Promise<{ expiry?: number; payload: string }>((resolve) =>
      c.on('message', (_topic, payload, packet) => resolve({ expiry: packet.properties?.messageExpiryInterval, payload: payload.toString() })));
    await c.subscribeAsync(topics.cmd(d.id), { qos: 1 });
    const res = await t.api(`/api/devices/${d.id}/commands`, { method: 'POST', json: { type: 'set-volume', volume: 40, ttlSeconds: 90 } });
    expect(res.status).toBe(202);
    const { expiry, payload } = await got;
    expect(expiry).toBeGreaterThan(80);
    expect(expiry).toBeLessThanOrEqual(90);
    expect(JSON.parse(JSON.parse(payload).payload)).toMatchObject({ type: 'set-volume', volume: 40 });
  });

  it('shuts out a rotated secret once the files are exported again and Mosquitto reloads', async () => {
    const zone = await createZone(t, 'Thôn Xoay');
    const d = await createDevice(t, 'thon-xoay-1', zone);
    await reload();
    const before = await connectOnce(`mqtt://127.0.0.1:${port}`, { clientId: d.id, username: d.id, password: d.secret });
    expect(before.client).toBeDefined();
    before.client!.end(true);
    const { device } = await (await t.api(`/api/devices/${d.id}/rotate-secret`, { method: 'POST' })).json();
    await reload();
    expect((await connectOnce(`mqtt://127.0.0.1:${port}`, { clientId: d.id, username: d.id, password: d.secret })).error).toBeDefined();
    const after = await connectOnce(`mqtt://127.0.0.1:${port}`, { clientId: d.id, username: d.id, password: device.secret });
    expect(after.client).toBeDefined();
    after.client!.end(true);
  });
});

describe('HTTP hooks for EMQX (authn and authz), in-process', () => {
  // The hooks exist only with an external broker; the in-process app stands in for one here.
  const t = useTestApp({ env: { MQTT_URL: 'mqtt://127.0.0.1:1', MQTT_HOOK_TOKEN: 'hook-token-0123456789' } });
  const hook = (path: string, body: unknown, token = 'hook-token-0123456789') =>
    t.as()(`/mqtt/${path}`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, json: body });

  it('answers authentication requests shaped like EMQX\'s with allow or deny', async () => {
    const zone = await createZone(t, 'Thôn EMQX');
    const d = await createDevice(t, 'thon-emqx-1', zone);
    expect(await (await hook('auth', { clientid: d.id, username: d.id, password: d.secret })).json()).toEqual({ result: 'allow', is_superuser: false });
    expect((await (await hook('auth', { clientid: d.id, username: d.id, password: 'nope' })).json()).result).toBe('deny');
    expect((await (await hook('auth', { clientid: 'other', username: d.id, password: d.secret })).json()).result).toBe('deny');
    expect((await (await hook('auth', { clientid: 'anon' })).json()).result).toBe('deny');
  });

  it.each([
    ['thon-emqx-1', 'subscribe', 'loalang/v1/dev/thon-emqx-1/manifest', 'allow'],
    ['thon-emqx-1', 'subscribe', 'loalang/v1/dev/thon-emqx-2/manifest', 'deny'],
    ['thon-emqx-1', 'subscribe', 'loalang/v1/dev/+/manifest', 'deny'],
    ['thon-emqx-1', 'subscribe', 'loalang/v1/dev/thon-emqx-1/alert/+', 'allow'],
    ['thon-emqx-1', 'subscribe', 'loalang/v1/dev/thon-emqx-1/alert/#', 'deny'],
    ['thon-emqx-1', 'subscribe', 'loalang/v1/dev/thon-emqx-2/alert/+', 'deny'],
    ['thon-emqx-1', 'publish', 'loalang/v1/dev/thon-emqx-1/alert/bc_1', 'deny'],
    ['thon-emqx-1', 'publish', 'loalang/v1/dev/thon-emqx-1/event', 'allow'],
    ['thon-emqx-1', 'publish', 'loalang/v1/dev/thon-emqx-1/manifest', 'deny'],
    ['thon-emqx-1', 'publish', 'loalang/v1/dev/thon-emqx-2/state', 'deny'],
    ['$loalang-server', 'publish', 'loalang/v1/dev/thon-emqx-1/manifest', 'allow'],
  ])('authorises %s to %s %s: %s', async (username, action, topic, result) => {
    const res = await hook('acl', { clientid: username, username, topic, action });
    expect(await res.json()).toEqual({ result });
  });

  it('refuses hook calls without the token, and malformed ones with 400', async () => {
    expect((await hook('auth', { clientid: 'x' }, 'wrong-token')).status).toBe(401);
    expect((await hook('acl', { clientid: 'x', topic: '', action: 'fly' })).status).toBe(400);
  });
});
