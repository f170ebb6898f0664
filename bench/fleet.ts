/**
 * The device plane at fleet scale on the embedded broker:
 *   (1) a schedule change reaching N gateways (manifest applied), beside a raw aedes publish of the
 *       same bytes to N plain subscribers in the same run;
 *   (2) every gateway reconnecting at once after a broker (server) restart, until all are resynced;
 *   (3) idle bytes per gateway per day (keepalive + telemetry), measured on the wire.
 *   npx tsx bench/fleet.ts [N=2000]
 */
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { createServer, connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Aedes } from 'aedes';
import mqtt from 'mqtt';
import { GatewayAgent } from '../devices/agent/agent.js';
import { recordSink } from '../devices/agent/sinks.js';
import { realTimers } from '../devices/agent/timers.js';
import { speechLikeWav } from '../devices/sim/speech.js';
import { parseConfig } from '../server/config.js';
import { toZonedIso } from '../server/domain/time.js';
import { createLogger } from '../server/logger.js';
import { startSystem } from '../server/main.js';

const N = Number(process.argv[2] ?? 2000);
const ZONES = Math.max(1, Math.round(N / 20));
const dir = await mkdtemp(join(tmpdir(), 'loalang-fleet-bench-'));
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];
const fmt = (xs: number[]) => `p50 ${pct(xs, 50).toFixed(0)} ms, p99 ${pct(xs, 99).toFixed(0)} ms, max ${Math.max(...xs).toFixed(0)} ms`;
const mb = () => `${(process.memoryUsage().rss / 1048576).toFixed(0)} MB`;
let peakRss = 0;
const peak = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);

const env = { HOST: '127.0.0.1', PORT: '0', MQTT_PORT: '0', DATA_DIR: join(dir, 'data'), MEDIA_DIR: join(dir, 'media'), LOALANG_ADMIN_PASSWORD: 'bench-admin-pw', LOG_LEVEL: 'silent' };
let sys = await startSystem(parseConfig(env), { log: createLogger('silent') });
const fixed = { ...env, PORT: String(sys.httpPort), MQTT_PORT: String(sys.mqttPort) };
const login = await fetch(`${sys.httpUrl}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: 'bench-admin-pw' }) });
const cookie = login.headers.get('set-cookie')!.split(';')[0];
const api = async (path: string, json?: unknown, body?: BodyInit) => {
  const res = await fetch(`${sys.httpUrl}${path}`, { method: json || body ? 'POST' : 'GET', headers: { cookie, ...(json ? { 'content-type': 'application/json' } : {}) }, body: json ? JSON.stringify(json) : body });
  return res.json();
};

console.log(`fleet bench: ${N} gateways in ${ZONES} zones, one process, embedded broker`);
const zoneIds: string[] = [];
for (let z = 0; z < ZONES; z++) zoneIds.push((await api('/api/zones', { name: `Thôn ${z}`, quietStart: '00:00', quietEnd: '00:00' })).zone.id);
const creds: { id: string; secret: string }[] = [];
for (let i = 0; i < N; i++) {
  const { device } = await api('/api/devices', { id: `gw-${i}`, name: `gw ${i}`, zoneId: zoneIds[i % ZONES] });
  creds.push({ id: device.id, secret: device.secret });
}
const wav = join(dir, 'a.wav');
await speechLikeWav(wav, 10);
const form = new FormData();
form.set('title', 'Bản tin');
form.set('file', new Blob([await (await import('node:fs/promises')).readFile(wav)]), 'a.wav');
let { job } = await api('/api/programs', undefined, form);
while (job.status === 'queued' || job.status === 'running') {
  await new Promise((r) => setTimeout(r, 100));
  ({ job } = await api(`/api/jobs/${job.id}`));
}
await api(`/api/programs/${job.result.programId}/submit`, {});
// Only an approver may approve: the chair, logged in for this.
await api('/api/users', { username: 'chu-tich', password: 'bench-chair-pw', role: 'approver' });
const chair = (await fetch(`${sys.httpUrl}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'chu-tich', password: 'bench-chair-pw' }) }))
  .headers.get('set-cookie')!.split(';')[0];
const program = (await (await fetch(`${sys.httpUrl}/api/programs/${job.result.programId}/approve`, { method: 'POST', headers: { cookie: chair } })).json()).program;

const applied = new Map<string, (v: number) => void>();
const agents = creds.map((d) => new GatewayAgent({
  id: d.id, secret: d.secret, server: sys.httpUrl, mqttUrl: sys.mqttUrl, serverPublicKey: sys.publicKeyPem,
  cacheDir: join(dir, 'gw', d.id), sink: recordSink(join(dir, 'gw', d.id), realTimers), telemetryMs: 3600_000,
  reconnectMinMs: 200, reconnectMaxMs: 5000, onApplied: (v) => applied.get(d.id)?.(v),
}));
let t0 = performance.now();
for (let i = 0; i < agents.length; i += 200) await Promise.all(agents.slice(i, i + 200).map((a) => a.start()));
const online = async () => (await api('/api/devices')).devices.filter((d: { online: boolean }) => d.online).length;
while ((await online()) < N) await new Promise((r) => setTimeout(r, 200));
console.log(`  ${N} gateways online in ${((performance.now() - t0) / 1000).toFixed(1)} s, rss ${mb()}`);

