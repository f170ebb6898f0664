/**
 * What an attacker or a bad day costs the server, measured on the whole system (HTTP, embedded broker,
 * SQLite file) in this process: the figures the hardening issue quoted, for comparing two versions of
 * the code (run the same file against each).
 *   NODE_OPTIONS=--expose-gc npx tsx bench/hardening.ts
 */
import Database from 'better-sqlite3';
import mqtt from 'mqtt';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseConfig } from '../server/config.js';
import { createLogger } from '../server/logger.js';
import { startSystem } from '../server/main.js';

const PASSWORD = 'bench-admin-password';
const dir = mkdtempSync(join(tmpdir(), 'loalang-hardening-'));
const sys = await startSystem(parseConfig({
  HOST: '127.0.0.1', PORT: '0', MQTT_PORT: '0', DATA_DIR: join(dir, 'data'), MEDIA_DIR: join(dir, 'media'), LOALANG_ADMIN_PASSWORD: PASSWORD, LOG_LEVEL: 'info',
  CRON_MANIFESTS_DAILY: 'off', CRON_MANIFESTS_SAFETY: 'off', CRON_SETTLE: 'off', CRON_SESSIONS: 'off', CRON_RETENTION: 'off', CRON_BACKUP: 'off',
} as Record<string, string>), { log: createLogger('info') });
const base = sys.httpUrl;
const mb = (b: number) => `${(b / 1048576).toFixed(0)} MB`;
const rss = () => process.memoryUsage().rss;
const settle = async () => {
  global.gc?.();
  await new Promise((r) => setTimeout(r, 300));
};
// The server's log lines (the real logger writes to the console) are counted, not shown: a megabyte of
// user name logged a thousand times is what an operator's disk would get.
let logBytes = 0;
const print = (line: string) => process.stdout.write(`${line}\n`);
console.log = console.error = (...parts: unknown[]) => void (logBytes += parts.map(String).join(' ').length + 1);
const login = (username: string, password: string) => fetch(`${base}/api/auth/login`, {
  method: 'POST', headers: { 'content-type': 'application/json', origin: base }, body: JSON.stringify({ username, password }),
});
const admin = await login('admin', PASSWORD);
const cookie = admin.headers.get('set-cookie')!.split(';')[0];
const api = (path: string, body?: unknown, method = 'POST') => fetch(`${base}${path}`, {
  method, headers: { cookie, origin: base, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body),
});
print('hardening bench: the whole system in this process');

// 1. A real gateway after ten wrong secrets for its id.
const zone = (await (await api('/api/zones', { name: 'Thôn Khóa', quietStart: '00:00', quietEnd: '00:00' })).json()).zone.id;
const device = (await (await api('/api/devices', { id: 'thon-khoa-1', name: 'Cụm loa', zoneId: zone })).json()).device;
const mqttLogin = (username: string, password: string) => new Promise<boolean>((resolve) => {
  const c = mqtt.connect(sys.mqttUrl, { clientId: username.slice(0, 64), username, password, reconnectPeriod: 0, connectTimeout: 15_000 });
  c.once('connect', () => (c.end(true), resolve(true)));
  c.once('error', () => (c.end(true), resolve(false)));
});
for (let i = 0; i < 10; i++) await mqttLogin(device.id, `guess-${i}`);
const t1 = performance.now();
const accepted = await mqttLogin(device.id, device.secret);
print(`  1. the right secret after 10 wrong ones over MQTT: ${accepted ? 'accepted' : 'REFUSED'} (${(performance.now() - t1).toFixed(0)} ms)`);

// 2. 40 wrong passwords at once, then the real admin during a flood of 100.
const burst = await Promise.all(Array.from({ length: 40 }, () => login('admin', 'wrong-password')));
const codes = burst.reduce<Record<number, number>>((m, r) => ((m[r.status] = (m[r.status] ?? 0) + 1), m), {});
const flood = Array.from({ length: 100 }, (_, i) => login(`nobody-${i}`, 'wrong-password'));
const t2 = performance.now();
const real = await login('admin', PASSWORD);
const realMs = performance.now() - t2;
await Promise.all(flood);
print(`  2. 40 simultaneous wrong passwords: ${JSON.stringify(codes)}; the admin's login during a flood of 100: ${real.status} in ${realMs.toFixed(0)} ms`);

