import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { topics } from '../devices/protocol/index.js';
import { createDevice, createZone, useTestSystem, waitFor } from './helpers/system.js';

/** Connects once, without retrying, and reports how the broker answered. */
function connect(url: string, opts: IClientOptions): Promise<{ client?: MqttClient; error?: Error & { code?: number } }> {
  return new Promise((resolve) => {
    const client = mqtt.connect(url, { reconnectPeriod: 0, connectTimeout: 5000, ...opts });
    client.once('connect', () => resolve({ client }));
    client.once('error', (error) => {
      client.end(true);
      resolve({ error });
    });
  });
}

describe('MQTT security of the embedded broker', () => {
  const t = useTestSystem();
  let a: { id: string; secret: string };
  let b: { id: string; secret: string };
  const open: MqttClient[] = [];
  const device = async (d: { id: string; secret: string }) => {
    const { client, error } = await connect(t.sys.mqttUrl, { clientId: d.id, username: d.id, password: d.secret });
    if (!client) throw error;
    open.push(client);
    return client;
  };

  beforeAll(async () => {
    const zone = await createZone(t, 'Thôn Bắc');
    a = await createDevice(t, 'thon-bac-a', zone);
    b = await createDevice(t, 'thon-bac-b', zone);
  });
  afterEach(() => {
    for (const c of open.splice(0)) c.end(true);
  });

  it('refuses an anonymous client [MQTT-3.1.4-2: the server may refuse a CONNECT it does not authenticate]', async () => {
    const { client, error } = await connect(t.sys.mqttUrl, { clientId: 'anon-1' });
    expect(client).toBeUndefined();
    expect(error?.code).toBe(5);
  });

  it('refuses a device with a wrong secret (CONNACK 4, bad user name or password)', async () => {
    const { client, error } = await connect(t.sys.mqttUrl, { clientId: a.id, username: a.id, password: 'not-the-secret' });
    expect(client).toBeUndefined();
    expect(error?.code).toBe(4);
  });

  it('refuses a device that connects under another device\'s client id, so it cannot take over its session', async () => {
    const { client, error } = await connect(t.sys.mqttUrl, { clientId: b.id, username: a.id, password: a.secret });
    expect(client).toBeUndefined();
    expect(error?.code).toBe(4);
  });

  it('grants a device its own manifest but refuses another device\'s manifest and any wildcard [MQTT-3.9.3: SUBACK 0x80]', async () => {
    const client = await device(a);
    // mqtt.js rejects a SUBACK carrying 0x80 and attaches the packet; read the granted codes from either path.
    const grantedQos = async (topic: string) =>
      client.subscribeAsync(topic, { qos: 1 }).then(
        (g) => g[0].qos,
        (err: { packet?: { granted: number[] } }) => err.packet?.granted[0],
      );
    const granted = [];
    for (const topic of [topics.manifest(a.id), topics.manifest(b.id), 'loalang/v1/dev/+/manifest', 'loalang/v1/#', topics.cmd(b.id)]) {
      granted.push({ qos: await grantedQos(topic) });
    }
    expect(granted.map((g) => g.qos)).toEqual([1, 128, 128, 128, 128]);
  });

  it.each([
    ['another device\'s state', (id: string) => topics.state(id)],
    ['another device\'s telemetry', (id: string) => topics.telemetry(id)],
    ['its own manifest', () => topics.manifest('thon-bac-a')],
    ['another device\'s cmd', (id: string) => topics.cmd(id)],
    ['the server state', () => topics.serverState],
  ])('drops the connection of a device publishing to %s, and nothing reaches subscribers', async (_what, topicFor) => {
    const topic = topicFor(b.id);
    const watcher = await device(b);
    const seen: string[] = [];
    watcher.on('message', (tp, payload) => {
      if (payload.toString() === 'forged') seen.push(tp);
    });
    if (topic === topics.manifest(b.id) || topic === topics.cmd(b.id) || topic === topics.serverState) await watcher.subscribeAsync(topic, { qos: 1 });
    const attacker = await device(a);
    const closed = new Promise<void>((resolve) => attacker.once('close', () => resolve()));
    attacker.publish(topic, 'forged', { qos: 1 });
    await closed;
    await new Promise((r) => setTimeout(r, 200));
    expect(seen).toEqual([]);
  });

  it('accepts MQTT over WebSocket at /mqtt on the HTTP port, with the same authentication', async () => {
    const ws = t.sys.httpUrl.replace('http://', 'ws://') + '/mqtt';
    const ok = await connect(ws, { clientId: a.id, username: a.id, password: a.secret });
    expect(ok.client?.connected).toBe(true);
    ok.client?.end(true);
    const anon = await connect(ws, { clientId: 'anon-ws' });
    expect(anon.error?.code).toBe(5);
  });

  it('cuts off a device using a stolen secret once the secret is rotated: no manifest, no media, no reconnect', async () => {
    const zone = await createZone(t, 'Thôn Rotate');
    const victim = await createDevice(t, 'thon-rotate-1', zone);
    const thief = await device(victim);
    const granted = await thief.subscribeAsync(topics.manifest(victim.id), { qos: 1 });
    expect(granted[0].qos).toBe(1);
    const closed = new Promise<void>((resolve) => thief.once('close', () => resolve()));

    const res = await t.api(`/api/devices/${victim.id}/rotate-secret`, { method: 'POST' });
    expect(res.status).toBe(200);
    const { device: rotated } = await res.json();
    expect(rotated.secret).not.toBe(victim.secret);
    await closed;

    const again = await connect(t.sys.mqttUrl, { clientId: victim.id, username: victim.id, password: victim.secret });
    expect(again.error?.code).toBe(4);
    const basic = (secret: string) => ({ authorization: 'Basic ' + Buffer.from(`${victim.id}:${secret}`).toString('base64') });
    expect((await fetch(`${t.sys.httpUrl}/device/v1/provisioning`, { headers: basic(victim.secret) })).status).toBe(401);
    expect((await fetch(`${t.sys.httpUrl}/device/v1/provisioning`, { headers: basic(rotated.secret) })).status).toBe(200);
    const legit = await device({ id: victim.id, secret: rotated.secret });
    expect(legit.connected).toBe(true);
  });

  it('disconnects a device that sends a payload over 16 KB, and one that floods the broker', async () => {
    const big = await device(a);
    const bigClosed = new Promise<void>((resolve) => big.once('close', () => resolve()));
    big.publish(topics.event(a.id), Buffer.alloc(20 * 1024, 'x'), { qos: 1 });
    await bigClosed;

    const flood = await device(b);
    const floodClosed = new Promise<void>((resolve) => flood.once('close', () => resolve()));
    for (let i = 0; i < 1000; i++) flood.publish(topics.telemetry(b.id), '{}', { qos: 0 });
    await floodClosed;
  });

  it('lets a device publish its own telemetry, which the server records', async () => {
    const client = await device(a);
    await client.publishAsync(topics.telemetry(a.id), JSON.stringify({ at: Date.now(), volume: 70, diskFreeMb: 900, manifestVersion: 1 }), { qos: 0 });
    const dev = await waitFor(async () => {
      const { device: d } = await (await t.api(`/api/devices/${a.id}`)).json();
      return d.telemetry?.volume === 70 ? d : null;
    });
    expect(dev.telemetry.diskFreeMb).toBe(900);
  });

  it('logs and drops malformed device payloads without changing the device', async () => {
    const before = (await (await t.api(`/api/devices/${a.id}`)).json()).device;
    const client = await device(a);
    await client.publishAsync(topics.telemetry(a.id), '{not json', { qos: 0 });
    await client.publishAsync(topics.state(a.id), JSON.stringify({ state: 'sideways' }), { qos: 1 });
    await new Promise((r) => setTimeout(r, 300));
    const after = (await (await t.api(`/api/devices/${a.id}`)).json()).device;
    expect(after.telemetry).toEqual(before.telemetry);
    expect(client.connected).toBe(true);
  });
});
