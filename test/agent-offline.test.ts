import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { speechLikeWav } from './helpers/audio.js';
import { fakeTimers } from './helpers/fake-timers.js';
import { approvedProgram, createDevice, createZone, readSinkLog, startTestSystem, testAgent, type TestSystem, tomorrowAt, waitFor } from './helpers/system.js';


describe('a gateway cut off for 14 days', () => {
  let t: TestSystem;
  let dir: string;
  beforeAll(async () => {
    t = await startTestSystem();
    dir = await mkdtemp(join(tmpdir(), 'loalang-offline-'));
  });
  afterAll(async () => {
    await t.stop().catch(() => {});
    await rm(dir, { recursive: true, force: true, maxRetries: 5 });
  });

  it('plays every item of its 14-day manifest in order, on time by its own clock, and nothing twice, across a restart', async () => {
    const zone = await createZone(t, 'Thôn Xa');
    const device = await createDevice(t, 'thon-xa-1', zone);
    const wav = join(dir, 'a.wav');
    await speechLikeWav(wav, 2);
    const a = (await approvedProgram(t, wav, 'Tin sáng'));
    await speechLikeWav(wav, 3);
    const b = (await approvedProgram(t, wav, 'Phổ biến pháp luật'));
    for (const [program, rule] of [
      [a, { type: 'rrule', dtstart: tomorrowAt('06:30'), rrule: 'FREQ=DAILY' }],
      [b, { type: 'rrule', dtstart: tomorrowAt('18:00'), rrule: 'FREQ=WEEKLY;BYDAY=MO,WE,FR' }],
      [a, { type: 'lunar', day: 15, time: '19:00' }],
    ] as const) {
      const res = await t.api('/api/schedules', { method: 'POST', json: { programId: program.id, zoneIds: [zone], rule } });
      expect(res.status).toBe(201);
    }
    const expected = (await (await t.api(`/api/occurrences?zoneId=${zone}`)).json()).occurrences as { occurrenceId: string; startAt: string }[];
    expect(expected.length).toBeGreaterThan(14);

    const clock = fakeTimers(Date.now());
    const cache = join(dir, device.id);
    const agent = testAgent(t, device, cache, { timers: clock, telemetryMs: 86400_000 });
    clock.idleWith(() => agent.settled());
    await agent.start();
    await waitFor(async () => {
      const d = (await (await t.api(`/api/devices/${device.id}`)).json()).device;
      return d.appliedVersion > 0 && d.appliedVersion === d.manifestVersion;
    });
    await waitFor(async () => (await import('node:fs/promises')).readdir(join(cache, 'assets')).then((f) => f.filter((x) => x.endsWith('.opus')).length === 2));

    // The server goes away: no broker, no HTTP. The gateway has only its cache.
    await t.stop();
    const start = Date.now();
    await clock.advanceTo(start + 7 * 86400_000);
    // A power cut halfway: a new agent process starts from the same cache, still offline.
    agent.kill();
    const restarted = testAgent(t, device, cache, { timers: clock, telemetryMs: 86400_000 });
    clock.idleWith(() => restarted.settled());
    await restarted.start();
    expect(restarted.manifestVersion).toBeGreaterThan(0);
    await clock.advanceTo(start + 15 * 86400_000);

    const played = await readSinkLog(join(cache, 'sink.jsonl'));
    const expectedIds = expected.map((o) => o.occurrenceId);
    expect(played.map((p) => p.occurrenceId)).toEqual(expectedIds);
    expect(new Set(played.map((p) => p.occurrenceId)).size).toBe(played.length);
    for (const p of played) {
      expect(p.result).toBe('completed');
      expect(p.startedAt).toBe(p.startAt);
    }
    expect(played.map((p) => p.startAt)).toEqual(expected.map((o) => Date.parse(o.startAt)));
    restarted.kill();
  });
});
