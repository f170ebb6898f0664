import { cp, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GatewayAgent } from '../../devices/agent/agent.js';
import { recordSink } from '../../devices/agent/sinks.js';
import { realTimers } from '../../devices/agent/timers.js';
import type { Manifest } from '../../devices/protocol/index.js';
import { parseConfig } from '../../server/config.js';
import { createLogger } from '../../server/logger.js';
import { startSystem, type RunningSystem } from '../../server/main.js';
import { speechLikeWav } from '../helpers/audio.js';
import { ADMIN_PASSWORD, approvedProgram, loginCookie, NO_QUIET_HOURS, systemClient, tomorrowAt, waitFor } from '../helpers/system.js';

describe('restoring the server\'s data from an older backup', () => {
  it('does not cut the gateway off: it gets a version above the one it holds, and plays the latest plan [stop, copy, change, restore, change]', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'loalang-restore-'));
    const data = join(dir, 'data');
    const env = { HOST: '127.0.0.1', PORT: '0', MQTT_PORT: '0', DATA_DIR: data, MEDIA_DIR: join(dir, 'media'), LOALANG_ADMIN_PASSWORD: ADMIN_PASSWORD };
    const log = createLogger('silent');
    let sys: RunningSystem = await startSystem(parseConfig(env), { log });
    const fixed = parseConfig({ ...env, PORT: String(sys.httpPort), MQTT_PORT: String(sys.mqttPort) });
    const cookie = await loginCookie(sys.httpUrl, 'admin', ADMIN_PASSWORD);
    const api = (path: string, json?: unknown) => fetch(`${sys.httpUrl}${path}`, {
      method: json ? 'POST' : 'GET', headers: { cookie, 'content-type': 'application/json' }, body: json ? JSON.stringify(json) : undefined,
    }).then((r) => r.json());
    const cache = join(dir, 'gw');
    let agent: GatewayAgent | undefined;
    try {
      const zone = (await api('/api/zones', { name: 'Thôn Khôi Phục', ...NO_QUIET_HOURS })).zone.id;
      const dev = (await api('/api/devices', { id: 'thon-khoi-phuc-1', name: 'Cụm loa', zoneId: zone })).device;
      const wav = join(dir, 'x.wav');
      await speechLikeWav(wav, 2);
      const program = await approvedProgram(systemClient(sys, cookie), wav, 'Bản tin');
      const schedule = (hhmm: string) => api('/api/schedules', { programId: program.id, zoneIds: [zone], rule: { type: 'once', at: tomorrowAt(hhmm) } });
      await schedule('07:00');
      agent = new GatewayAgent({
        id: dev.id, secret: dev.secret, server: sys.httpUrl, mqttUrl: sys.mqttUrl, serverPublicKey: sys.publicKeyPem, cacheDir: cache,
        sink: recordSink(cache, realTimers), reconnectMinMs: 100, reconnectMaxMs: 300,
      });
      await agent.start();
      const applied = (v: number) => waitFor(() => agent!.manifestVersion >= v, 15_000);
      await waitFor(async () => (await api(`/api/devices/${dev.id}`)).device.appliedVersion > 0);
      const backedUp = agent.manifestVersion;

      // Stop, copy the data (the backup), make a change the gateway applies.
      await sys.stop();
      await cp(data, join(dir, 'backup'), { recursive: true });
      sys = await startSystem(fixed, { log });
      await schedule('09:00');
      await applied(backedUp + 1);
      const beforeRestore = agent.manifestVersion;

      // Restore the older backup: the server now knows only versions below what the gateway holds.
      await sys.stop();
      await rm(data, { recursive: true, force: true, maxRetries: 5 });
      await cp(join(dir, 'backup'), data, { recursive: true });
      sys = await startSystem(fixed, { log });
      await applied(beforeRestore + 1);
      const device = await waitFor(async () => {
        const d = (await api(`/api/devices/${dev.id}`)).device;
        return d.appliedVersion === d.manifestVersion && d.manifestVersion > beforeRestore ? d : null;
      }, 15_000);
      expect(device.flags).not.toContain('out-of-sync');

      // Change again: the gateway follows, and holds exactly the plan the server has.
      await schedule('11:00');
      await applied(device.manifestVersion + 1);
      const held: Manifest = JSON.parse(JSON.parse(await readFile(join(cache, 'manifest.json'), 'utf8')).payload);
      expect(held.items.map((i) => new Date(i.startAt).toISOString())).toEqual([tomorrowAt('07:00'), tomorrowAt('11:00')].map((t) => new Date(t).toISOString()));
    } finally {
      await agent?.stop();
      await sys.stop();
      await rm(dir, { recursive: true, force: true, maxRetries: 5 });
    }
  });
});
