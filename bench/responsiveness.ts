/**
 * Does anything hold the server's event loop? The whole system (HTTP, embedded broker, SQLite) with 2,000
 * gateways in 100 hamlets and 1,000 schedules; a worker thread asks GET /healthz every 25 ms over real
 * HTTP (a thread of its own, so a blocked server cannot hide its own delay), while
 *   (a) a schedule for "all" hamlets changes: every gateway's manifest is planned, signed, stored, published;
 *   (b) a 10-minute speech file is uploaded and transcoded (Opus + MP3 + waveform).
 * Prints, beside the same poller against the idle server (the baseline), the worst and p99 /healthz
 * latency and the worst event-loop delay (perf_hooks.monitorEventLoopDelay). Target: under 200 ms.
 *   npx tsx bench/responsiveness.ts [devices=2000] [schedules=1000] [minutes=10]
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { speechLikeWav } from '../devices/sim/speech.js';
import { parseConfig } from '../server/config.js';
import { openDb } from '../server/db/client.js';
import { assets, devices as devicesTable, programs, programVersions, schedules, zones as zonesTable } from '../server/db/schema.js';
import { createLogger } from '../server/logger.js';
import { startSystem } from '../server/main.js';
import { benchSchedules } from './commune.js';

const N_DEVICES = Number(process.argv[2] ?? 2000);
const N_SCHEDULES = Number(process.argv[3] ?? 1000);
const MINUTES = Number(process.argv[4] ?? 10);
const N_ZONES = Math.max(1, Math.round(N_DEVICES / 20));
const PASSWORD = 'bench-admin-password';

const dir = mkdtempSync(join(tmpdir(), 'loalang-responsive-'));
const dataDir = join(dir, 'data');

// The commune, written straight into the database before the server starts (the API would take minutes).
{
  const { db, sqlite } = openDb(join(dataDir, 'loalang.db'));
  sqlite.transaction(() => {
    for (let z = 0; z < N_ZONES; z++) db.insert(zonesTable).values({ id: `zn_${z}`, name: `Thôn ${z}`, createdAt: 0 }).run();
    for (let d = 0; d < N_DEVICES; d++) db.insert(devicesTable).values({ id: `gw-${d}`, name: `gw ${d}`, zoneId: `zn_${d % N_ZONES}`, secretHash: 'x', createdAt: 0 }).run();
    for (let p = 0; p < 50; p++) {
      const sha = p.toString(16).padStart(64, '0');
      db.insert(assets).values({ sha256: sha, bytes: 90_000, durationMs: 30_000 + p * 1000, loudnessLufs: -16, truePeakDb: -2, createdAt: 0 }).run();
      db.insert(programs).values({ id: `pg_${p}`, title: `Chương trình ${p}`, category: 'news', status: 'approved', assetSha256: sha, airingVersion: 1, airingSha256: sha, createdAt: 0, updatedAt: 0 }).run();
      db.insert(programVersions).values({ id: `pv_${p}`, programId: `pg_${p}`, version: 1, status: 'approved', source: 'upload', assetSha256: sha, createdAt: 0 } as never).run();
    }
    const day = new Date(Date.now() + 86400_000).toISOString().slice(0, 10);
    for (const row of benchSchedules(N_SCHEDULES, N_ZONES, day)) db.insert(schedules).values(row).run();
  })();
  sqlite.close();
}

const sys = await startSystem(parseConfig({
  HOST: '127.0.0.1', PORT: '0', MQTT_PORT: '0', DATA_DIR: dataDir, LOALANG_ADMIN_PASSWORD: PASSWORD, MEDIA_DIR: join(dir, 'media'), LOG_LEVEL: 'silent', MAX_AUDIO_MINUTES: String(MINUTES + 5),
  CRON_MANIFESTS_DAILY: 'off', CRON_MANIFESTS_SAFETY: 'off', CRON_SETTLE: 'off', CRON_SESSIONS: 'off', CRON_RETENTION: 'off', CRON_BACKUP: 'off',
}), { log: createLogger('silent') });
await sys.manifestsIdle();

const base = sys.httpUrl;

/** A thread asking /healthz every 25 ms; it answers with every latency when told to stop. */
function poller() {
  const worker = new Worker(`
    const { parentPort, workerData } = require('node:worker_threads');
    const times = [];
    let on = true;
    parentPort.on('message', () => { on = false; });
    (async () => {
      while (on) {
        const t = performance.now();
        const res = await fetch(workerData + '/healthz');
        await res.arrayBuffer();
        times.push(performance.now() - t);
        await new Promise((r) => setTimeout(r, 25));
      }
      parentPort.postMessage(times);
    })();
  `, { eval: true, workerData: base });
  return () => new Promise<number[]>((resolve) => {
    worker.once('message', (times: number[]) => {
      void worker.terminate();
      resolve(times);
    });
    worker.postMessage('stop');
  });
}
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((xs.length * p) / 100))] ?? 0;
async function measure(what: string, work: () => Promise<void>) {
  const loop = monitorEventLoopDelay({ resolution: 10 });
  const stop = poller();
  await new Promise((r) => setTimeout(r, 200));
  loop.enable();
  const t = performance.now();
  await work();
  const ms = performance.now() - t;
  loop.disable();
  const times = await stop();
  console.log(`  ${what}: ${(ms / 1000).toFixed(1)} s; /healthz worst ${pct(times, 100).toFixed(0)} ms, p99 ${pct(times, 99).toFixed(0)} ms over ${times.length} requests; worst event-loop delay ${(loop.max / 1e6).toFixed(0)} ms`);
  return pct(times, 100);
}

