import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFleet } from '../devices/sim/fleet.js';
import { toZonedIso } from '../server/domain/time.js';
import { speechLikeWav } from './helpers/audio.js';
import { approvedProgram, createDevice, createZone, NO_QUIET_HOURS, startTestSystem, readSinkLog, waitFor, type TestSystem } from './helpers/system.js';


describe('a broadcast travels from an upload to the speakers of the hamlets it targets', () => {
  let t: TestSystem;
  let fleet: Awaited<ReturnType<typeof startFleet>>;
  let cacheRoot: string;

  beforeAll(async () => {
    t = await startTestSystem();
    cacheRoot = await mkdtemp(join(tmpdir(), 'loalang-fleet-'));
  });
  afterAll(async () => {
    await fleet?.stop();
    await t?.stop();
    await rm(cacheRoot, { recursive: true, force: true, maxRetries: 5 });
  });

  it('plays on the two targeted gateways within 250 ms of startAt, not on the third, and stores the playlogs', async () => {
    const dong = await createZone(t, 'Thôn Đông', NO_QUIET_HOURS);
    const tay = await createZone(t, 'Thôn Tây', NO_QUIET_HOURS);
    const nam = await createZone(t, 'Thôn Nam', NO_QUIET_HOURS);
    const devices = [
      await createDevice(t, 'thon-dong-1', dong),
      await createDevice(t, 'thon-tay-1', tay),
      await createDevice(t, 'thon-nam-1', nam),
    ];
    fleet = await startFleet({ server: t.sys.httpUrl, mqttUrl: t.sys.mqttUrl, serverPublicKey: t.sys.publicKeyPem, devices, cacheRoot });

    const listDevices = async () => (await (await t.api('/api/devices')).json()).devices as { id: string; online: boolean; manifestVersion: number; appliedVersion: number }[];
    await waitFor(async () => (await listDevices()).every((d) => d.online && d.appliedVersion === d.manifestVersion && d.manifestVersion > 0));
    const before = Object.fromEntries((await listDevices()).map((d) => [d.id, d.manifestVersion]));

    const wav = join(cacheRoot, 'greeting.wav');
    await speechLikeWav(wav, 1.5);
    const program = await approvedProgram(t, wav, 'Lời chào của Chủ tịch xã');

    const startAt = Math.ceil((Date.now() + 3000) / 1000) * 1000;
    const res = await t.api('/api/schedules', {
      method: 'POST',
      json: { programId: program.id, zoneIds: [dong, tay], rule: { type: 'once', at: toZonedIso(startAt, 'Asia/Ho_Chi_Minh') } },
    });
    expect(res.status).toBe(201);

    const preview = await (await t.api(`/api/occurrences?from=${encodeURIComponent(toZonedIso(startAt - 60_000, 'Asia/Ho_Chi_Minh'))}`)).json();
    expect(preview.occurrences.map((o: { deviceId: string }) => o.deviceId).sort()).toEqual(['thon-dong-1', 'thon-tay-1']);

    const played = await waitFor(async () => {
      const lines = await Promise.all(['thon-dong-1', 'thon-tay-1'].map((id) => readSinkLog(fleet.sinkFile(id))));
      return lines.every((l) => l.length === 1) ? lines.map((l) => l[0]) : null;
    }, 15_000);
    const errors = played!.map((p) => p.startedAt - p.startAt);
    console.log(`start-time errors (ms): ${errors.join(', ')}`);
    for (const p of played!) {
      expect(p.startAt).toBe(startAt);
      expect(p.result).toBe('completed');
      expect(Math.abs(p.startedAt - p.startAt)).toBeLessThan(250);
    }

    const after = Object.fromEntries((await listDevices()).map((d) => [d.id, d.manifestVersion]));
    expect(after['thon-nam-1']).toBe(before['thon-nam-1']);
    expect(after['thon-dong-1']).toBe(before['thon-dong-1'] + 1);
    expect(await readSinkLog(fleet.sinkFile('thon-nam-1'))).toEqual([]);

    const logs = await waitFor(async () => {
      const body = await (await t.api('/api/playlogs')).json();
      return body.playlogs.length === 2 ? body.playlogs : null;
    });
    expect(logs.map((l: { deviceId: string }) => l.deviceId).sort()).toEqual(['thon-dong-1', 'thon-tay-1']);
    expect(logs.every((l: { result: string; programId: string }) => l.result === 'completed' && l.programId === program.id)).toBe(true);
  });
});
