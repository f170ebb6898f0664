import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GatewayAgent } from '../../devices/agent/agent.js';
import { backoffDelay, Link, type LinkOptions } from '../../devices/agent/link.js';
import { recordSink } from '../../devices/agent/sinks.js';
import { realTimers, type Timers } from '../../devices/agent/timers.js';
import { generateSigningKeys, topics } from '../../devices/protocol/index.js';
import { at } from '../helpers/agent-fixtures.js';
import { refusingPort, testBroker } from '../helpers/broker.js';
import { fakeTimers } from '../helpers/fake-timers.js';

const ID = 'thon-dong-1';

/** Polls in real time: the broker and the socket are real. */
async function eventually(check: () => boolean, ms = 3000) {
  for (const end = Date.now() + ms; !check() && Date.now() < end;) await new Promise((r) => setTimeout(r, 5));
  expect(check()).toBe(true);
}

/** The injected timers, remembering the delay of every timer armed on them. */
function recording(timers: Timers) {
  const delays: number[] = [];
  return { delays, timers: { ...timers, setTimeout: (fn: () => void, ms: number) => (delays.push(ms), timers.setTimeout(fn, ms)) } };
}

describe('reconnect backoff', () => {
  it.each([
    ['the first retry waits the minimum, whatever the random source says', 0, 0.5, 1000],
    ['the ceiling doubles with every failed attempt', 1, 0.5, 1500],
    ['the wait falls anywhere between the minimum and the ceiling: at the bottom', 3, 0, 1000],
    ['the wait falls anywhere between the minimum and the ceiling: halfway', 3, 0.5, 4500],
    ['the wait falls anywhere between the minimum and the ceiling: near the top', 3, 0.999, 1000 + 0.999 * 7000],
    ['the ceiling stops at the maximum', 6, 0.5, 1000 + 0.5 * 59_000],
    ['the wait never passes the maximum, however many attempts failed', 40, 1 - 2 ** -53, 1000 + (1 - 2 ** -53) * 59_000],
  ])('%s', (_, attempt, random, delay) => {
    expect(backoffDelay(attempt, 1000, 60_000, () => random)).toBeCloseTo(delay, 6);
  });
});

