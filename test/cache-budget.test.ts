import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { speechLikeWav } from './helpers/audio.js';
import { fakeTimers } from './helpers/fake-timers.js';
import { approvedProgram, createDevice, createZone, readSinkLog, startTestSystem, testAgent, type TestSystem, tomorrowAt, waitFor } from './helpers/system.js';

describe('the gateway cache within a disk budget', () => {
  let t: TestSystem;
  // Scratch files go in the test system's own temp dir, which stop() removes.
  beforeAll(async () => {
    t = await startTestSystem();
  });
  afterAll(() => t.stop());

  it('keeps the assets needed soonest, fetches the rest just in time, and still plays everything', async () => {
    const zone = await createZone(t, 'Thôn Ít Đĩa');
    const device = await createDevice(t, 'thon-it-dia-1', zone);
    const programs: { id: string; asset: { sha256: string; bytes: number } }[] = [];
    for (const [i, hour] of ['08', '09', '10'].entries()) {
      const wav = join(t.dir, `p${i}.wav`);
      await speechLikeWav(wav, 20 + i);
      const p = (await approvedProgram(t, wav, `Bản tin ${hour} giờ`));
      programs.push(p);
      const at = tomorrowAt(`${hour}:00`);
      expect((await t.api('/api/schedules', { method: 'POST', json: { programId: p.id, zoneIds: [zone], rule: { type: 'once', at } } })).status).toBe(201);
    }
    const budgetMb = (programs[0].asset.bytes + programs[1].asset.bytes + programs[2].asset.bytes / 2) / 1048576;
    const clock = fakeTimers(Date.now());
    const cache = join(t.dir, device.id);
    const agent = testAgent(t, device, cache, { timers: clock, telemetryMs: 86400_000, cacheBudgetMb: budgetMb });
    clock.idleWith(() => agent.settled());
    await agent.start();
    const cached = async () => (await readdir(join(cache, 'assets'))).filter((f) => f.endsWith('.opus')).sort();
    await waitFor(async () => (await cached()).length === 2);
    await new Promise((r) => setTimeout(r, 300));
    expect(await cached()).toEqual([programs[0].asset.sha256, programs[1].asset.sha256].map((s) => `${s}.opus`).sort());

    await clock.advanceTo(Date.parse(tomorrowAt('09:50')));
    await waitFor(async () => (await cached()).includes(`${programs[2].asset.sha256}.opus`));
    await clock.advanceTo(Date.parse(tomorrowAt('10:05')));
    const played = await readSinkLog(join(cache, 'sink.jsonl'));
    expect(played.map((p) => [p.programId, p.result])).toEqual(programs.map((p) => [p.id, 'completed']));
    agent.kill();
  });
});
