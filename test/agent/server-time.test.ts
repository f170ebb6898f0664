import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { GatewayAgent } from '../../devices/agent/agent.js';
import { recordSink } from '../../devices/agent/sinks.js';
import { generateSigningKeys, loadSigningKeys, signPayload, type DeviceReport, type ManifestItem } from '../../devices/protocol/index.js';
import { at } from '../helpers/agent-fixtures.js';
import { fakeTimers } from '../helpers/fake-timers.js';
import { readSinkLog } from '../helpers/system.js';

const keys = loadSigningKeys(generateSigningKeys().privateKeyPem);
const ID = 'thon-lech-gio-1';
const FAST_MS = 5 * 60_000;
const audio = Buffer.from('opus bytes of the morning news');
const sha256 = createHash('sha256').update(audio).digest('hex');
const item = (id: string, startAt: number): ManifestItem => ({
  occurrenceId: id, programId: `pg_${id}`, title: id, priority: 'normal', startAt,
  asset: { sha256, bytes: audio.length, durationMs: 60_000, url: `/media/${sha256}.opus` },
});
const signed = (v: unknown) => JSON.stringify(signPayload(v, keys.privateKey));
const manifest = (items: ManifestItem[]) => signed({ deviceId: ID, version: 1, issuedAt: at('06:00'), validUntil: at('23:00'), items });

describe('a gateway whose clock is 5 minutes fast plays and checks by the server\'s clock', () => {
  let http: Server;
  let url: string;
  let dir: string;
  /** The gateway's clock: server time + 5 minutes. */
  let local: ReturnType<typeof fakeTimers>;
  const agents: GatewayAgent[] = [];

  const agent = () => {
    const a = new GatewayAgent({
      id: ID, secret: 's', server: url, mqttUrl: 'mqtt://127.0.0.1:9', serverPublicKey: keys.publicKeyPem, cacheDir: dir,
      sink: recordSink(dir, local), timers: local, telemetryMs: 86400_000, reconnectMinMs: 600_000, reconnectMaxMs: 600_000,
    });
    local.idleWith(() => a.settled());
    agents.push(a);
    return a;
  };
  /** What the agent queued for the server (it has no broker here). */
  const reports = async (): Promise<DeviceReport[]> => {
    const files = (await readdir(join(dir, 'outbox')).catch(() => [] as string[])).filter((f) => f.endsWith('.json')).sort();
    return Promise.all(files.map(async (f) => JSON.parse(await readFile(join(dir, 'outbox', f), 'utf8'))));
  };

  /** A play's report is written after its sink let go: real I/O the fake clock does not wait for. */
  const queued = async (n: number) => {
    for (let i = 0; i < 200 && (await reports()).length < n; i++) await new Promise((r) => setTimeout(r, 10));
  };

  beforeAll(async () => {
    // The server's clock is the gateway's minus 5 minutes; the exchange takes no time on the gateway's clock.
    http = createServer((req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ now: local.now() - FAST_MS })));
    await new Promise<void>((r) => http.listen(0, '127.0.0.1', () => r()));
    url = `http://127.0.0.1:${(http.address() as { port: number }).port}`;
  });
  afterAll(() => new Promise<void>((r) => http.close(() => r())));
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'loalang-server-time-'));
    await mkdir(join(dir, 'assets'));
    await writeFile(join(dir, 'assets', `${sha256}.opus`), audio);
    local = fakeTimers(at('07:00') + FAST_MS);
  });
  afterEach(async () => {
    for (const a of agents.splice(0)) a.kill();
    await rm(dir, { recursive: true, force: true, maxRetries: 5 });
  });

  it('accepts a fresh command, plays a scheduled item at its startAt by the server, and says so in server time', async () => {
    const a = agent();
    await a.start();
    expect(await a.measureClockOffset()).toBe(-FAST_MS);
    expect(await a.onManifest(manifest([item('sang', at('07:02'))]))).toBe('applied');
    // Issued by the server at 07:00 for one minute: by the gateway's own clock it expired 4 minutes ago.
    const command = signed({ deviceId: ID, seq: 1, issuedAt: at('07:00'), expiresAt: at('07:01'), type: 'set-volume', volume: 40 });
    expect(await a.onCommand(command)).toEqual({ result: 'done' });
    await local.advanceTo(at('07:06:59'));
    expect(await readSinkLog(join(dir, 'sink.jsonl'))).toEqual([]);
    await local.advanceTo(at('07:08:01'));
    // The speaker started at 07:07 by the gateway's clock, which is 07:02 by the server's.
    expect((await readSinkLog(join(dir, 'sink.jsonl'))).map((l) => [l.result, l.startedAt])).toEqual([['completed', at('07:07')]]);
    await queued(2);
    const [result, played] = await reports();
    expect(result).toEqual(expect.objectContaining({ type: 'command-result', result: 'done', at: at('07:00') }));
    expect(played).toEqual(expect.objectContaining({ type: 'played', occurrenceId: 'sang', result: 'completed', startAt: at('07:02'), startedAt: at('07:02') }));
  });

  it('measures its clock before it judges the expiry of a command or an alert that comes before any measurement', async () => {
    const a = agent();
    await a.start();
    const command = signed({ deviceId: ID, seq: 1, issuedAt: at('07:00'), expiresAt: at('07:01'), type: 'resync' });
    expect(await a.onCommand(command)).toEqual({ result: 'done' });
    // A retained alert with three minutes left, though by the gateway's own clock it expired two minutes ago.
    const alert = signed({
      deviceId: ID, broadcastId: 'bc_bao-so-3', revision: 1, issuedAt: at('06:59'), expiresAt: at('07:03'), action: 'play', riskLevel: 3,
      item: { ...item('al_bc_bao-so-3', at('06:59')), priority: 'emergency' },
    });
    expect(await a.onAlert(alert)).toEqual({ outcome: 'accepted' });
    await local.advanceTo(at('07:02') + FAST_MS);
    expect((await readSinkLog(join(dir, 'sink.jsonl'))).map((l) => [l.occurrenceId, l.result, l.startedAt])).toEqual([['al_bc_bao-so-3', 'completed', at('07:00') + FAST_MS]]);
  });

  it('reports an item whose time passed while it was not running as missed, once and with the reason, when its clock is known', async () => {
    await writeFile(join(dir, 'manifest.json'), manifest([item('da-qua', at('06:50')), item('sap-toi', at('07:30'))]));
    const first = agent();
    await first.start();
    // By its own clock 07:30 has passed too: nothing is said until the clock is measured.
    await local.advanceTo(at('07:00:01') + FAST_MS);
    expect(await reports()).toEqual([]);
    await first.measureClockOffset();
    await queued(1);
    expect(await reports()).toEqual([expect.objectContaining({
      type: 'played', occurrenceId: 'da-qua', startAt: at('06:50'), result: 'missed', reason: 'gateway was not running at the time',
    })]);
    first.kill();
    const second = agent();
    await second.start();
    await second.measureClockOffset();
    await local.advanceTo(at('07:31') + FAST_MS);
    await queued(2);
    expect((await reports()).map((r) => [r.type === 'played' && r.occurrenceId, r.type === 'played' && r.result])).toEqual([['da-qua', 'missed'], ['sap-toi', 'completed']]);
  });
});
