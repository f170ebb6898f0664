/**
 * The device plane at fleet scale on the embedded broker:
 *   (1) a schedule change reaching N gateways, beside a raw aedes publish of the same bytes to N plain
 *       subscribers in the same run: (1a) delivered to N gateway logins, (1b) applied by N real agents
 *       (verified, stored, scheduled), (1c) one gateway's own work per manifest;
 *   (2) every gateway reconnecting at once after a broker (server) restart, until all are resynced;
 *   (3) idle bytes per gateway per day (keepalive + telemetry), measured on the wire.
 * Gateways and subscribers run in worker processes (FLEET_WORKERS, default one per core beyond the
 * first), the server in this one. FLEET_PROFILE=file.cpuprofile records CPU profiles of (1b), or of
 * the server during (1a) with FLEET_DELIVERY_ONLY=1, which stops after the delivery figures. (1a) and its
 * baseline are each measured on their second round, after one round to every gateway warmed them up.
 *   npx tsx bench/fleet.ts [N=2000]
 */
import { copyFile, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import Database from 'better-sqlite3';
import { createServer, connect, type Socket } from 'node:net';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Aedes } from 'aedes';
import mqtt from 'mqtt';
import { GatewayAgent } from '../devices/agent/agent.js';
import { recordSink } from '../devices/agent/sinks.js';
import { realTimers } from '../devices/agent/timers.js';
import { loadSigningKeys, openManifest, signPayload, topics } from '../devices/protocol/index.js';
import { fleetClock, startCpuProfile, startFleetWorkers } from '../devices/sim/workers.js';
import { parseConfig } from '../server/config.js';
import { toZonedIso } from '../server/domain/time.js';
import { createLogger } from '../server/logger.js';
import { startSystem } from '../server/main.js';
import { seedFleet, submittedProgram } from './commune.js';

const N = Number(process.argv[2] ?? 2000);
/** Worker processes hosting the simulated gateways (and the baseline's subscribers): default one per core beyond the first. */
const WORKERS = Number(process.env.FLEET_WORKERS ?? Math.max(1, availableParallelism() - 1));
const ZONES = Math.max(1, Math.round(N / 20));
const dir = await mkdtemp(join(tmpdir(), 'loalang-fleet-bench-'));
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];
const fmt = (xs: number[]) => `p50 ${pct(xs, 50).toFixed(0)} ms, p99 ${pct(xs, 99).toFixed(0)} ms, max ${Math.max(...xs).toFixed(0)} ms`;
const mb = () => `${(process.memoryUsage().rss / 1048576).toFixed(0)} MB`;
let peakRss = 0;
const peak = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);

