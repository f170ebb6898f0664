import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../server/config.js';
import { createMqttAuthenticator, MAX_IDENTITY_LENGTH } from '../../server/mqtt/credentials.js';
import { useTestApp } from '../helpers/app.js';
import { createDevice, createZone, useTestSystem } from '../helpers/system.js';

function connect(url: string, opts: IClientOptions): Promise<{ client?: MqttClient; error?: Error; ms: number }> {
  const start = performance.now();
  return new Promise((resolve) => {
    const client = mqtt.connect(url, { reconnectPeriod: 0, connectTimeout: 10_000, ...opts });
    client.once('connect', () => resolve({ client, ms: performance.now() - start }));
    client.once('error', (error) => (client.end(true), resolve({ error, ms: performance.now() - start })));
  });
}

describe('nobody can lock a real gateway out by guessing its secret', () => {
  const t = useTestSystem({ MQTT_AUTH_MAX_FAILURES: '3' });

  it('still accepts the correct secret after many wrong ones for the same device id, over MQTT', async () => {
    const zone = await createZone(t, 'Thôn Khóa');
    const d = await createDevice(t, 'thon-khoa-1', zone);
    for (let i = 0; i < 5; i++) {
      const { error } = await connect(t.sys.mqttUrl, { clientId: d.id, username: d.id, password: `guess-${i}` });
      expect(error).toBeDefined();
    }
    const { client, error } = await connect(t.sys.mqttUrl, { clientId: d.id, username: d.id, password: d.secret });
    expect(error).toBeUndefined();
    client!.end(true);
  });
});

describe('a source that keeps guessing', () => {
  const t = useTestSystem({ MQTT_AUTH_MAX_FAILURES: '3' });

  it('is slowed down: its refusals come late', async () => {
    const zone = await createZone(t, 'Thôn Chậm');
    const d = await createDevice(t, 'thon-cham-1', zone);
    const first = await connect(t.sys.mqttUrl, { clientId: d.id, username: d.id, password: 'nope' });
    for (let i = 0; i < 4; i++) await connect(t.sys.mqttUrl, { clientId: d.id, username: d.id, password: 'nope' });
    const slowed = await connect(t.sys.mqttUrl, { clientId: d.id, username: d.id, password: 'nope' });
    expect(first.ms).toBeLessThan(1000);
    expect(slowed.ms).toBeGreaterThan(1500);
  });
});

describe('the MQTT hooks for an external broker', () => {
  const embedded = useTestApp();
  const external = useTestApp({ env: { MQTT_URL: 'mqtt://127.0.0.1:1', MQTT_HOOK_TOKEN: 'hook-token-0123456789', MQTT_AUTH_MAX_FAILURES: '3' } });

  it('do not exist with the embedded broker: /mqtt/auth and /mqtt/acl answer 404', async () => {
    for (const path of ['/mqtt/auth', '/mqtt/acl']) {
      const res = await embedded.as()(path, { method: 'POST', json: { clientid: 'x' } });
      expect(res.status).toBe(404);
    }
  });

  it('are refused without a token: the server does not start with MQTT_URL and no MQTT_HOOK_TOKEN', () => {
    expect(() => parseConfig({ MQTT_URL: 'mqtt://broker:1883' })).toThrow(/MQTT_HOOK_TOKEN/);
    expect(() => parseConfig({ MQTT_URL: 'mqtt://broker:1883', MQTT_HOOK_TOKEN: 'hook-token-0123456789' })).not.toThrow();
  });

  it('never deny the correct secret, however many wrong ones came for that device from elsewhere', async () => {
    const zone = (await (await external.api('/api/zones', { method: 'POST', json: { name: 'Thôn Hook' } })).json()).zone.id;
    const d = (await (await external.api('/api/devices', { method: 'POST', json: { id: 'thon-hook-1', name: 'x', zoneId: zone } })).json()).device;
    const hook = (password: string, peerhost: string) => external.as()('/mqtt/auth', {
      method: 'POST', headers: { authorization: 'Bearer hook-token-0123456789' }, json: { clientid: d.id, username: d.id, password, peerhost },
    }).then((r) => r.json());
    for (let i = 0; i < 20; i++) expect((await hook(`guess-${i}`, '203.0.113.5')).result).toBe('deny');
    expect((await hook(d.secret, '198.51.100.5')).result).toBe('allow');
    expect((await hook(d.secret, '203.0.113.5')).result).toBe('allow');
  });
});

describe('logins cannot grow memory or the log without bound', () => {
  it('refuses user names and client ids over the limit at the door, and forgets old failures', () => {
    let now = 0;
    const auth = createMqttAuthenticator({ serverUsername: '$s', serverPassword: 'p', verifyDevice: () => false, now: () => now, maxFailures: 10 });
    const huge = 'x'.repeat(1024 * 1024);
    for (let i = 0; i < 50; i++) {
      const r = auth.authenticate({ username: huge + i, password: 'p', clientId: huge, address: `10.0.${i}.1` });
      expect(r).toMatchObject({ ok: false, reason: expect.stringContaining(`${MAX_IDENTITY_LENGTH}`) });
    }
    expect(auth.tracked).toBe(0);
    for (let i = 0; i < 30_000; i++) {
      now += 1;
      auth.authenticate({ username: `gw-${i}`, password: 'p', clientId: `gw-${i}`, address: `10.${i >> 8 & 255}.${i & 255}.9` });
    }
    expect(auth.tracked).toBeLessThanOrEqual(10_000);
  });
});