// 3. A 300 MB JSON body to the login route, without a session.
await settle();
let before = rss();
let peak = before;
const sampler = setInterval(() => (peak = Math.max(peak, rss())), 10);
const huge = await fetch(`${base}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json', origin: base }, body: `{"username":"${'a'.repeat(300 * 1048576)}"}` })
  .then((r) => r.status, (e) => `error ${e.message}`);
clearInterval(sampler);
print(`  3. a 300 MB JSON login body: ${huge}; resident memory +${mb(peak - before)} at its peak`);

// 4. MQTT logins with user names as long as MQTT allows (65,535 bytes): memory kept and log written.
await settle();
const heap = () => process.memoryUsage().heapUsed;
before = heap();
const logBefore = logBytes;
for (let i = 0; i < 200; i++) await mqttLogin(`${i}-${'x'.repeat(65_000)}`, 'nope');
await settle();
const logAfter = logBytes;
print(`  4. 200 MQTT logins with 65 kB user names: heap +${mb(heap() - before)} kept, ${mb(logAfter - logBefore)} of log`);

// 5. A dense rule (BYHOUR × BYMINUTE, 840 plays a day) and a dtstart in 1900, with /healthz asked meanwhile.
const form = new FormData();
const program = await (async () => {
  const { execFileSync } = await import('node:child_process');
  const wav = join(dir, 'a.wav');
  execFileSync(process.env.FFMPEG_PATH ?? 'ffmpeg', ['-v', 'quiet', '-f', 'lavfi', '-i', 'sine=frequency=300:duration=3', '-af', 'volume=0.3', wav]);
  form.set('title', 'Bản tin');
  form.set('file', new Blob([readFileSync(wav)]), 'a.wav');
  let { job } = await (await fetch(`${base}/api/programs`, { method: 'POST', headers: { cookie, origin: base }, body: form })).json();
  while (job.status === 'queued' || job.status === 'running') {
    await new Promise((r) => setTimeout(r, 100));
    ({ job } = await (await api(`/api/jobs/${job.id}`, undefined, 'GET')).json());
  }
  return job.result.programId as string;
})();
await api(`/api/programs/${program}/submit`, {});
await api('/api/users', { username: 'chu-tich', password: 'bench-chair-password', role: 'approver' });
const chair = (await login('chu-tich', 'bench-chair-password')).headers.get('set-cookie')!.split(';')[0];
await fetch(`${base}/api/programs/${program}/approve`, { method: 'POST', headers: { cookie: chair, origin: base, 'content-type': 'application/json' }, body: JSON.stringify({ version: 1 }) });
for (const [what, rule] of [
  ['840 plays a day (BYHOUR × BYMINUTE)', { type: 'rrule', dtstart: '2026-12-02T00:00:00+07:00', rrule: `FREQ=DAILY;BYHOUR=${Array.from({ length: 14 }, (_, i) => i + 6).join(',')};BYMINUTE=${Array.from({ length: 60 }, (_, i) => i).join(',')}` }],
  ['daily since 1900', { type: 'rrule', dtstart: '1900-01-01T07:00:00+07:00', rrule: 'FREQ=DAILY' }],
] as const) {
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  let worst = 0;
  let failed = 0;
  let polling = true;
  const poll = (async () => {
    while (polling) {
      const t = performance.now();
      await fetch(`${base}/healthz`).then((r) => r.arrayBuffer(), () => (failed += 1));
      worst = Math.max(worst, performance.now() - t);
      await new Promise((r) => setTimeout(r, 20));
    }
  })();
  const t = performance.now();
  const res = await api('/api/schedules', { programId: program, zoneIds: [zone], rule });
  const ms = performance.now() - t;
  await new Promise((r) => setTimeout(r, 200));
  polling = false;
  await poll;
  loop.disable();
  print(`  5. a schedule of ${what}: ${res.status} in ${ms.toFixed(0)} ms; worst event-loop delay ${(loop.max / 1e6).toFixed(0)} ms (/healthz asked from this process, at worst ${worst.toFixed(0)} ms${failed ? `, ${failed} failed` : ''})`);
}

// 6. A 190 MB upload.
await settle();
before = rss();
peak = before;
const sampler6 = setInterval(() => (peak = Math.max(peak, rss())), 10);
const big = new FormData();
big.set('title', 'Tệp lớn');
big.set('file', new Blob([Buffer.alloc(190 * 1048576, 7)]), 'lon.wav');
const up = await fetch(`${base}/api/programs`, { method: 'POST', headers: { cookie, origin: base }, body: big }).then((r) => r.status);
clearInterval(sampler6);
print(`  6. a 190 MB upload (not audio): ${up}; resident memory +${mb(peak - before)} at its peak (the body itself is ${mb(190 * 1048576)} in this process too)`);

// 7. Another process holding the database locked.
const other = new Database(join(dir, 'data', 'loalang.db'));
other.exec('BEGIN EXCLUSIVE');
const t7 = performance.now();
const locked = await api('/api/zones', { name: 'Thôn Mới', quietStart: '00:00', quietEnd: '00:00' });
const lockedMs = performance.now() - t7;
const health = await (await fetch(`${base}/healthz`)).json();
other.exec('ROLLBACK');
other.close();
print(`  7. a write while another process locks the database: ${locked.status} ${(await locked.json().catch(() => ({}))).error?.code ?? ''} in ${lockedMs.toFixed(0)} ms; /healthz db: ${health.db}`);

await sys.stop();
rmSync(dir, { recursive: true, force: true });
process.exit(0);
