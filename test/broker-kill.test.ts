import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startFleet } from '../devices/sim/fleet.js';
import { parseConfig } from '../server/config.js';
import { toZonedIso } from '../server/domain/time.js';
import { createLogger } from '../server/logger.js';
import { startSystem } from '../server/main.js';
import { speechLikeWav } from './helpers/audio.js';
import { ADMIN_PASSWORD, approvedProgram, loginCookie, NO_QUIET_HOURS, readSinkLog, systemClient, waitFor } from './helpers/system.js';

describe('the broker dies in the middle of a QoS 1 manifest delivery', () => {
  it('comes back and every gateway plays the broadcast exactly once, none lost, none twice', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'loalang-broker-kill-'));
    const env = { HOST: '127.0.0.1', PORT: '0', MQTT_PORT: '0', DATA_DIR: join(dir, 'data'), MEDIA_DIR: join(dir, 'media'), LOALANG_ADMIN_PASSWORD: ADMIN_PASSWORD };
    const log = createLogger('silent');
    let sys = await startSystem(parseConfig(env), { log });
    const fixed = { ...env, PORT: String(sys.httpPort), MQTT_PORT: String(sys.mqttPort) };
    const cookie = await loginCookie(sys.httpUrl, 'admin', ADMIN_PASSWORD);
    const api = (path: string, json?: unknown, body?: BodyInit) => fetch(`${sys.httpUrl}${path}`, {
      method: json || body ? 'POST' : 'GET', headers: { cookie, ...(json ? { 'content-type': 'application/json' } : {}) }, body: json ? JSON.stringify(json) : body,
    }).then((r) => r.json());

    const zone = (await api('/api/zones', { name: 'Thôn Bão', ...NO_QUIET_HOURS })).zone.id;
    const devices: { id: string; secret: string }[] = [];
    for (let i = 0; i < 12; i++) devices.push((await api('/api/devices', { id: `thon-bao-${i}`, name: `Cụm ${i}`, zoneId: zone })).device);
    const wav = join(dir, 'canh-bao.wav');
    await speechLikeWav(wav, 1);
    const client = systemClient(sys, cookie);
    const program = await approvedProgram(client, wav, 'Cảnh báo bão');
    const fleet = await startFleet({
      server: sys.httpUrl, mqttUrl: sys.mqttUrl, serverPublicKey: sys.publicKeyPem, devices: devices.map((d) => ({ id: d.id, secret: d.secret })),
      cacheRoot: join(dir, 'fleet'), extra: { reconnectMinMs: 100, reconnectMaxMs: 300 },
    });
    try {
      await waitFor(async () => (await api('/api/devices')).devices.every((d: { online: boolean }) => d.online));

      const startAt = Math.ceil((Date.now() + 6000) / 1000) * 1000;
      const created = await api('/api/schedules', { programId: program.id, zoneIds: [zone], rule: { type: 'once', at: toZonedIso(startAt, 'Asia/Ho_Chi_Minh') } });
      expect(created.schedule).toBeDefined();
      // Kill it while the new manifests are still going out.
      await sys.stop();
      sys = await startSystem(parseConfig(fixed), { log });

      const played = await waitFor(async () => {
        const logs = await Promise.all(devices.map((d) => readSinkLog(fleet.sinkFile(d.id))));
        return Date.now() > startAt + 2500 ? logs : null;
      }, 20_000, 200);
      for (const l of played!) {
        expect(l).toHaveLength(1);
        expect(l[0].result).toBe('completed');
      }
      const playlogs = await waitFor(async () => {
        const body = await api('/api/playlogs?limit=100');
        return body.playlogs.length >= devices.length ? body.playlogs : null;
      });
      expect(playlogs).toHaveLength(devices.length);
    } finally {
      await fleet.stop();
      await sys.stop();
      await rm(dir, { recursive: true, force: true, maxRetries: 5 });
    }
  });
});
