import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { GatewayAgent } from '../devices/agent/agent.js';
import { recordSink } from '../devices/agent/sinks.js';
import { realTimers } from '../devices/agent/timers.js';
import { generateSigningKeys, loadSigningKeys, signPayload, topics, type Alert } from '../devices/protocol/index.js';
import { testBroker } from './helpers/broker.js';
import { readSinkLog, waitFor } from './helpers/system.js';

const keys = loadSigningKeys(generateSigningKeys().privateKeyPem);
const ID = 'thon-ven-de-1';
const audio = Buffer.from('opus bytes of a flood warning '.repeat(40));
const sha256 = createHash('sha256').update(audio).digest('hex');

/** An alert for this gateway: a warning of `durationS` seconds, valid from `issuedAt` for `validMs`. */
const alertOf = (o: { revision?: number; action?: Alert['action']; issuedAt?: number; validMs?: number; durationS?: number } = {}): string => {
  const issuedAt = o.issuedAt ?? Date.now();
  const a: Alert = {
    deviceId: ID, broadcastId: 'bc_lu-quet', revision: o.revision ?? 1, issuedAt, expiresAt: issuedAt + (o.validMs ?? 600_000), action: o.action ?? 'play', riskLevel: 4,
    ...(o.action === 'cancel' ? {} : {
      item: {
        occurrenceId: 'al_bc_lu-quet', programId: 'pg_canh-bao-lu', title: 'Cảnh báo lũ quét', priority: 'emergency', startAt: issuedAt,
        asset: { sha256, bytes: audio.length, durationMs: (o.durationS ?? 1) * 1000, url: `/media/${sha256}.opus` },
      },
    }),
  };
  return JSON.stringify(signPayload(a, keys.privateKey));
};

describe('an emergency alert through a real broker [Circular 39/2020/TT-BTTTT]', () => {
  let broker: Awaited<ReturnType<typeof testBroker>>;
  let http: Server;
  let server: string;
  let media: number;
  let dir: string;
  let agent: GatewayAgent | undefined;

  const start = async () => {
    agent = new GatewayAgent({
      id: ID, secret: 's', server, mqttUrl: broker.url, serverPublicKey: keys.publicKeyPem, cacheDir: dir, sink: recordSink(dir, realTimers),
      telemetryMs: 86400_000,
    });
    await agent.start();
    return agent;
  };
  /** The alert statuses the gateway published, in order; one sent again after a restart (same id) counts once, as on the server. */
  const statuses = () => [...new Map(broker.published
    .filter((m) => m.topic === topics.event(ID) && m.clientId === ID)
    .map((m) => JSON.parse(m.payload))
    .map((r) => [r.id, r])).values()]
    .filter((r) => r.type === 'alert-status')
    .map((r) => [r.status, ...(r.reason ? [r.reason] : []), ...(r.repetition ? [r.repetition] : [])]);

  beforeAll(async () => {
    http = createServer((req, res) => {
      if (req.url === '/device/v1/time') return res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ now: Date.now() }));
      if (req.url !== `/media/${sha256}.opus`) return res.writeHead(404).end();
      media++;
      res.writeHead(200, { 'content-length': audio.length }).end(audio);
    });
    await new Promise<void>((r) => http.listen(0, '127.0.0.1', () => r()));
    server = `http://127.0.0.1:${(http.address() as { port: number }).port}`;
  });
  afterAll(() => new Promise<void>((r) => http.close(() => r())));
  beforeEach(async () => {
    broker = await testBroker();
    dir = await mkdtemp(join(tmpdir(), 'loalang-alert-'));
    media = 0;
  });
  afterEach(async () => {
    agent?.kill();
    agent = undefined;
    await broker.close();
    await rm(dir, { recursive: true, force: true, maxRetries: 5 });
  });

  it('reaches a gateway that connects after it was published (retained [MQTT-3.3.1-6]), which fetches its audio and plays it at once', async () => {
    const issuedAt = Date.now() - 60_000;
    await broker.publish(topics.alert(ID, 'bc_lu-quet'), alertOf({ issuedAt }), true);
    const connectedAt = Date.now();
    await start();
    const played = (await waitFor(async () => (await readSinkLog(join(dir, 'sink.jsonl'))).find((l) => l.result === 'completed')))!;
    expect(played.occurrenceId).toBe('al_bc_lu-quet');
    // Played when it arrived, not at its issue time a minute earlier.
    expect(played.startedAt - connectedAt).toBeLessThan(3000);
    expect(media).toBe(1);
    await waitFor(() => statuses().length === 3);
    expect(statuses()).toEqual([['received'], ['playing', 1], ['played']]);
    // The play is reported with the time the alert was issued for: the server sees it came a minute late.
    const report = broker.published.filter((m) => m.topic === topics.event(ID)).map((m) => JSON.parse(m.payload)).find((r) => r.type === 'played');
    expect([report.startAt, report.startedAt - issuedAt >= 60_000]).toEqual([issuedAt, true]);
  });

  it('is not played by a gateway that comes back after it expired, which says so once', async () => {
    await broker.publish(topics.alert(ID, 'bc_lu-quet'), alertOf({ issuedAt: Date.now() - 600_000, validMs: 300_000 }), true);
    await start();
    await waitFor(() => statuses().length === 1);
    expect(statuses()).toEqual([['expired', expect.stringMatching(/^expired at /)]]);
    // The broker delivers the same retained alert again at the next connection: nothing more is said.
    agent!.kill();
    await start();
    await waitFor(() => broker.published.filter((m) => m.topic === topics.state(ID) && JSON.parse(m.payload).state === 'online').length === 2);
    await new Promise((r) => setTimeout(r, 300));
    expect(statuses()).toHaveLength(1);
    expect(await readSinkLog(join(dir, 'sink.jsonl'))).toEqual([]);
    expect(media).toBe(0);
  });

  it('stops at once when a later revision on the same retained topic cancels it', async () => {
    await start();
    await waitFor(() => broker.published.some((m) => m.topic === topics.state(ID)));
    await broker.publish(topics.alert(ID, 'bc_lu-quet'), alertOf({ durationS: 30 }), true);
    await waitFor(() => statuses().some(([s]) => s === 'playing'));
    await broker.publish(topics.alert(ID, 'bc_lu-quet'), alertOf({ revision: 2, action: 'cancel' }), true);
    const log = (await waitFor(async () => (await readSinkLog(join(dir, 'sink.jsonl')))[0]))!;
    expect(log.result).toBe('cancelled');
    expect(log.endedAt - log.startedAt).toBeLessThan(5000);
    await waitFor(() => statuses().length === 3);
    expect(statuses()).toEqual([['received'], ['playing', 1], ['cancelled', 'the emergency broadcast was cancelled; 0 of 1 played']]);
  });
});
