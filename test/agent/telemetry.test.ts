import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TelemetrySender, type Snapshot } from '../../devices/agent/telemetry.js';
import { topics, type Telemetry } from '../../devices/protocol/index.js';
import { at, item } from '../helpers/agent-fixtures.js';
import { fakeTimers } from '../helpers/fake-timers.js';

describe('telemetry', () => {
  let dir: string;
  let connected: boolean;
  let sent: { topic: string; telemetry: Telemetry; qos: number }[];
  let measurements: number;
  let snapshot: Snapshot;
  let clock: { offsetMs?: number; measuredAt: number; measure(): Promise<number | undefined> };
  let timers: ReturnType<typeof fakeTimers>;
  const link = {
    get connected() {
      return connected;
    },
    publish: (topic: string, payload: string, opts: { qos: 0 | 1 }) => void sent.push({ topic, telemetry: JSON.parse(payload), qos: opts.qos }),
  };
  const sender = () => new TelemetrySender({ id: 'thon-dong-1', cacheDir: dir, timers, everyMs: 60_000, link, clock, snapshot: () => snapshot });

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'loalang-telemetry-'));
    [connected, sent, measurements] = [true, [], 0];
    snapshot = { volume: 70, manifestVersion: 12 };
    timers = fakeTimers(at('07:00'));
    clock = {
      offsetMs: undefined,
      measuredAt: -Infinity,
      async measure() {
        measurements++;
        this.offsetMs = -40;
        this.measuredAt = timers.now();
        return this.offsetMs;
      },
    };
  });
  afterEach(() => rm(dir, { recursive: true, force: true, maxRetries: 5 }));

  it('reports volume, manifest version, free disk and clock offset, and leaves "playing" out when idle', async () => {
    clock.offsetMs = 15;
    const t = await sender().build();
    expect(t).toEqual({ at: at('07:00'), volume: 70, manifestVersion: 12, diskFreeMb: expect.any(Number), clockOffsetMs: 15 });
    expect(t.diskFreeMb).toBeGreaterThan(0);
  });

  it('leaves the clock offset out until it has been measured, and says what is playing', async () => {
    snapshot.playing = { item: item('oc_sang', at('06:59')), startedAt: at('06:59') };
    const t = await sender().build();
    expect(t.clockOffsetMs).toBeUndefined();
    expect(t.playing).toEqual({ occurrenceId: 'oc_sang', programId: 'pg_oc_sang', title: 'oc_sang', startedAt: at('06:59') });
  });

  it('goes out at QoS 0 on its interval by the injected clock, and not while the link is down', async () => {
    const s = sender();
    s.start();
    clock.measuredAt = at('07:00');
    await timers.advanceTo(at('07:01'));
    connected = false;
    await timers.advanceTo(at('07:02'));
    connected = true;
    await timers.advanceTo(at('07:03'));
    expect(sent.map((m) => [m.topic, m.qos, m.telemetry.at])).toEqual([[topics.telemetry('thon-dong-1'), 0, at('07:01')], [topics.telemetry('thon-dong-1'), 0, at('07:03')]]);
    s.stop();
    await timers.advanceTo(at('07:10'));
    expect(sent).toHaveLength(2);
    expect(timers.pendingCount).toBe(0);
  });

  it('measures the clock offset again at most every ten minutes', async () => {
    const s = sender();
    s.start();
    await timers.advanceTo(at('07:01'));
    expect(measurements).toBe(1);
    await timers.advanceTo(at('07:11'));
    expect(measurements).toBe(1);
    await timers.advanceTo(at('07:12'));
    expect(measurements).toBe(2);
    expect(sent.at(-1)!.telemetry.clockOffsetMs).toBe(-40);
    s.stop();
  });

  it('measures the clock, then reports, once the gateway has said online', async () => {
    sender().afterOnline();
    await timers.advanceTo(at('07:00'));
    expect(measurements).toBe(1);
    expect(sent.map((m) => m.telemetry.clockOffsetMs)).toEqual([-40]);
  });
});
