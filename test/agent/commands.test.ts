import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { commandHandlers, Commands, type CommandActions } from '../../devices/agent/commands.js';
import type { EventBody } from '../../devices/agent/reporter.js';
import { AgentState } from '../../devices/agent/state.js';
import { COMMAND_TYPES, generateSigningKeys, loadSigningKeys, signPayload, type Command, type ManifestItem } from '../../devices/protocol/index.js';
import { at, item } from '../helpers/agent-fixtures.js';
import { fakeTimers } from '../helpers/fake-timers.js';

const server = loadSigningKeys(generateSigningKeys().privateKeyPem);
const impostor = loadSigningKeys(generateSigningKeys().privateKeyPem);
const NOW = at('07:00');
const ID = 'thon-dong-1';

describe('commands: checked, then run from a table of handlers', () => {
  let dir: string;
  let state: AgentState;
  let events: EventBody[];
  let calls: string[];
  let played: ManifestItem[];

  const actions = (over: Partial<CommandActions> = {}): CommandActions => ({
    silence: () => void calls.push('silence'),
    setVolume: async (v) => void calls.push(`volume ${v}`),
    resync: () => void calls.push('resync'),
    playNow: (i) => void played.push(i),
    flush: async () => void calls.push('flush'),
    reboot: () => void calls.push('reboot'),
    ...over,
  });
  const commands = (over: Partial<CommandActions> = {}) => {
    const timers = fakeTimers(NOW);
    return new Commands({
      id: ID, serverPublicKey: server.publicKeyPem, timers, state, handlers: commandHandlers(actions(over), timers),
      event: async (e) => void events.push(e), log: () => {},
    });
  };
  const signed = (c: Partial<Command>, keys = server) =>
    JSON.stringify(signPayload({ deviceId: ID, seq: 1, issuedAt: NOW - 1000, expiresAt: NOW + 60_000, type: 'stop', ...c }, keys.privateKey));

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'loalang-commands-'));
    state = new AgentState(join(dir, 'state.json'), 80);
    await state.open();
    events = [];
    calls = [];
    played = [];
  });
  afterEach(() => rm(dir, { recursive: true, force: true, maxRetries: 5 }));

  it.each([
    ['stop', {}, ['silence']],
    ['set-volume', { volume: 35 }, ['volume 35']],
    ['resync', {}, ['resync']],
    ['reboot-agent', {}, ['flush', 'reboot']],
    ['play-now', { item: item('oc_khan', NOW - 5000) }, []],
  ] as const)('runs %s through its handler and reports it done', async (type, extra, expected) => {
    expect(await commands().run(signed({ type, ...extra }))).toEqual({ result: 'done' });
    expect(calls).toEqual(expected);
    expect(events).toEqual([{ type: 'command-result', seq: 1, result: 'done' }]);
  });

  it('has a handler for every command type of the protocol', () => {
    expect(Object.keys(commandHandlers(actions(), fakeTimers(NOW))).sort()).toEqual([...COMMAND_TYPES].sort());
  });

  it.each([
    ['signed by another key', () => signed({ seq: 5 }, impostor), 0, 'bad signature'],
    ['meant for another device', () => signed({ seq: 5, deviceId: 'thon-tay-1' }), 5, 'command is for thon-tay-1'],
    ['expired', () => signed({ seq: 5, expiresAt: NOW }), 5, `expired at ${new Date(NOW).toISOString()}`],
  ])('refuses a command %s, runs nothing, and reports why', async (_, raw, seq, reason) => {
    expect(await commands().run(raw())).toEqual({ result: 'rejected', reason });
    expect([calls, state.lastCommandSeq]).toEqual([[], 0]);
    expect(events).toEqual([{ type: 'command-result', seq, result: 'rejected', reason }]);
  });

  it('refuses a replayed seq and one out of order, and says which', async () => {
    const c = commands();
    expect((await c.run(signed({ seq: 4 }))).result).toBe('done');
    expect(await c.run(signed({ seq: 4 }))).toEqual({ result: 'rejected', reason: 'replayed: this seq was already accepted' });
    expect(await c.run(signed({ seq: 3 }))).toEqual({ result: 'rejected', reason: 'out of order: seq 3 after 4' });
    expect(calls).toEqual(['silence']);
  });

  it('stores the accepted seq before the command runs, so after a crash during it the same command is refused', async () => {
    const file = join(dir, 'state.json');
    let seqOnDisk: number | undefined;
    await commands({ silence: () => void (seqOnDisk = JSON.parse(readFileSync(file, 'utf8')).lastCommandSeq) }).run(signed({ seq: 9 }));
    expect(seqOnDisk).toBe(9);
    state = new AgentState(file, 80);
    await state.open();
    expect((await commands().run(signed({ seq: 9 }))).reason).toMatch(/^replayed/);
  });

  it.each([
    ['set-volume without a volume', { type: 'set-volume' as const }, {}, 'set-volume needs a volume'],
    ['play-now without an item', { type: 'play-now' as const }, {}, 'play-now needs an item'],
    ['reboot-agent on an agent that cannot restart itself', { type: 'reboot-agent' as const }, { reboot: undefined }, 'this agent cannot restart itself'],
  ])('fails %s, and says so', async (_, c, over, reason) => {
    expect(await commands(over).run(signed(c))).toEqual({ result: 'failed', reason });
    expect(events).toEqual([{ type: 'command-result', seq: 1, result: 'failed', reason }]);
    expect(calls).toEqual([]);
  });

  it('reports reboot-agent done and sends the queued events before it restarts', async () => {
    const order: string[] = [];
    const c = new Commands({
      id: ID, serverPublicKey: server.publicKeyPem, timers: fakeTimers(NOW), state, log: () => {},
      handlers: commandHandlers(actions({ flush: async () => void order.push('flush'), reboot: () => void order.push('reboot') }), fakeTimers(NOW)),
      event: async (e) => void order.push(`event ${e.result}`),
    });
    await c.run(signed({ type: 'reboot-agent' }));
    expect(order).toEqual(['event done', 'flush', 'reboot']);
  });

  it('gives each play-now its own occurrence id and starts it now', async () => {
    const c = commands();
    const program = item('cmd-pg_khan', NOW - 30_000);
    await c.run(signed({ seq: 1, type: 'play-now', item: program }));
    await c.run(signed({ seq: 2, type: 'play-now', item: program }));
    expect(played.map((p) => [p.occurrenceId, p.startAt])).toEqual([['cmd-pg_khan-1', NOW], ['cmd-pg_khan-2', NOW]]);
  });
});
