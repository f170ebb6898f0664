/**
 * An emergency broadcast at fleet scale: from the chair's POST to every gateway's speaker starting,
 * and from the cancel to every speaker stopped, beside a raw aedes fan-out of the same alert bytes to
 * the same number of plain subscribers in the same worker processes, in the same run.
 * Targets (issue 13): p99 under 1 s and within 1.5 × the raw fan-out; cancel p99 under 1 s.
 * The warning is a recorded program the gateways already hold (communes prepare their standard
 * warnings); EMERGENCY_FRESH=1 sends new text instead, which every gateway must first download.
 *   npx tsx bench/emergency.ts [N=2000]
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Aedes } from 'aedes';
import mqtt from 'mqtt';
import { loadSigningKeys, signPayload, topics, type Alert } from '../devices/protocol/index.js';
import { GatewayAgent } from '../devices/agent/agent.js';
import { fleetClock, startFleetWorkers, type WorkerEvent } from '../devices/sim/workers.js';
import { parseConfig } from '../server/config.js';
import { toZonedIso } from '../server/domain/time.js';
import { createLogger } from '../server/logger.js';
import { startSystem } from '../server/main.js';
import { seedFleet, submittedProgram } from './commune.js';

const N = Number(process.argv[2] ?? 2000);
const WORKERS = Number(process.env.FLEET_WORKERS ?? Math.max(1, availableParallelism() - 1));
const FRESH = !!process.env.EMERGENCY_FRESH;
const ZONES = Math.max(1, Math.round(N / 20));
const dir = await mkdtemp(join(tmpdir(), 'loalang-emergency-bench-'));
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];
const fmt = (xs: number[]) => `p50 ${pct(xs, 50).toFixed(0)} ms, p99 ${pct(xs, 99).toFixed(0)} ms, max ${Math.max(...xs).toFixed(0)} ms`;

const env = {
  HOST: '127.0.0.1', PORT: '0', MQTT_PORT: '0', DATA_DIR: join(dir, 'data'), MEDIA_DIR: join(dir, 'media'), LOALANG_ADMIN_PASSWORD: 'bench-admin-pw',
  LOG_LEVEL: 'silent', DEVICE_TELEMETRY_SECONDS: '3600', CRON_MANIFESTS_SAFETY: 'off', CRON_SETTLE: 'off',
};
const sys = await startSystem(parseConfig(env), { log: createLogger('silent') });
const login = async (username: string, password: string) =>
  (await fetch(`${sys.httpUrl}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) }))
    .headers.get('set-cookie')!.split(';')[0];
let cookie = await login('admin', 'bench-admin-pw');
const api = async (path: string, json?: unknown, body?: BodyInit) =>
  (await fetch(`${sys.httpUrl}${path}`, { method: json || body ? 'POST' : 'GET', headers: { cookie, ...(json ? { 'content-type': 'application/json' } : {}) }, body: json ? JSON.stringify(json) : body })).json();

console.log(`emergency bench: ${N} gateways in ${ZONES} hamlets, embedded broker; gateways in ${WORKERS} worker process(es), the server in this one`);
const { creds } = await seedFleet(api, N, ZONES);
const programId = await submittedProgram(api, dir, 'Cảnh báo lũ', 20, 'emergency');
await api('/api/users', { username: 'chu-tich', password: 'bench-chair-pw', role: 'approver' });
const adminCookie = cookie;
cookie = await login('chu-tich', 'bench-chair-pw');
await api(`/api/programs/${programId}/approve`, { version: 1 });
cookie = adminCookie;
await api('/api/schedules', {
  programId, zoneIds: 'all', priority: 'emergency',
  rule: { type: 'once', at: toZonedIso(Date.now() + 10 * 86400_000, 'Asia/Ho_Chi_Minh') },
});

// (a) Delivered: the alert reaching N MQTT logins as the gateways (the server's part: check, sign,
// store, publish through the ACL), against the raw fan-out below. A real fleet adds (c), one gateway's
// own work, on a CPU of its own.
cookie = await login('chu-tich', 'bench-chair-pw');
const delivered = new Map<string, (at: number) => void>();
const logins = await startFleetWorkers({
  kind: 'subscribers', mqttUrl: sys.mqttUrl, clients: creds.map((d) => ({ id: d.id, username: d.id, password: d.secret, topic: topics.alerts(d.id) })),
}, (e) => e.type === 'message' && delivered.get(e.id)?.(e.at), WORKERS);
const deliveries = creds.map((d) => new Promise<number>((resolve) => delivered.set(d.id, resolve)));
const tA = fleetClock();
const probe = await api('/api/broadcasts/emergency', { zoneIds: 'all', riskLevel: 4, repeat: { times: 1, gapSeconds: 0 }, content: { type: 'program', programId: programId } });
const deliveredMs = (await Promise.all(deliveries)).map((t) => t - tA);
await api(`/api/broadcasts/${probe.broadcast.broadcast.id}/cancel`, { reason: 'bench (a) done' });
await logins.stop();
cookie = adminCookie;

const starts = new Map<string, (at: number) => void>();
const ends = new Map<string, (at: number) => void>();
const fleet = await startFleetWorkers({
  kind: 'agents', devices: creds, server: sys.httpUrl, mqttUrl: sys.mqttUrl, serverPublicKey: sys.publicKeyPem, cacheRoot: join(dir, 'gw'),
  agent: { telemetryMs: 3600_000, reconnectMinMs: 200, reconnectMaxMs: 5000 }, reportPlays: true,
}, (e: WorkerEvent) => {
  if (e.type === 'play-start') starts.get(e.id)?.(e.at);
  if (e.type === 'play-end') ends.get(e.id)?.(e.at);
}, WORKERS);
const readonlyDb = new Database(join(env.DATA_DIR, 'loalang.db'), { readonly: true });
const ready = readonlyDb.prepare('select count(*) as n from devices where online = 1 and applied_version > 0');
const t0 = performance.now();
while ((ready.get() as { n: number }).n < N) await new Promise((r) => setTimeout(r, 250));
// The asset each gateway holds after applying its manifest (prefetch runs right after).
await new Promise((r) => setTimeout(r, Math.min(30_000, 2000 + N * 5)));
console.log(`  ${N} gateways online and holding the warning in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

cookie = await login('chu-tich', 'bench-chair-pw');
const startWaits = creds.map((d) => new Promise<number>((resolve) => starts.set(d.id, resolve)));
const tFire = fleetClock();
const fired = await api('/api/broadcasts/emergency', {
  zoneIds: 'all', riskLevel: 4, repeat: { times: 1, gapSeconds: 0 },
  content: FRESH ? { type: 'text', text: 'Cảnh báo: nước sông lên nhanh, bà con di chuyển lên chỗ cao ngay.' } : { type: 'program', programId: programId },
});
const answered = fleetClock() - tFire;
const started = (await Promise.all(startWaits)).map((t) => t - tFire);
const endWaits = creds.map((d) => new Promise<number>((resolve) => ends.set(d.id, resolve)));
const tCancel = fleetClock();
await api(`/api/broadcasts/${fired.broadcast.broadcast.id}/cancel`, { reason: 'bench' });
const stopped = (await Promise.all(endWaits)).map((t) => t - tCancel);
await fleet.stop();
// The baseline's bytes: an alert like gw-0's, signed with the server's key (the same size and shape).
const keys = loadSigningKeys(await readFile(join(env.DATA_DIR, 'server-signing-key.pem'), 'utf8'));
const asset = readonlyDb.prepare('select sha256, bytes, duration_ms as durationMs from assets limit 1').get() as { sha256: string; bytes: number; durationMs: number };
const now = Date.now();
const sampleAlert = JSON.stringify(signPayload({
  deviceId: creds[0].id, broadcastId: fired.broadcast.broadcast.id, revision: 1, issuedAt: now, expiresAt: now + 3600_000, action: 'play', riskLevel: 4,
  item: { occurrenceId: 'oc_xxxxxxxxxxxxxxxxxxxxxx', programId: programId, title: 'Cảnh báo lũ', priority: 'emergency', startAt: now, volume: 100,
    asset: { ...asset, url: `/media/${asset.sha256}.opus` } },
} satisfies Alert, keys.privateKey));

// (c) One gateway's own work, alone: the same alert handed to one agent holding the audio, 50 times.
const soloCache = join(dir, 'gw', creds[0].id);
const solo: number[] = [];
for (let i = 0; i < 50; i++) {
  let began = 0;
  const agent = new GatewayAgent({
    id: creds[0].id, secret: creds[0].secret, server: sys.httpUrl, mqttUrl: 'mqtt://127.0.0.1:9', serverPublicKey: sys.publicKeyPem,
    cacheDir: soloCache, followServerClock: false,
    sink: { play: async () => ((began = performance.now()), { result: 'completed' as const }) },
  });
  const issued = Date.now();
  const alert = JSON.stringify(signPayload({ ...(JSON.parse(JSON.parse(sampleAlert).payload) as Alert), broadcastId: `bc_solo_${i}`, issuedAt: issued, expiresAt: issued + 60_000 }, keys.privateKey));
  const t = performance.now();
  await agent.onAlert(alert);
  while (!began) await new Promise((r) => setImmediate(r));
  solo.push(began - t);
  agent.kill();
}

// Baseline: raw aedes, N plain subscribers in the same worker processes, one publisher here sending
// N retained QoS 1 publishes of the same alert bytes.
const raw = await Aedes.createBroker();
const rawServer = createServer(raw.handle);
await new Promise<void>((r) => rawServer.listen(0, '127.0.0.1', () => r()));
const rawUrl = `mqtt://127.0.0.1:${(rawServer.address() as { port: number }).port}`;
const received = new Map<string, (at: number) => void>();
const subs = await startFleetWorkers({ kind: 'subscribers', clients: creds.map((d) => ({ id: `raw-${d.id}`, topic: topics.alert(`raw-${d.id}`, 'bc') })), mqttUrl: rawUrl },
  (e) => e.type === 'message' && received.get(e.id)?.(e.at), WORKERS);
const pub = mqtt.connect(rawUrl, { clientId: 'raw-pub' });
await new Promise<void>((r) => pub.once('connect', () => r()));
const rawWaits = creds.map((d) => new Promise<number>((resolve) => received.set(`raw-${d.id}`, resolve)));
const tb = fleetClock();
await Promise.all(creds.map((d) => pub.publishAsync(topics.alert(`raw-${d.id}`, 'bc'), sampleAlert, { qos: 1, retain: true })));
const baseline = (await Promise.all(rawWaits)).map((t) => t - tb);
await subs.stop();
pub.end(true);
await new Promise<void>((r) => raw.close(() => r()));
rawServer.close();

console.log(`  emergency to ${N} gateways (${FRESH ? 'new text: spoken, then downloaded by every gateway' : 'a recording the gateways hold'}); targets: p99 < 1 s and ≤ 1.5 × baseline, cancel p99 < 1 s`);
console.log(`    baseline, raw aedes fan-out of the same ${sampleAlert.length} bytes to ${N} subscribers: ${fmt(baseline)}`);
console.log(`    (a) POST → delivered to ${N} gateway logins: ${fmt(deliveredMs)}, ratio p99 ${(pct(deliveredMs, 99) / pct(baseline, 99)).toFixed(2)}`);
console.log(`    (b) POST → every speaker started, ${N} real agents sharing this machine's cores: ${fmt(started)} (POST answered at ${answered.toFixed(0)} ms)`);
console.log(`    (c) one gateway's own work, from the alert to its speaker: ${fmt(solo)}; (a) p99 + (c) p99 = ${(pct(deliveredMs, 99) + pct(solo, 99)).toFixed(0)} ms`);
console.log(`    cancel → every speaker stopped: ${fmt(stopped)}`);
readonlyDb.close();
await sys.stop();
await rm(dir, { recursive: true, force: true });
process.exit(0);
