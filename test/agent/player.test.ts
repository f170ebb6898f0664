import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InFlight } from '../../devices/agent/in-flight.js';
import { Player } from '../../devices/agent/player.js';
import type { EventBody } from '../../devices/agent/reporter.js';
import type { AudioSink } from '../../devices/agent/sinks.js';
import { readSinkLog } from '../helpers/system.js';
import { AgentState } from '../../devices/agent/state.js';
import { PlayStop, recordSink } from '../../devices/agent/sinks.js';
import { at as atTime, sleep } from '../../devices/agent/timers.js';
import type { ManifestItem } from '../../devices/protocol/index.js';
import { at, item } from '../helpers/agent-fixtures.js';
import { fakeTimers } from '../helpers/fake-timers.js';

describe('the player', () => {
  let dir: string;
  let timers: ReturnType<typeof fakeTimers>;
  let state: AgentState;
  let events: EventBody[];
  let released: string[];
  let changes: number;

  /** Takes the item's duration by the fake clock and writes nothing, so a play ends exactly on time. */
  const silentSink = (): AudioSink => ({
    async play(req, signal) {
      return { result: (await sleep(timers, req.durationMs, signal)) ? 'completed' : 'interrupted' };
    },
  });
  const player = (o: { tolerance?: number; maxHoldMs?: number; file?: () => Promise<string | null>; missingReason?: () => string | undefined; sink?: AudioSink } = {}) => {
    const inFlight = new InFlight();
    timers.idleWith(() => inFlight.settled());
    return new Player({
      timers, sink: o.sink ?? silentSink(), inFlight, state, lateToleranceMs: o.tolerance ?? 5000, maxHoldMs: o.maxHoldMs, missingReason: o.missingReason,
      file: o.file ?? (async () => join(dir, 'audio.opus')),
      release: (id) => void released.push(id), event: async (e) => void events.push(e), changed: () => void changes++,
    });
  };
  /** Each item handed to the player at its start, as the arming does. */
  const arm = (p: Player, items: ManifestItem[]) => items.forEach((i) => atTime(timers, i.startAt, () => void p.due(i)));
  /**
   * The state write that ends a play is real I/O the fake clock does not wait for; a test that needs
   * the next play to start on time lets it finish first.
   */
  const until = async (done: () => boolean) => {
    for (let i = 0; i < 400 && !done(); i++) await new Promise((r) => setTimeout(r, 5));
    expect(done()).toBe(true);
  };
  const plays = () => events.map((e) => [e.occurrenceId, e.result, e.startedAt, e.endedAt]);

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'loalang-player-'));
    timers = fakeTimers(at('06:59'));
    state = new AgentState(join(dir, 'state.json'), 80);
    await state.open();
    [events, released, changes] = [[], [], 0];
  });
  // A play that ended last may still be writing its reports: rm tries again.
  afterEach(() => rm(dir, { recursive: true, force: true, maxRetries: 5 }));

  it('cuts a play under way for a higher priority, and reports it interrupted [Circular 39/2020/TT-BTTTT]', async () => {
    const p = player();
    arm(p, [item('thuong', at('07:00'), { durationS: 120 }), item('khan', at('07:00:30'), { priority: 'emergency', durationS: 60 })]);
    await timers.advanceTo(at('07:05'));
    expect(plays()).toEqual([
      ['thuong', 'interrupted', at('07:00'), at('07:00:30')],
      ['khan', 'completed', at('07:00:30'), at('07:01:30')],
    ]);
  });

  it.each([
    ['an equal', 'normal', 'normal'],
    ['a lower', 'emergency', 'normal'],
  ] as const)('lets %s priority wait for the play under way, then plays it [Circular 39/2020/TT-BTTTT]', async (_, first, second) => {
    const p = player({ tolerance: 600_000 });
    arm(p, [item('dau', at('07:00'), { priority: first, durationS: 60 }), item('sau', at('07:00:10'), { priority: second, durationS: 30 })]);
    await timers.advanceTo(at('07:01'));
    await until(() => p.playing?.item.occurrenceId === 'sau');
    await timers.advanceTo(at('07:05'));
    expect(plays()).toEqual([
      ['dau', 'completed', at('07:00'), at('07:01')],
      ['sau', 'completed', at('07:01'), at('07:01:30')],
    ]);
  });

  it('reports missed a play that waiting made later than the tolerance', async () => {
    const p = player();
    arm(p, [item('dau', at('07:00'), { durationS: 60 }), item('sau', at('07:00:02'), { durationS: 10 })]);
    await timers.advanceTo(at('07:01'));
    await until(() => events.length === 2);
    expect(events[1]).toEqual({ type: 'played', occurrenceId: 'sau', programId: 'pg_sau', startAt: at('07:00:02'), startedAt: at('07:01'), endedAt: at('07:01'), result: 'missed', reason: 'started 58000 ms late' });
  });

  it('reports missed a play whose asset cannot be had, and plays nothing', async () => {
    const p = player({ file: async () => null });
    arm(p, [item('mat', at('07:00'))]);
    await timers.advanceTo(at('07:05'));
    expect(events).toEqual([expect.objectContaining({ occurrenceId: 'mat', result: 'missed', reason: 'asset not available or failed verification' })]);
    expect(changes).toBe(0);
  });

  it('plays repetition i at startAt + i × (duration + gap) by the clock, and reports each', async () => {
    const p = player();
    arm(p, [item('lap', at('07:00'), { durationS: 10, repeat: { times: 3, gapMinutes: 1 } })]);
    await timers.advanceTo(at('07:05'));
    expect(events.map((e) => [e.startAt, e.startedAt, e.result])).toEqual([
      [at('07:00'), at('07:00'), 'completed'],
      [at('07:01:10'), at('07:01:10'), 'completed'],
      [at('07:02:20'), at('07:02:20'), 'completed'],
    ]);
  });

  it('ends the repetitions when the stop command comes between two of them, and drops what waited', async () => {
    const p = player({ tolerance: 600_000 });
    arm(p, [item('lap', at('07:00'), { durationS: 10, repeat: { times: 3, gapMinutes: 1 } }), item('cho', at('07:00:20'))]);
    await timers.advanceTo(at('07:00:30'));
    p.silence();
    await timers.advanceTo(at('07:10'));
    expect(plays()).toEqual([['lap', 'completed', at('07:00'), at('07:00:10')]]);
  });

  it('never starts the same occurrence twice, not even in the next process', async () => {
    const i = item('mot-lan', at('07:00'));
    const p = player();
    arm(p, [i, i]);
    await timers.advanceTo(at('07:05'));
    await until(() => !p.playing);
    const next = player();
    await next.due(i);
    expect(plays()).toEqual([['mot-lan', 'completed', at('07:00'), at('07:01')]]);
    expect(state.hasPlayed('mot-lan')).toBe(true);
  });

  it('starts nothing once stopped, and an orderly stop cuts the play under way', async () => {
    const p = player();
    arm(p, [item('dang', at('07:00')), item('sau', at('07:02'))]);
    await timers.advanceTo(at('07:00:20'));
    p.stop();
    p.interrupt();
    await timers.advanceTo(at('07:05'));
    expect(plays()).toEqual([['dang', 'interrupted', at('07:00'), at('07:00:20')]]);
  });

  it('says when a play begins and ends, and gives each due item back to the arming', async () => {
    const p = player();
    arm(p, [item('a', at('07:00')), item('b', at('07:02'))]);
    await timers.advanceTo(at('07:01'));
    await until(() => changes === 2);
    await timers.advanceTo(at('07:05'));
    await until(() => changes === 4);
    expect(released).toEqual(['a', 'b']);
  });

  it('reports a sink that fails as failed, with its reason', async () => {
    const p = player({ sink: { play: async () => Promise.reject(new Error('aplay: no such device')) } });
    arm(p, [item('loi', at('07:00'))]);
    await timers.advanceTo(at('07:05'));
    expect(events).toEqual([expect.objectContaining({ occurrenceId: 'loi', result: 'failed', reason: 'Error: aplay: no such device' })]);
  });

  it('holds a normal play that comes due during an emergency and plays it right after, reporting its scheduled startAt [Circular 39/2020/TT-BTTTT]', async () => {
    const p = player();
    arm(p, [item('khan', at('07:00'), { priority: 'emergency', durationS: 120 }), item('thuong', at('07:01'), { durationS: 30 }), item('uu-tien', at('07:01:30'), { priority: 'priority', durationS: 10 })]);
    await timers.advanceTo(at('07:02'));
    await until(() => p.playing?.item.occurrenceId === 'uu-tien');
    await timers.advanceTo(at('07:02:10'));
    await until(() => p.playing?.item.occurrenceId === 'thuong');
    await timers.advanceTo(at('07:05'));
    // The higher priority of the two held plays goes first; each keeps its scheduled startAt.
    expect(events.map((e) => [e.occurrenceId, e.result, e.startAt, e.startedAt, e.endedAt])).toEqual([
      ['khan', 'completed', at('07:00'), at('07:00'), at('07:02')],
      ['uu-tien', 'completed', at('07:01:30'), at('07:02'), at('07:02:10')],
      ['thuong', 'completed', at('07:01'), at('07:02:10'), at('07:02:40')],
    ]);
  });

  it('reports missed a play an emergency held for longer than the limit (30 minutes by default)', async () => {
    const p = player();
    arm(p, [item('khan', at('07:00'), { priority: 'emergency', durationS: 40 * 60 }), item('thuong', at('07:05'))]);
    await timers.advanceTo(at('07:40'));
    await until(() => events.length === 2);
    expect(events[1]).toEqual({
      type: 'played', occurrenceId: 'thuong', programId: 'pg_thuong', startAt: at('07:05'), startedAt: at('07:40'), endedAt: at('07:40'),
      result: 'missed', reason: 'held by an emergency broadcast for more than 30 minutes',
    });
  });

  it('holds within a shorter limit when the agent is set so', async () => {
    const p = player({ maxHoldMs: 60_000 });
    arm(p, [item('khan', at('07:00'), { priority: 'emergency', durationS: 120 }), item('thuong', at('07:00:30'))]);
    await timers.advanceTo(at('07:02'));
    await until(() => events.length === 2);
    expect(events[1]).toEqual(expect.objectContaining({ occurrenceId: 'thuong', result: 'missed', reason: 'held by an emergency broadcast for more than 1 minute' }));
  });

  it('says why the audio could not be had when the cache knows (a full disk)', async () => {
    const p = player({ file: async () => null, missingReason: () => 'disk full' });
    arm(p, [item('day', at('07:00'))]);
    await timers.advanceTo(at('07:01'));
    expect(events).toEqual([expect.objectContaining({ occurrenceId: 'day', result: 'missed', reason: 'disk full' })]);
  });

  it('cuts a withdrawn play and logs it cancelled with the reason, in the report and on the sink', async () => {
    const p = player({ sink: recordSink(dir, timers) });
    arm(p, [item('bo', at('07:00'), { durationS: 120 })]);
    await timers.advanceTo(at('07:00:40'));
    p.withdraw((id) => id === 'bo', new PlayStop('cancelled', 'removed from the schedule'));
    await timers.advanceTo(at('07:05'));
    expect(events).toEqual([expect.objectContaining({ occurrenceId: 'bo', result: 'cancelled', reason: 'removed from the schedule', startedAt: at('07:00'), endedAt: at('07:00:40') })]);
    expect((await readSinkLog(join(dir, 'sink.jsonl'))).map((l) => l.result)).toEqual(['cancelled']);
  });

  it('ignores an occurrence handed over again while it waits, and plays it once', async () => {
    const p = player({ tolerance: 600_000 });
    const sau = item('sau', at('07:00:10'), { durationS: 10 });
    arm(p, [item('dau', at('07:00'), { durationS: 30 }), sau, { ...sau, startAt: at('07:00:20') }]);
    await timers.advanceTo(at('07:00:30'));
    await until(() => p.playing?.item.occurrenceId === 'sau');
    await timers.advanceTo(at('07:02'));
    expect(plays()).toEqual([['dau', 'completed', at('07:00'), at('07:00:30')], ['sau', 'completed', at('07:00:30'), at('07:00:40')]]);
  });
});