// Warm-up: the program reaches every gateway once, and each downloads its audio.
const warm = agents.map((a, i) => new Promise<void>((resolve) => applied.set(creds[i].id, () => resolve())));
await api('/api/schedules', { programId: program.id, zoneIds: 'all', rule: { type: 'once', at: toZonedIso(Date.now() + 2 * 3600_000, 'Asia/Ho_Chi_Minh') } });
await Promise.all(warm);
const cached = async () => (await Promise.all(creds.map((d) => stat(join(dir, 'gw', d.id, 'assets', `${program.asset.sha256}.opus`)).then(() => 1, () => 0)))).reduce((a: number, b: number) => a + b, 0);
while ((await cached()) < N) await new Promise((r) => setTimeout(r, 250));

// (1) The same program scheduled once more on every zone (the everyday change: new times for audio the
// gateways hold): every gateway gets a new manifest, verifies it, stores it, applies it.
const waits = agents.map((a, i) => new Promise<number>((resolve) => applied.set(creds[i].id, () => resolve(performance.now()))));
t0 = performance.now();
const res = await api('/api/schedules', { programId: program.id, zoneIds: 'all', rule: { type: 'once', at: toZonedIso(Date.now() + 3600_000, 'Asia/Ho_Chi_Minh') } });
if (!res.schedule) throw new Error(JSON.stringify(res));
const ours = (await Promise.all(waits)).map((t) => t - t0);
applied.clear();
const sampleEnvelope = JSON.stringify({ payload: JSON.stringify({ pad: 'x'.repeat(700) }), sig: 'y'.repeat(88) });

// Baseline: raw aedes, N plain mqtt.js subscribers, the same number of publishes of similar bytes.
const raw = await Aedes.createBroker();
const rawServer = createServer(raw.handle);
await new Promise<void>((r) => rawServer.listen(0, '127.0.0.1', () => r()));
const rawPort = (rawServer.address() as { port: number }).port;
const subs = [];
for (let i = 0; i < N; i += 200) {
  subs.push(...(await Promise.all(Array.from({ length: Math.min(200, N - i) }, async (_, k) => {
    const c = mqtt.connect(`mqtt://127.0.0.1:${rawPort}`, { clientId: `raw-${i + k}`, reconnectPeriod: 0 });
    await new Promise<void>((r) => c.once('connect', () => r()));
    await c.subscribeAsync(`loalang/v1/dev/raw-${i + k}/manifest`, { qos: 1 });
    return c;
  }))));
}
const pub = mqtt.connect(`mqtt://127.0.0.1:${rawPort}`, { clientId: 'raw-pub' });
await new Promise<void>((r) => pub.once('connect', () => r()));
const rawWaits = subs.map((c) => new Promise<number>((resolve) => c.once('message', () => resolve(performance.now()))));
t0 = performance.now();
await Promise.all(subs.map((_, i) => pub.publishAsync(`loalang/v1/dev/raw-${i}/manifest`, sampleEnvelope, { qos: 1, retain: true })));
const baseline = (await Promise.all(rawWaits)).map((t) => t - t0);
for (const c of subs) c.end(true);
pub.end(true);
await new Promise<void>((r) => raw.close(() => r()));
rawServer.close();
console.log(`  (1) schedule change → all ${N} applied: ${fmt(ours)}  (includes expanding, signing and storing ${N} manifests)`);
console.log(`      baseline, raw aedes publish of ~${sampleEnvelope.length} bytes to ${N} subscribers: ${fmt(baseline)}`);
console.log(`      ratio p99: ${(pct(ours, 99) / pct(baseline, 99)).toFixed(2)} (target ≤ 1.5)`);

// (2) Restart the server (and its broker): every gateway reconnects with backoff and resyncs.
const resynced = agents.map((_, i) => new Promise<number>((resolve) => applied.set(creds[i].id, () => resolve(performance.now()))));
peakRss = 0;
await sys.stop();
t0 = performance.now();
sys = await startSystem(parseConfig(fixed), { log: createLogger('silent') });
// A restart republishes each device's stored manifest; agents holding that version treat it as unchanged,
// so "resynced" here is: online again per the server.
while ((await online()) < N) await new Promise((r) => setTimeout(r, 100));
console.log(`  (2) server restart → all ${N} online again in ${((performance.now() - t0) / 1000).toFixed(1)} s, peak rss ${(peakRss / 1048576).toFixed(0)} MB`);
void resynced;

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
for (const a of agents) a.kill();
await sys.stop();
await rm(dir, { recursive: true, force: true });
process.exit(0);
