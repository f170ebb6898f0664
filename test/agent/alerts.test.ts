import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Alerts } from '../../devices/agent/alerts.js';
import { InFlight } from '../../devices/agent/in-flight.js';
import { Player } from '../../devices/agent/player.js';
import type { EventBody } from '../../devices/agent/reporter.js';
import { recordSink, type AudioSink } from '../../devices/agent/sinks.js';
import { AgentState } from '../../devices/agent/state.js';
import { at as atTime } from '../../devices/agent/timers.js';
import { generateSigningKeys, loadSigningKeys, signPayload, type Alert, type ManifestItem } from '../../devices/protocol/index.js';
import { at, item } from '../helpers/agent-fixtures.js';
import { fakeTimers } from '../helpers/fake-timers.js';
import { readSinkLog } from '../helpers/system.js';

const server = loadSigningKeys(generateSigningKeys().privateKeyPem);
const impostor = loadSigningKeys(generateSigningKeys().privateKeyPem);
const ID = 'thon-dong-1';
const BC = 'bc_lu-song-hong';

/** Alert play (revision 1) of a 60 s warning, issued at 07:00:30 and valid for an hour, unless told otherwise. */
const alertOf = (o: Omit<Partial<Alert>, 'item'> & { item?: Partial<ManifestItem> } = {}): Alert => ({
  deviceId: ID, broadcastId: BC, revision: 1, issuedAt: at('07:00:30'), expiresAt: at('08:00'), action: 'play', riskLevel: 3, ...o,
  item: o.action === 'cancel' ? undefined : { ...item(`al_${BC}`, o.issuedAt ?? at('07:00:30'), { priority: 'emergency', durationS: 60 }), ...o.item },
});
const signed = (a: Alert, keys = server) => JSON.stringify(signPayload(a, keys.privateKey));

