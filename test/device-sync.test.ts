import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { realTimers, type Timers } from '../devices/agent/timers.js';
import { createDevice, createZone, startTestSystem, waitFor, testAgent, type TestSystem } from './helpers/system.js';

describe('sync status, clock offset and the technician\'s filters, end to end', () => {
  let t: TestSystem;
  let dir: string;
  beforeAll(async () => {
    t = await startTestSystem();
    dir = await mkdtemp(join(tmpdir(), 'loalang-sync-'));
  });
  afterAll(async () => {
    await t.stop();
    await rm(dir, { recursive: true, force: true, maxRetries: 5 });
  });
  const device = async (id: string) => (await (await t.api(`/api/devices/${id}`)).json()).device;
  const filtered = async (status: string) => (await (await t.api(`/api/devices?status=${status}`)).json()).devices.map((d: { id: string }) => d.id);
  const agentFor = (d: { id: string; secret: string }, timers: Timers = realTimers) => testAgent(t, d, join(dir, d.id), { timers });

  it('shows a device that never fetched its manifest as offline and out of sync since the publication, until it applies it', async () => {
    const zone = await createZone(t, 'Thôn Đồng Bộ');
    const d = await createDevice(t, 'thon-dong-bo-1', zone);
    const lagging = await waitFor(async () => ((await device(d.id)).lagSince ? device(d.id) : null));
    expect(lagging.flags).toEqual(expect.arrayContaining(['offline', 'out-of-sync']));
    expect(await filtered('out-of-sync')).toContain(d.id);

    const agent = agentFor(d);
    await agent.start();
    const synced = await waitFor(async () => {
      const v = await device(d.id);
      return v.online && v.appliedVersion === v.manifestVersion ? v : null;
    });
    expect(synced.lagSince).toBeNull();
    expect(synced.flags).toEqual([]);
    expect(await filtered('out-of-sync')).not.toContain(d.id);
    expect(Math.abs(synced.telemetry.clockOffsetMs)).toBeLessThan(200);
    await agent.stop();
  });

  it('estimates a gateway\'s clock offset from an HTTP time exchange and flags one more than 1 s off', async () => {
    const zone = await createZone(t, 'Thôn Lệch Giờ');
    const d = await createDevice(t, 'thon-lech-gio-1', zone);
    const fast: Timers = { ...realTimers, now: () => Date.now() + 5000 };
    const agent = agentFor(d, fast);
    await agent.start();
    const skewed = await waitFor(async () => ((await device(d.id)).telemetry?.clockOffsetMs !== undefined ? device(d.id) : null));
    expect(skewed.telemetry.clockOffsetMs).toBeGreaterThan(-5200);
    expect(skewed.telemetry.clockOffsetMs).toBeLessThan(-4800);
    expect(skewed.flags).toContain('clock-skew');
    expect(await filtered('clock-skew')).toEqual([d.id]);
    await agent.stop();
  });

  it('refuses an unknown filter with 400', async () => {
    expect((await t.api('/api/devices?status=sleepy')).status).toBe(400);
  });
});
