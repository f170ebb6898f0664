import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Arming } from '../../devices/agent/arming.js';
import { InFlight } from '../../devices/agent/in-flight.js';
import type { Arm } from '../../devices/agent/plan.js';
import { Player } from '../../devices/agent/player.js';
import type { EventBody } from '../../devices/agent/reporter.js';
import { Schedule } from '../../devices/agent/schedule.js';
import { recordSink } from '../../devices/agent/sinks.js';
import { AgentState } from '../../devices/agent/state.js';
import type { Timers } from '../../devices/agent/timers.js';
import type { Manifest, ManifestItem } from '../../devices/protocol/index.js';
import { at, item } from '../helpers/agent-fixtures.js';
import { fakeTimers } from '../helpers/fake-timers.js';
import { readSinkLog } from '../helpers/system.js';

const manifest = (version: number, items: ManifestItem[]): Manifest => ({ deviceId: 'thon-dong-1', version, issuedAt: at('06:00'), validUntil: at('23:59'), items });

describe('the plays of the manifest in force', () => {
  let dir: string;
  /** The gateway's own clock. */
  let local: ReturnType<typeof fakeTimers>;
  /** Server minus gateway, as last measured; and whether it was. */
  let offset: number;
  let measured: boolean;
  let state: AgentState;
  let events: EventBody[];
  let armings: number;
  let schedule: Schedule;
  let player: Player;

  /** Server time: the gateway's clock plus the offset, as the agent reads it. */
  const server: Timers = { now: () => local.now() + offset, setTimeout: (fn, ms) => local.setTimeout(fn, ms), clearTimeout: (h) => local.clearTimeout(h) };
  const reports = () => events.map((e) => [e.occurrenceId, e.result, e.startAt, e.startedAt, ...(e.reason ? [e.reason] : [])]);
  const until = async (done: () => boolean) => {
    for (let i = 0; i < 400 && !done(); i++) await new Promise((r) => setTimeout(r, 5));
    expect(done()).toBe(true);
  };
  const open = async (runStartedAt: number) => {
    state = new AgentState(join(dir, 'state.json'), 80);
    await state.open();
    const inFlight = new InFlight();
    local.idleWith(() => inFlight.settled());
    const file = async () => join(dir, 'tin.opus');
    const arming = new Arming({ timers: server, inFlight, cache: { fetch: file, verifiedFile: file }, due: (i) => void player.due(i) });
    const event = async (e: EventBody) => void events.push(e);
    player = new Player({
      timers: server, sink: recordSink(dir, local), inFlight, state, lateToleranceMs: 5000,
      file: (i) => arming.take(i), release: (id) => arming.release(id), event, changed: () => {},
    });
    schedule = new Schedule({
      timers: server, state, player, event, budgetBytes: 1 << 30, cache: { prune: async () => {} },
      arming: { arm: (a: readonly Arm[]) => (armings++, arming.arm(a)) },
      offset: () => offset, trusted: () => measured, runStartedAt: () => runStartedAt,
    });
  };

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'loalang-schedule-'));
    local = fakeTimers(at('06:59'));
    [offset, measured, events, armings] = [0, true, [], 0];
    await open(at('06:00'));
  });
  afterEach(async () => {
    await state.save();
    await rm(dir, { recursive: true, force: true, maxRetries: 5 });
  });

  it('stops the play of an item a newer manifest no longer lists, and logs it cancelled: removed from the schedule', async () => {
    schedule.apply(manifest(1, [item('bi-xoa', at('07:00'), { durationS: 120 }), item('sau', at('07:10'))]));
    await local.advanceTo(at('07:00:30'));
    schedule.apply(manifest(2, [item('sau', at('07:10'))]));
    await local.advanceTo(at('07:11'));
    await until(() => events.length === 2);
    expect(reports()).toEqual([
      ['bi-xoa', 'cancelled', at('07:00'), at('07:00'), 'removed from the schedule'],
      ['sau', 'completed', at('07:10'), at('07:10')],
    ]);
    expect((await readSinkLog(join(dir, 'sink.jsonl'))).map((l) => [l.occurrenceId, l.result, l.endedAt])).toEqual([
      ['bi-xoa', 'cancelled', at('07:00:30')], ['sau', 'completed', at('07:11')],
    ]);
  });

  it('lets a play go on when the newer manifest still lists it', async () => {
    schedule.apply(manifest(1, [item('giu', at('07:00'), { durationS: 120 })]));
    await local.advanceTo(at('07:00:30'));
    schedule.apply(manifest(2, [item('giu', at('07:00'), { durationS: 120 }), item('moi', at('08:00'))]));
    await local.advanceTo(at('07:03'));
    await until(() => events.length === 1);
    expect(reports()).toEqual([['giu', 'completed', at('07:00'), at('07:00')]]);
  });

  it('reports once, as missed, an item whose time passed while the gateway was not running, and not again after a restart', async () => {
    await local.advanceTo(at('07:30'));
    await open(at('07:30'));
    const m = manifest(1, [item('da-qua', at('07:00')), item('sap-toi', at('08:00'))]);
    schedule.apply(m);
    expect(reports()).toEqual([['da-qua', 'missed', at('07:00'), at('07:30'), 'gateway was not running at the time']]);
    await state.save();
    await open(at('07:40'));
    schedule.apply(m);
    await local.advanceTo(at('08:01'));
    await until(() => events.length === 2);
    expect(reports().map((r) => r[0])).toEqual(['da-qua', 'sap-toi']);
  });

  it('says the schedule reached the gateway too late for an item that passed while it was running', async () => {
    await local.advanceTo(at('07:30'));
    schedule.apply(manifest(1, [item('tre', at('07:00'))]));
    expect(reports()).toEqual([['tre', 'missed', at('07:00'), at('07:30'), 'the schedule reached the gateway after its time']]);
  });

  it('calls nothing passed before the clock is measured, then reports what had passed by the server\'s clock', async () => {
    // A gateway clock 10 minutes fast, not measured yet: by it, the 07:05 item would have passed.
    measured = false;
    await local.advanceTo(at('07:10'));
    await open(at('07:10'));
    schedule.apply(manifest(1, [item('that-su-qua', at('06:55')), item('chua-toi', at('07:05'))]));
    expect(events).toEqual([]);
    [offset, measured] = [-600_000, true];
    schedule.clockMeasured();
    expect(reports()).toEqual([['that-su-qua', 'missed', at('06:55'), at('07:00'), 'gateway was not running at the time']]);
    await local.advanceTo(at('07:16'));
    await until(() => events.length === 2);
    expect(reports()[1]).toEqual(['chua-toi', 'completed', at('07:05'), at('07:05')]);
  });

  it('arms by server time: a gateway clock 5 minutes fast plays at startAt by the server, and re-arms only when the offset moves over 50 ms', async () => {
    [offset, measured] = [0, false];
    schedule.apply(manifest(1, [item('dung-gio', at('07:02'))]));
    // Measured: this clock is 5 minutes ahead of the server's.
    [offset, measured] = [-300_000, true];
    schedule.clockMeasured();
    offset = -300_040;
    schedule.clockMeasured();
    expect(armings).toBe(2);
    await local.advanceTo(at('07:06'));
    expect(events).toEqual([]);
    await local.advanceTo(at('07:07:00.040'));
    await local.advanceTo(at('07:08:01'));
    await until(() => events.length === 1);
    expect(reports()).toEqual([['dung-gio', 'completed', at('07:02'), at('07:02')]]);
    // The speaker started at 07:07:00.040 by the gateway's own clock.
    expect((await readSinkLog(join(dir, 'sink.jsonl')))[0].startedAt).toBe(at('07:07:00.040'));
  });
});