describe('emergency alerts on the gateway [Circular 39/2020/TT-BTTTT]', () => {
  let dir: string;
  let timers: ReturnType<typeof fakeTimers>;
  let state: AgentState;
  let inFlight: InFlight;
  let player: Player;
  let alerts: Alerts;
  let stored: EventBody[];
  let direct: EventBody[];
  let volumes: number[];
  let file: string | null;

  const sinkLog = () => readSinkLog(join(dir, 'sink.jsonl'));
  const statuses = (from: EventBody[]) => from.filter((e) => e.type === 'alert-status').map((e) => [e.status, e.reason, e.repetition].filter((v) => v !== undefined));
  /** The `played` reports; their end times are checked on the sink's log, which the fake clock cannot outrun. */
  const plays = () => stored.filter((e) => e.type === 'played').map((e) => [e.occurrenceId, e.result, e.startAt, e.startedAt, ...(e.reason ? [e.reason] : [])]);
  const logged = async () => (await sinkLog()).map((l) => [l.occurrenceId, l.result, l.startedAt, l.endedAt]);
  /** The state write after a play is real I/O the fake clock does not wait for. */
  const until = async (done: () => boolean) => {
    for (let i = 0; i < 400 && !done(); i++) await new Promise((r) => setTimeout(r, 5));
    expect(done()).toBe(true);
  };
  const open = async () => {
    state = new AgentState(join(dir, 'state.json'), 80);
    await state.open();
    inFlight = new InFlight();
    timers.idleWith(() => inFlight.settled());
    const log = recordSink(dir, timers);
    const sink: AudioSink = { play: (req, signal) => (volumes.push(req.volume), log.play(req, signal)) };
    const event = async (e: EventBody) => void stored.push(e);
    player = new Player({
      timers, sink, inFlight, state, lateToleranceMs: 5000, file: async () => join(dir, 'tin.opus'), release: () => {}, event, changed: () => {},
    });
    alerts = new Alerts({
      id: ID, serverPublicKey: server.publicKeyPem, timers, state, log: () => {}, event, report: (e) => void direct.push(e),
      play: (i, hooks) => void player.due(i, hooks), fetch: async () => file, missingReason: () => (file ? undefined : 'disk full'),
    });
  };
  const schedule = (items: ManifestItem[]) => items.forEach((i) => atTime(timers, i.startAt, () => void player.due(i)));

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'loalang-alerts-'));
    timers = fakeTimers(at('06:59'));
    [stored, direct, volumes, file] = [[], [], [], join(dir, 'canh-bao.opus')];
    await open();
  });
  afterEach(async () => {
    // The writes queued last (a final status's state) land before the directory goes.
    await state.save();
    await rm(dir, { recursive: true, force: true, maxRetries: 5 });
  });

  it('plays an accepted alert at once, cutting the normal play under way, which is logged interrupted', async () => {
    schedule([item('thuong', at('07:00'), { durationS: 120 })]);
    await timers.advanceTo(at('07:00:30'));
    expect(await alerts.receive(signed(alertOf({ item: { volume: 100 } })))).toEqual({ outcome: 'accepted' });
    await timers.advanceTo(at('07:05'));
    expect(await logged()).toEqual([
      ['thuong', 'interrupted', at('07:00'), at('07:00:30')],
      [`al_${BC}`, 'completed', at('07:00:30'), at('07:01:30')],
    ]);
    expect(volumes).toEqual([80, 100]);
    // received and playing go out at once, without the disk; the final status is stored and forwarded.
    expect(statuses(direct)).toEqual([['received'], ['playing', 1]]);
    await until(() => statuses(stored).length === 1);
    expect(statuses(stored)).toEqual([['played']]);
  });

  it('ignores the same retained alert delivered again, also after a restart', async () => {
    const raw = signed(alertOf());
    await timers.advanceTo(at('07:00:30'));
    expect((await alerts.receive(raw)).outcome).toBe('accepted');
    expect(await alerts.receive(raw)).toEqual({ outcome: 'unchanged' });
    await timers.advanceTo(at('07:02'));
    await until(() => statuses(stored).length === 1);
    await open();
    expect(await alerts.receive(raw)).toEqual({ outcome: 'unchanged' });
    await timers.advanceTo(at('07:05'));
    expect((await sinkLog()).length).toBe(1);
    expect(statuses(direct)).toEqual([['received'], ['playing', 1]]);
  });

  it.each([
    ['signed by another key', () => signed(alertOf(), impostor), BC, 'bad signature'],
    ['meant for another device', () => signed(alertOf({ deviceId: 'thon-tay-1' })), BC, 'alert is for thon-tay-1'],
    ['that is not an alert', () => 'not json', 'unknown', 'envelope is not valid JSON {payload, sig}'],
  ])('refuses an alert %s, plays nothing, and reports it rejected', async (_, raw, broadcastId, reason) => {
    await timers.advanceTo(at('07:00:30'));
    expect(await alerts.receive(raw())).toEqual({ outcome: 'rejected', reason });
    await timers.advanceTo(at('07:05'));
    expect(await sinkLog()).toEqual([]);
    expect(stored).toEqual([{ type: 'alert-status', broadcastId, status: 'rejected', reason }]);
  });

  it('refuses a lower revision of a broadcast: a cancel that came first keeps it from ever playing', async () => {
    await timers.advanceTo(at('07:00:30'));
    expect(await alerts.receive(signed(alertOf({ revision: 2, action: 'cancel' })))).toEqual({ outcome: 'cancelled' });
    expect(await alerts.receive(signed(alertOf()))).toEqual({ outcome: 'rejected', reason: 'revision 1 is older than 2' });
    await timers.advanceTo(at('07:05'));
    expect(await sinkLog()).toEqual([]);
    expect(statuses(stored)).toEqual([['cancelled', 'cancelled before it was received'], ['rejected', 'revision 1 is older than 2']]);
  });

  it('does not play an alert that has expired, and reports it expired', async () => {
    await timers.advanceTo(at('07:10'));
    const reason = `expired at ${new Date(at('07:10')).toISOString()}`;
    expect(await alerts.receive(signed(alertOf({ expiresAt: at('07:10') })))).toEqual({ outcome: 'expired', reason });
    await timers.advanceTo(at('07:15'));
    expect(await sinkLog()).toEqual([]);
    expect(statuses(direct)).toEqual([]);
    expect(statuses(stored)).toEqual([['expired', reason]]);
  });

  it('stops an alert under way when a later revision cancels it: the sink log says cancelled', async () => {
    await timers.advanceTo(at('07:00:30'));
    await alerts.receive(signed(alertOf()));
    await timers.advanceTo(at('07:00:50'));
    expect(await alerts.receive(signed(alertOf({ revision: 2, action: 'cancel' })))).toEqual({ outcome: 'cancelled' });
    await timers.advanceTo(at('07:05'));
    expect((await sinkLog()).map((l) => [l.result, l.startedAt, l.endedAt])).toEqual([['cancelled', at('07:00:30'), at('07:00:50')]]);
    expect(plays()).toEqual([[`al_${BC}`, 'cancelled', at('07:00:30'), at('07:00:30'), 'the emergency broadcast was cancelled']]);
    await until(() => statuses(stored).length === 1);
    expect(statuses(stored)).toEqual([['cancelled', 'the emergency broadcast was cancelled; 0 of 1 played']]);
  });

  it('plays repeats at startAt + i × (duration + gap) with a fractional gap, and a cancel between two repeats stops the rest', async () => {
    await timers.advanceTo(at('07:00:30'));
    await alerts.receive(signed(alertOf({ item: { repeat: { times: 3, gapMinutes: 0.5 } } })));
    await timers.advanceTo(at('07:01:30'));
    await until(() => plays().length === 1);
    await timers.advanceTo(at('07:03'));
    await until(() => plays().length === 2);
    await timers.advanceTo(at('07:03:10'));
    await alerts.receive(signed(alertOf({ revision: 2, action: 'cancel' })));
    await timers.advanceTo(at('07:10'));
    expect((await sinkLog()).map((l) => [l.result, l.startedAt])).toEqual([['completed', at('07:00:30')], ['completed', at('07:02:00')]]);
    expect(statuses(direct)).toEqual([['received'], ['playing', 1], ['playing', 2]]);
    await until(() => statuses(stored).length === 1);
    expect(statuses(stored)).toEqual([['cancelled', 'the emergency broadcast was cancelled; 2 of 3 played']]);
  });

  it('never starts a repeat due at or after the expiry', async () => {
    await timers.advanceTo(at('07:00:30'));
    await alerts.receive(signed(alertOf({ expiresAt: at('07:02:30'), item: { repeat: { times: 3, gapMinutes: 1 } } })));
    await timers.advanceTo(at('07:01:30'));
    await until(() => plays().length === 1);
    await timers.advanceTo(at('07:10'));
    expect((await sinkLog()).map((l) => l.startedAt)).toEqual([at('07:00:30')]);
    await until(() => statuses(stored).length === 1);
    expect(statuses(stored)).toEqual([['played', 'repetitions 2 to 3 not started: expired']]);
  });

  it('holds a normal play that comes due during the alert and plays it right after, with its scheduled startAt', async () => {
    await timers.advanceTo(at('07:00:30'));
    await alerts.receive(signed(alertOf()));
    schedule([item('thuong', at('07:01'), { durationS: 30 })]);
    await timers.advanceTo(at('07:01:30'));
    await until(() => player.playing?.item.occurrenceId === 'thuong');
    await timers.advanceTo(at('07:05'));
    expect(await logged()).toEqual([[`al_${BC}`, 'completed', at('07:00:30'), at('07:01:30')], ['thuong', 'completed', at('07:01:30'), at('07:02')]]);
    expect(plays()).toEqual([[`al_${BC}`, 'completed', at('07:00:30'), at('07:00:30')], ['thuong', 'completed', at('07:01'), at('07:01:30')]]);
  });

  it('plays an alert that comes during an emergency of the schedule right after it, not missed as late', async () => {
    schedule([item('khan-lich', at('07:00'), { priority: 'emergency', durationS: 120 })]);
    await timers.advanceTo(at('07:00:30'));
    await alerts.receive(signed(alertOf()));
    await timers.advanceTo(at('07:02'));
    await until(() => player.playing?.item.occurrenceId === `al_${BC}`);
    await timers.advanceTo(at('07:05'));
    expect(await logged()).toEqual([['khan-lich', 'completed', at('07:00'), at('07:02')], [`al_${BC}`, 'completed', at('07:02'), at('07:03')]]);
    // Reported with the time it was issued for, and the time it could start.
    expect(plays()).toEqual([['khan-lich', 'completed', at('07:00'), at('07:00')], [`al_${BC}`, 'completed', at('07:00:30'), at('07:02')]]);
  });

  it('reports an alert whose audio cannot be had as failed, with the reason', async () => {
    file = null;
    await timers.advanceTo(at('07:00:30'));
    expect(await alerts.receive(signed(alertOf()))).toEqual({ outcome: 'failed', reason: 'disk full' });
    expect(statuses(direct)).toEqual([['received']]);
    await until(() => statuses(stored).length === 1);
    expect(statuses(stored)).toEqual([['failed', 'disk full']]);
  });

  it('ignores an empty retained payload (the topic was cleared)', async () => {
    expect(await alerts.receive(Buffer.alloc(0))).toEqual({ outcome: 'unchanged' });
    expect([stored, direct]).toEqual([[], []]);
  });
});