// The server expects telemetry at the agents' interval (1 h here): at its default of 60 s, its heartbeat
// would mark the first gateways silent (3 intervals) while the rest of a large fleet is still connecting.
const env = {
  HOST: '127.0.0.1', PORT: '0', MQTT_PORT: '0', DATA_DIR: join(dir, 'data'), MEDIA_DIR: join(dir, 'media'), LOALANG_ADMIN_PASSWORD: 'bench-admin-pw', LOG_LEVEL: 'silent',
  DEVICE_TELEMETRY_SECONDS: '3600',
};
let sys = await startSystem(parseConfig(env), { log: createLogger('silent') });
const fixed = { ...env, PORT: String(sys.httpPort), MQTT_PORT: String(sys.mqttPort) };
const loginAs = async (username: string, password: string) =>
  (await fetch(`${sys.httpUrl}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) }))
    .headers.get('set-cookie')!.split(';')[0];
const cookie = await loginAs('admin', 'bench-admin-pw');
const api = async (path: string, json?: unknown, body?: BodyInit) => {
  // A keep-alive connection the busy server closes just as it is reused resets; a read is retried.
  const res = await fetch(`${sys.httpUrl}${path}`, { method: json || body ? 'POST' : 'GET', headers: { cookie, ...(json ? { 'content-type': 'application/json' } : {}) }, body: json ? JSON.stringify(json) : body })
    .catch((err) => (json || body ? Promise.reject(err) : fetch(`${sys.httpUrl}${path}`, { headers: { cookie } })));
  return res.json();
};

console.log(`fleet bench: ${N} gateways in ${ZONES} zones, embedded broker; gateways in ${WORKERS} worker process(es), the server in this one`);
const { zoneIds, creds } = await seedFleet(api, N, ZONES);
const programId = await submittedProgram(api, dir, 'Bản tin', 10);
// Only an approver may approve: the chair, logged in for this.
await api('/api/users', { username: 'chu-tich', password: 'bench-chair-pw', role: 'approver' });
const chair = await loginAs('chu-tich', 'bench-chair-pw');
const program = (await (await fetch(`${sys.httpUrl}/api/programs/${programId}/approve`, {
  method: 'POST', headers: { cookie: chair, 'content-type': 'application/json' }, body: JSON.stringify({ version: 1 }),
})).json()).program;

const schedule = async (hoursAhead: number) => {
  const res = await api('/api/schedules', { programId: program.id, zoneIds: 'all', rule: { type: 'once', at: toZonedIso(Date.now() + hoursAhead * 3600_000, 'Asia/Ho_Chi_Minh') } });
  if (!res.schedule) throw new Error(JSON.stringify(res));
};

// (1a) Delivery: a schedule change from our server to N MQTT connections logged in as the gateways,
// which only receive. This is the server's part (plan, expand, sign, store, publish through the
// broker's ACL), comparable with the raw baseline below: same clients, same worker processes, same QoS.
const deliveredAt = new Map<string, (at: number) => void>();
const listeners = await startFleetWorkers({
  kind: 'subscribers', mqttUrl: sys.mqttUrl, clients: creds.map((d) => ({ id: d.id, username: d.id, password: d.secret, topic: topics.manifest(d.id) })),
}, (e) => e.type === 'message' && deliveredAt.get(e.id)?.(e.at), WORKERS);
// Warm-up, the same for ours and for the baseline below: one round delivered to every gateway before the
// round measured, so both are measured on a running broker and server (code compiled, buffers grown),
// not on the first publish after start-up — which the baseline, measured second in the same process,
// would otherwise never pay for the broker code the two share.
const tw = fleetClock();
const warmed = creds.map((d) => new Promise<void>((resolve) => deliveredAt.set(d.id, (at) => at >= tw && resolve())));
await schedule(6);
await Promise.all(warmed);
await sys.manifestsIdle();
const publishedAt: number[] = [];
// When each published chunk was acknowledged by the broker, one time per manifest in it.
sys.bus.on('manifests.published', 'bench', ({ manifests }) => {
  const at = fleetClock();
  for (let i = 0; i < manifests.length; i++) publishedAt.push(at);
});
// With FLEET_DELIVERY_ONLY, FLEET_PROFILE records the server's side of (1a) instead of (1b).
const stopDeliveryProfile = process.env.FLEET_PROFILE && process.env.FLEET_DELIVERY_ONLY ? await startCpuProfile() : undefined;
// Arrivals before the change (retained copies delivered on subscribe) do not count.
const deliveries = creds.map((d) => new Promise<number>((resolve) => deliveredAt.set(d.id, (at) => at >= t1 && resolve(at))));
const t1 = fleetClock();
const cpu1 = process.cpuUsage();
await schedule(5);
const answered = fleetClock() - t1;
const delivered = (await Promise.all(deliveries)).map((t) => t - t1);
const cpuOurs = process.cpuUsage(cpu1);
const firstPublished = publishedAt[0] - t1, lastPublished = publishedAt.at(-1)! - t1;
if (stopDeliveryProfile) await writeFile(process.env.FLEET_PROFILE!, await stopDeliveryProfile());
await listeners.stop();

// The server's database, read-only, for what the bench reads without going through the server.
const readonlyDb = new Database(join(env.DATA_DIR, 'loalang.db'), { readonly: true });
// The baseline sends the very bytes a gateway got: gw-0's signed manifest, read back retained from the
// broker as gw-0 (the database keeps a template per hamlet, not each envelope).
const sampleEnvelope = await new Promise<Buffer>((resolve, reject) => {
  const gw = creds[0];
  const c = mqtt.connect(sys.mqttUrl, { clientId: gw.id, username: gw.id, password: gw.secret }).on('error', reject);
  c.on('message', (_topic, payload) => {
    c.end(true);
    resolve(payload);
  });
  c.once('connect', () => c.subscribe(topics.manifest(gw.id), { qos: 1 }));
});

// Baseline: raw aedes, N plain mqtt.js subscribers in the same worker processes, one publisher in this
// process sending the same number of retained QoS 1 publishes of the same bytes.
const raw = await Aedes.createBroker();
const rawServer = createServer(raw.handle);
await new Promise<void>((r) => rawServer.listen(0, '127.0.0.1', () => r()));
const rawUrl = `mqtt://127.0.0.1:${(rawServer.address() as { port: number }).port}`;
const received = new Map<string, (at: number) => void>();
const subs = await startFleetWorkers({ kind: 'subscribers', clients: creds.map((d) => ({ id: `raw-${d.id}`, topic: topics.manifest(`raw-${d.id}`) })), mqttUrl: rawUrl },
  (e) => e.type === 'message' && received.get(e.id)?.(e.at), WORKERS);
const pub = mqtt.connect(rawUrl, { clientId: 'raw-pub' }).on('error', (err) => console.error(`raw publisher: ${err.message}`));
await new Promise<void>((r) => pub.once('connect', () => r()));
// The baseline's warm-up round (see above).
const rawWarm = creds.map((d) => new Promise<unknown>((resolve) => received.set(`raw-${d.id}`, resolve)));
await Promise.all(creds.map((d) => pub.publishAsync(topics.manifest(`raw-${d.id}`), sampleEnvelope, { qos: 1, retain: true })));
await Promise.all(rawWarm);
const rawWaits = creds.map((d) => new Promise<number>((resolve) => received.set(`raw-${d.id}`, resolve)));
const tb = fleetClock();
const cpub = process.cpuUsage();
await Promise.all(creds.map((d) => pub.publishAsync(topics.manifest(`raw-${d.id}`), sampleEnvelope, { qos: 1, retain: true })));
const baseline = (await Promise.all(rawWaits)).map((t) => t - tb);
const cpuBase = process.cpuUsage(cpub);
const cpuMs = (u: NodeJS.CpuUsage) => ((u.user + u.system) / 1000).toFixed(0);
await subs.stop();
pub.end(true);
await new Promise<void>((r) => raw.close(() => r()));
rawServer.close();
const ratio = (xs: number[]) => (pct(xs, 99) / pct(baseline, 99)).toFixed(2);
console.log(`  (1) a schedule change reaching ${N} gateways (target: p99 ≤ 1.5 × baseline)`);
console.log(`      baseline, raw aedes publish of the same ${sampleEnvelope.length} bytes to ${N} subscribers: ${fmt(baseline)}`);
console.log(`      (1a) delivered to ${N} gateway logins: ${fmt(delivered)}, ratio p99 ${ratio(delivered)}`);
console.log(`           POST answered at ${answered.toFixed(0)} ms; manifests expanded, signed, stored and published: first PUBACK from the broker at ${firstPublished.toFixed(0)} ms, last at ${lastPublished.toFixed(0)} ms`);
console.log(`           CPU time of this process (every thread): ${cpuMs(cpuOurs)} ms for ours (server, signing, broker), ${cpuMs(cpuBase)} ms for the baseline (publisher, broker)`);

// FLEET_DELIVERY_ONLY=1 stops here: quick delivery figures (a full run at 10,000 takes about 16 minutes).
if (process.env.FLEET_DELIVERY_ONLY) {
  clearInterval(peak);
  readonlyDb.close();
  await sys.stop();
  await rm(dir, { recursive: true, force: true });
  process.exit(0);
}

const applied = new Map<string, (at: number) => void>();
let t0 = performance.now();
const fleet = await startFleetWorkers({
  kind: 'agents', devices: creds, server: sys.httpUrl, mqttUrl: sys.mqttUrl, serverPublicKey: sys.publicKeyPem, cacheRoot: join(dir, 'gw'),
  agent: { telemetryMs: 3600_000, reconnectMinMs: 200, reconnectMaxMs: 5000 },
}, (e) => e.type === 'applied' && applied.get(e.id)?.(e.at), WORKERS);
// Counted in the database: listing 10,000 device views over HTTP every 200 ms slowed the very server
// being measured.
const onlineCount = readonlyDb.prepare('select count(*) as n from devices where online = 1');
const online = async () => (onlineCount.get() as { n: number }).n;
while ((await online()) < N) await new Promise((r) => setTimeout(r, 200));
console.log(`  ${N} gateways online in ${((performance.now() - t0) / 1000).toFixed(1)} s, server process rss ${mb()}`);

// Warm-up: the program reaches every gateway once, and each downloads its audio.
const warm = creds.map((d) => new Promise<void>((resolve) => applied.set(d.id, () => resolve())));
await schedule(2);
await Promise.all(warm);
const cached = async () => (await Promise.all(creds.map((d) => stat(join(dir, 'gw', d.id, 'assets', `${program.asset.sha256}.opus`)).then(() => 1, () => 0)))).reduce((a: number, b: number) => a + b, 0);
while ((await cached()) < N) await new Promise((r) => setTimeout(r, 250));

// (1b) The same program scheduled once more on every zone (the everyday change: new times for audio the
// gateways hold): every gateway gets a new manifest, verifies it, stores it, applies it.
const waits = creds.map((d) => new Promise<number>((resolve) => applied.set(d.id, resolve)));
// FLEET_PROFILE=out.cpuprofile records a CPU profile of this phase (open it in Chrome DevTools).
const stopProfile = process.env.FLEET_PROFILE ? await startCpuProfile() : undefined;
const stopWorkerProfiles = stopProfile ? fleet.profile() : undefined;
t0 = fleetClock();
await schedule(1);
const ours = (await Promise.all(waits)).map((t) => t - t0);
if (stopProfile) {
  await writeFile(process.env.FLEET_PROFILE!, await stopProfile());
  for (const [k, p] of (await stopWorkerProfiles!()).entries()) await writeFile(process.env.FLEET_PROFILE!.replace(/(\.cpuprofile)?$/, `.worker${k + 1}$1`), p);
}
applied.clear();
// (1c) A gateway's own work per manifest (verify the signature, store it with fsync, apply it),
// measured on one agent alone. On real hardware every gateway does this at the same time as the
// others; here N agents share this machine's cores, which is what (1b) pays for.
const keys = loadSigningKeys(await readFile(join(env.DATA_DIR, 'server-signing-key.pem'), 'utf8'));
const opened = openManifest(sampleEnvelope, sys.publicKeyPem);
if (!opened.ok) throw new Error(opened.reason);
const soloDir = join(dir, 'solo');
await mkdir(join(soloDir, 'assets'), { recursive: true });
await copyFile(join(dir, 'gw', 'gw-0', 'assets', `${program.asset.sha256}.opus`), join(soloDir, 'assets', `${program.asset.sha256}.opus`));
const solo = new GatewayAgent({
  id: 'gw-0', secret: creds[0].secret, server: sys.httpUrl, mqttUrl: 'mqtt://127.0.0.1:1', serverPublicKey: sys.publicKeyPem,
  cacheDir: soloDir, sink: recordSink(soloDir, realTimers),
});
const applyCost: number[] = [];
for (let v = opened.value.version + 1; v <= opened.value.version + 300; v++) {
  const envelope = JSON.stringify(signPayload({ ...opened.value, version: v }, keys.privateKey));
  const t = performance.now();
  if ((await solo.onManifest(envelope)) !== 'applied') throw new Error('solo agent did not apply');
  applyCost.push(performance.now() - t);
}
solo.kill();

console.log(`      (1b) applied by ${N} simulated agents sharing ${WORKERS} process(es): ${fmt(ours)}, ratio p99 ${ratio(ours)}`);
console.log(`      (1c) one gateway's own work per manifest (verify, fsync, apply), alone: ${fmt(applyCost)}`);
console.log(`           a fleet where each gateway has its own CPU: delivered p99 + own work p99 ≈ ${(pct(delivered, 99) + pct(applyCost, 99)).toFixed(0)} ms, ratio ${((pct(delivered, 99) + pct(applyCost, 99)) / pct(baseline, 99)).toFixed(2)}`);

// (2) Restart the server (and its broker): every gateway reconnects with backoff and resyncs.
peakRss = 0;
await sys.stop();
t0 = performance.now();
sys = await startSystem(parseConfig(fixed), { log: createLogger('silent') });
// A restart republishes each device's stored manifest; agents holding that version treat it as unchanged,
// so "resynced" here is: online again per the server.
while ((await online()) < N) await new Promise((r) => setTimeout(r, 100));
console.log(`  (2) server restart → all ${N} online again in ${((performance.now() - t0) / 1000).toFixed(1)} s, server process peak rss ${(peakRss / 1048576).toFixed(0)} MB`);

// (3) Idle traffic of one gateway on the wire, through a counting relay: keepalive 30 s, telemetry 30 s.
let bytes = 0;
const relay = createServer((inbound: Socket) => {
  const out = connect(sys.mqttPort, '127.0.0.1');
  inbound.on('data', (d) => { bytes += d.length; out.write(d); });
  out.on('data', (d) => { bytes += d.length; inbound.write(d); });
  inbound.on('error', () => {}); out.on('error', () => {});
});
await new Promise<void>((r) => relay.listen(0, '127.0.0.1', () => r()));
const one = await api('/api/devices', { id: 'gw-idle', name: 'idle', zoneId: zoneIds[0] });
const idle = new GatewayAgent({
  id: 'gw-idle', secret: one.device.secret, server: sys.httpUrl, mqttUrl: `mqtt://127.0.0.1:${(relay.address() as { port: number }).port}`,
  serverPublicKey: sys.publicKeyPem, cacheDir: join(dir, 'gw', 'idle'), sink: recordSink(join(dir, 'gw', 'idle'), realTimers), keepaliveSec: 1, telemetryMs: 2000,
});
await idle.start();
await new Promise((r) => setTimeout(r, 3000));
const startBytes = bytes;
await new Promise((r) => setTimeout(r, 20_000));
const per2s = (bytes - startBytes) / 10;
// Scaled 30×: the defaults are keepalive 30 s and telemetry 60 s, here keepalive 1 s and telemetry 2 s
// (one telemetry and one ping exchange per telemetry interval either way).
const perDay = per2s * (86400 / 60);
console.log(`  (3) idle: ${per2s.toFixed(0)} bytes per telemetry interval (telemetry + one keepalive ping) → ${(perDay / 1024).toFixed(0)} KB/day, ${((perDay * 30) / 1048576).toFixed(1)} MB/month at the defaults (60 s / 30 s; target ≤ 10 MB/month)`);
idle.kill();
relay.close();

clearInterval(peak);
readonlyDb.close();
await fleet.stop();
await sys.stop();
await rm(dir, { recursive: true, force: true });
process.exit(0);