console.log(`responsiveness: ${N_DEVICES} gateways in ${N_ZONES} hamlets, ${N_SCHEDULES} schedules; GET /healthz every 25 ms from a thread of its own (target: < 200 ms)`);
await measure('baseline, the server idle for 3 s', () => new Promise((r) => setTimeout(r, 3000)));

const login = await fetch(`${base}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: PASSWORD }) });
if (login.status !== 200) throw new Error(`login: ${login.status} ${await login.text()}`);
const cookie = login.headers.get('set-cookie')!.split(';')[0];
const api = (path: string, init: RequestInit = {}) => fetch(`${base}${path}`, { ...init, headers: { cookie, origin: base, ...(init.body && typeof init.body === 'string' ? { 'content-type': 'application/json' } : {}) } });

await measure(`(a) a schedule for all ${N_ZONES} hamlets changes: ${N_DEVICES} manifests planned, signed, stored, published`, async () => {
  const res = await api('/api/schedules/sc_0', { method: 'PATCH', body: JSON.stringify({ rule: { type: 'rrule', dtstart: new Date(Date.now() + 2 * 86400_000).toISOString().slice(0, 10) + 'T09:45:00+07:00', rrule: 'FREQ=DAILY' } }) });
  if (res.status !== 200) throw new Error(`patch: ${res.status} ${await res.text()}`);
  await sys.manifestsIdle();
});

const wav = join(dir, 'dai.wav');
await speechLikeWav(wav, MINUTES * 60);
await measure(`(b) a ${MINUTES}-minute speech file uploaded and transcoded (Opus + MP3 + waveform)`, async () => {
  const form = new FormData();
  form.set('title', 'Thông báo dài');
  form.set('file', new Blob([readFileSync(wav)]), 'dai.wav');
  const res = await fetch(`${base}/api/programs`, { method: 'POST', body: form, headers: { cookie, origin: base } });
  if (res.status !== 202) throw new Error(`upload: ${res.status} ${await res.text()}`);
  let { job } = await res.json();
  while (job.status === 'queued' || job.status === 'running') {
    await new Promise((r) => setTimeout(r, 250));
    ({ job } = await (await api(`/api/jobs/${job.id}`)).json());
  }
  if (job.status !== 'succeeded') throw new Error(`transcode: ${JSON.stringify(job.error)}`);
});

await sys.stop();
rmSync(dir, { recursive: true, force: true });
