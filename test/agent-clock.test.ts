import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GatewayAgent } from '../devices/agent/agent.js';
import { realTimers, type Timers } from '../devices/agent/timers.js';
import { toZonedIso } from '../server/domain/time.js';
import { speechLikeWav } from './helpers/audio.js';
import { approvedProgram, createDevice, createZone, NO_QUIET_HOURS, readSinkLog, startTestSystem, testAgent, type TestSystem, waitFor } from './helpers/system.js';

const FAST_MS = 5 * 60_000;

/** A playlog as the HTTP API gives it (times as ISO strings to the second, the start error in ms). */
interface Playlog { occurrenceId: string; startAt: string; startErrorMs: number; result: string; reason: string | null }

describe('a gateway whose clock is 5 minutes fast, against the real server', () => {
  let t: TestSystem;
  const agents: GatewayAgent[] = [];
  beforeAll(async () => {
    t = await startTestSystem();
  });
  afterAll(async () => {
    for (const a of agents) await a.stop().catch(() => {});
    await t.stop();
  });

  it('accepts a fresh command, plays on time by the server\'s clock, and reports missed what passed while it was not running', async () => {
    const zone = await createZone(t, 'Thôn Đồng Hồ Nhanh', NO_QUIET_HOURS);
    const device = await createDevice(t, 'thon-dong-ho-nhanh-1', zone);
    const wav = join(t.dir, 'tin.wav');
    await speechLikeWav(wav, 1);
    const program = await approvedProgram(t, wav, 'Bản tin giờ');
    const first = Math.ceil((Date.now() + 8000) / 1000) * 1000;
    const second = first + 6000;
    for (const startAt of [first, second]) {
      const res = await t.api('/api/schedules', { method: 'POST', json: { programId: program.id, zoneIds: [zone], rule: { type: 'once', at: toZonedIso(startAt, 'Asia/Ho_Chi_Minh') } } });
      expect(res.status).toBe(201);
    }
    const cache = join(t.dir, device.id);
    // Its own clock reads 5 minutes ahead; the server answers /device/v1/time with the real time.
    const fast: Timers = { ...realTimers, now: () => Date.now() + FAST_MS };
    const gateway = () => {
      const a = testAgent(t, device, cache, { timers: fast });
      agents.push(a);
      return a;
    };
    const before = gateway();
    await before.start();
    await waitFor(async () => {
      const d = (await (await t.api(`/api/devices/${device.id}`)).json()).device;
      return d.online && d.appliedVersion === d.manifestVersion && d.telemetry?.clockOffsetMs !== undefined;
    });

    // A command lives 60 s: by the gateway's own clock it expired 4 minutes before it was sent.
    const { command } = await (await t.api(`/api/devices/${device.id}/commands`, { method: 'POST', json: { type: 'set-volume', volume: 55 } })).json();
    const result = await waitFor(async () => {
      const all = (await (await t.api(`/api/devices/${device.id}/commands`)).json()).commands as { seq: number; result: string; reason: string | null }[];
      return all.find((c) => c.seq === command.seq && c.result !== 'sent');
    });
    expect([result!.result, result!.reason]).toEqual(['done', null]);

    const playlogs = async () => (await (await t.api(`/api/playlogs?deviceId=${device.id}`)).json()).playlogs as Playlog[];
    const played = await waitFor(async () => (await playlogs()).find((l) => Date.parse(l.startAt) === first), 15_000);
    expect(played!.result).toBe('completed');
    // On time by the server's clock, and so 5 minutes "late" by the gateway's own.
    expect(Math.abs(played!.startErrorMs)).toBeLessThan(250);
    const sink = await readSinkLog(join(cache, 'sink.jsonl'));
    expect(Math.abs(sink[0].startedAt - FAST_MS - first)).toBeLessThan(250);

    // Down before the second item, up again after it.
    await before.stop();
    await new Promise((r) => setTimeout(r, Math.max(0, second + 1500 - Date.now())));
    await gateway().start();
    const missed = await waitFor(async () => (await playlogs()).find((l) => Date.parse(l.startAt) === second), 15_000);
    expect([missed!.result, missed!.reason]).toEqual(['missed', 'gateway was not running at the time']);
    expect(await readSinkLog(join(cache, 'sink.jsonl'))).toHaveLength(1);
  });
});
