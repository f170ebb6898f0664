import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { GatewayAgent } from '../devices/agent/agent.js';
import { recordSink } from '../devices/agent/sinks.js';
import { generateSigningKeys, loadSigningKeys, signPayload, type ManifestItem, type Priority } from '../devices/protocol/index.js';
import { toZonedIso } from '../server/domain/time.js';
import { speechLikeWav } from './helpers/audio.js';
import { fakeTimers } from './helpers/fake-timers.js';
import { approvedProgram, createDevice, createZone, NO_QUIET_HOURS, readSinkLog, startTestSystem, testAgent, type TestSystem, waitFor } from './helpers/system.js';

const T0 = Date.parse('2026-09-02T07:00:00+07:00');

describe('priorities at play time [Circular 39/2020/TT-BTTTT]', () => {
  const keys = loadSigningKeys(generateSigningKeys().privateKeyPem);
  const audio = Buffer.from('fake opus bytes for the recording sink');
  const sha256 = createHash('sha256').update(audio).digest('hex');
  let dir: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'loalang-prio-'));
    await mkdir(join(dir, 'assets'));
    await writeFile(join(dir, 'assets', `${sha256}.opus`), audio);
  });
  // A play that ended last may still be writing its reports: rm tries again.
  afterEach(() => rm(dir, { recursive: true, force: true, maxRetries: 5 }));

  const item = (id: string, priority: Priority, startOffsetS: number, durationS: number): ManifestItem => ({
    occurrenceId: id, programId: `pg_${id}`, title: id, priority, startAt: T0 + startOffsetS * 1000,
    asset: { sha256, bytes: audio.length, durationMs: durationS * 1000, url: `/media/${sha256}.opus` },
  });

  async function run(items: ManifestItem[]) {
    const clock = fakeTimers(T0 - 60_000);
    const agent = new GatewayAgent({
      id: 'thon-dong-1', secret: 's', server: 'http://127.0.0.1:9', mqttUrl: 'mqtt://127.0.0.1:9', serverPublicKey: keys.publicKeyPem,
      cacheDir: dir, sink: recordSink(dir, clock), timers: clock,
    });
    clock.idleWith(() => agent.settled());
    const manifest = { deviceId: 'thon-dong-1', version: 1, issuedAt: T0 - 60_000, validUntil: T0 + 86400_000, items };
    expect(await agent.onManifest(JSON.stringify(signPayload(manifest, keys.privateKey)))).toBe('applied');
    await clock.advanceTo(T0 + 600_000);
    return readSinkLog(join(dir, 'sink.jsonl'));
  }

  it('an emergency arriving during a normal play stops it and plays', async () => {
    const log = await run([item('normal', 'normal', 0, 120), item('alarm', 'emergency', 30, 60)]);
    expect(log).toEqual([
      expect.objectContaining({ occurrenceId: 'normal', result: 'interrupted', startedAt: T0, endedAt: T0 + 30_000 }),
      expect.objectContaining({ occurrenceId: 'alarm', result: 'completed', startedAt: T0 + 30_000, endedAt: T0 + 90_000 }),
    ]);
  });

  it('a priority broadcast pre-empts a normal one, and an emergency pre-empts a priority one', async () => {
    const log = await run([item('normal', 'normal', 0, 120), item('prio', 'priority', 10, 120), item('alarm', 'emergency', 20, 30)]);
    expect(log.map((l) => [l.occurrenceId, l.result])).toEqual([['normal', 'interrupted'], ['prio', 'interrupted'], ['alarm', 'completed']]);
  });

  it('equal priority never cuts off a play that has started', async () => {
    const log = await run([item('first', 'normal', 0, 60), item('second', 'normal', 2, 10)]);
    expect(log[0]).toEqual(expect.objectContaining({ occurrenceId: 'first', result: 'completed', endedAt: T0 + 60_000 }));
    expect(log.filter((l) => l.occurrenceId === 'second' && l.startedAt < T0 + 60_000)).toEqual([]);
  });

  it('a lower priority waits for an emergency to end', async () => {
    const log = await run([item('alarm', 'emergency', 0, 60), item('normal', 'normal', 1, 10)]);
    expect(log[0]).toEqual(expect.objectContaining({ occurrenceId: 'alarm', result: 'completed' }));
  });
});

describe('pre-emption end to end', () => {
  let t: TestSystem;
  let dir: string;
  beforeAll(async () => {
    t = await startTestSystem();
    dir = await mkdtemp(join(tmpdir(), 'loalang-prio-e2e-'));
  });
  afterAll(async () => {
    await t.stop();
    await rm(dir, { recursive: true, force: true, maxRetries: 5 });
  });

  it('stores both the interrupted normal play and the emergency in the playlogs', async () => {
    const zone = await createZone(t, 'Thôn Ven Sông', NO_QUIET_HOURS);
    const device = await createDevice(t, 'thon-ven-song-1', zone);
    const wav = join(dir, 'x.wav');
    await speechLikeWav(wav, 6);
    const normal = (await approvedProgram(t, wav, 'Bản tin chiều'));
    await speechLikeWav(wav, 2);
    const alarm = (await approvedProgram(t, wav, 'Cảnh báo lũ'));
    const agent = testAgent(t, device, join(dir, device.id));
    await agent.start();
    const base = Math.ceil((Date.now() + 3000) / 1000) * 1000;
    const schedule = (programId: string, at: number, priority: Priority) =>
      t.api('/api/schedules', { method: 'POST', json: { programId, zoneIds: [zone], priority, rule: { type: 'once', at: toZonedIso(at, 'Asia/Ho_Chi_Minh') } } });
    expect((await schedule(normal.id, base, 'normal')).status).toBe(201);
    expect((await schedule(alarm.id, base + 2000, 'emergency')).status).toBe(201);
    const logs = await waitFor(async () => {
      const body = await (await t.api(`/api/playlogs?deviceId=${device.id}`)).json();
      return body.playlogs.length === 2 ? body.playlogs : null;
    }, 15_000);
    const byProgram = Object.fromEntries(logs.map((l: { programId: string; result: string }) => [l.programId, l.result]));
    expect(byProgram).toEqual({ [normal.id]: 'interrupted', [alarm.id]: 'completed' });
    await agent.stop();
  });
});