describe('the MQTT link', () => {
  let broker: Awaited<ReturnType<typeof testBroker>>;
  let link: Link | undefined;
  let got: { manifests: string[]; commands: string[]; alerts: string[]; online: number; connected: number };

  const open = (o: Partial<LinkOptions> = {}) => {
    link = new Link({
      id: ID, secret: 's', mqttUrl: broker.url, agentVersion: '9.9.9', session: () => 4, keepaliveSec: 30,
      timers: realTimers, random: () => 0.5, log: () => {},
      onManifest: (p) => void got.manifests.push(p.toString()), onCommand: (p) => void got.commands.push(p.toString()),
      onAlert: (p) => void got.alerts.push(p.toString()),
      onOnline: () => void got.online++, onConnected: () => void got.connected++,
      ...o,
    });
    link.start();
    return link;
  };
  const states = () => broker.published.filter((m) => m.topic === topics.state(ID)).map((m) => ({ ...JSON.parse(m.payload), retain: m.retain, by: m.clientId }));

  beforeEach(async () => {
    broker = await testBroker();
    got = { manifests: [], commands: [], alerts: [], online: 0, connected: 0 };
  });
  afterEach(async () => {
    link?.kill();
    link = undefined;
    await broker.close();
  });

  it('subscribes, then says online, retained, with its session and agent version', async () => {
    open();
    await eventually(() => got.online === 1 && got.connected === 1 && states().length === 1);
    expect(states()).toEqual([{ state: 'online', session: 4, agentVersion: '9.9.9', retain: true, by: ID }]);
    // Already subscribed when it said online: what the server sends at once arrives.
    await broker.publish(topics.cmd(ID), 'lenh');
    await broker.publish(topics.manifest(ID), 'lich', true);
    await eventually(() => got.commands.length === 1 && got.manifests.length === 1);
  });

  it('subscribes to its alert topic, so a retained alert published while it was away reaches it on connect [MQTT-3.3.1-6]', async () => {
    await broker.publish(topics.alert(ID, 'bc_lu-quet'), 'canh-bao', true);
    open();
    await eventually(() => got.alerts.length === 1);
    expect([got.alerts, got.commands, got.manifests]).toEqual([['canh-bao'], [], []]);
  });

  it('says online again when the server announces it is back, so the server resyncs it', async () => {
    open();
    await eventually(() => got.online === 1);
    await broker.publish(topics.serverState, JSON.stringify({ state: 'offline' }), true);
    await broker.publish(topics.serverState, JSON.stringify({ state: 'online' }), true);
    await eventually(() => got.online === 2 && states().length === 2);
    expect(states().map((s) => s.state)).toEqual(['online', 'online']);
  });

  it('leaves the offline state to its will when its socket dies [MQTT-3.1.2-8]', async () => {
    const l = open();
    await eventually(() => states().length === 1);
    l.kill();
    // A killed link sends nothing more: this offline is the will the broker kept since CONNECT.
    await eventually(() => states().length === 2);
    expect(states()[1]).toEqual({ state: 'offline', session: 4, agentVersion: '9.9.9', retain: true, by: ID });
  });

  it('says offline itself on an orderly stop, before its link closes', async () => {
    const l = open();
    await eventually(() => states().length === 1);
    await l.stop();
    expect(l.connected).toBe(false);
    await eventually(() => states().length >= 2);
    expect(states().slice(0, 2).map((s) => [s.state, s.retain])).toEqual([['online', true], ['offline', true]]);
  });

  it('reconnects by its injected clock after the broker drops it, subscribes again (a clean session keeps none [MQTT-3.1.2-6]) and says online', async () => {
    const clock = fakeTimers(at('07:00'));
    const { delays, timers } = recording(clock);
    open({ timers, reconnectMinMs: 1000, reconnectMaxMs: 8000 });
    await eventually(() => got.online === 1);
    broker.drop(ID);
    await eventually(() => delays.length === 1);
    expect(delays).toEqual([1000]);
    await clock.advanceTo(at('07:00:00.999'));
    await new Promise((r) => setTimeout(r, 50));
    expect(got.connected).toBe(1);
    await clock.advanceTo(at('07:00:01'));
    await eventually(() => got.online === 2 && got.connected === 2);
    await broker.publish(topics.manifest(ID), 'lich-moi');
    await eventually(() => got.manifests.includes('lich-moi'));
  });

  it('backs off exponentially with full jitter from its injected random source, capped at the maximum', async () => {
    const down = await refusingPort();
    const clock = fakeTimers(at('07:00'));
    const { delays, timers } = recording(clock);
    open({ mqttUrl: down.url, timers, random: () => 0.5, reconnectMinMs: 100, reconnectMaxMs: 1000 });
    for (let attempt = 1; ; attempt++) {
      await eventually(() => delays.length === attempt);
      // Nothing tries again before the injected clock says so.
      expect(down.attempts).toBe(attempt);
      if (attempt === 6) break;
      await clock.advanceTo(clock.now() + delays.at(-1)!);
    }
    expect(delays).toEqual([100, 150, 250, 450, 550, 550]);
    link!.kill();
    await down.close();
  });

  it('resolves a QoS 1 publish on its PUBACK, and refuses one at once when not connected', async () => {
    const l = open();
    await eventually(() => got.connected === 1);
    await l.publishAcked(topics.event(ID), '{"id":"e1"}');
    // The broker may tell its listeners a moment after it answered the PUBACK.
    await eventually(() => broker.published.some((m) => m.topic === topics.event(ID) && m.payload === '{"id":"e1"}'));
    l.kill();
    await eventually(() => !l.connected);
    await expect(l.publishAcked(topics.event(ID), '{"id":"e2"}')).rejects.toThrow('not connected');
  });

  it('gives up on a PUBACK after 10 s by its injected clock, so a dead link cannot stall the outbox', async () => {
    const clock = fakeTimers(at('07:00'));
    const l = open({ timers: clock });
    await eventually(() => got.connected === 1);
    broker.holdAcks(true);
    let outcome = 'waiting';
    const sending = l.publishAcked(topics.event(ID), '{"id":"e1"}').then(() => (outcome = 'acked'), (err) => (outcome = err.message));
    await clock.advanceTo(at('07:00:09.999'));
    expect(outcome).toBe('waiting');
    await clock.advanceTo(at('07:00:10'));
    await sending;
    expect(outcome).toBe('no PUBACK within 10 s');
  });
});

describe('the agent and its link', () => {
  it('reconnects on the link timers and random source it is given, not on the play clock', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'loalang-link-'));
    const down = await refusingPort();
    const net = fakeTimers(at('07:00'));
    const { delays, timers } = recording(net);
    const play = fakeTimers(at('07:00'));
    const agent = new GatewayAgent({
      id: ID, secret: 's', server: 'http://127.0.0.1:9', mqttUrl: down.url, serverPublicKey: generateSigningKeys().publicKeyPem,
      cacheDir: dir, sink: recordSink(dir, play), timers: play, linkTimers: timers, random: () => 0, reconnectMinMs: 250, reconnectMaxMs: 4000,
    });
    try {
      await agent.start();
      await eventually(() => delays.length === 1);
      expect(down.attempts).toBe(1);
      await net.advanceTo(at('07:00:00.250'));
      await eventually(() => delays.length === 2);
      expect([down.attempts, delays]).toEqual([2, [250, 250]]);
    } finally {
      agent.kill();
      await down.close();
      await rm(dir, { recursive: true, force: true, maxRetries: 5 });
    }
  });
});
