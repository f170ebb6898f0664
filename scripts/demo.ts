/**
 * `npm run demo`: the server on its embedded defaults, a commune with three hamlets, three simulated
 * gateways with recording sinks, and a greeting scheduled a few seconds ahead for two of them.
 */
import { rm } from 'node:fs/promises';
import { resolve } from 'node:path';
import { startFleet } from '../devices/sim/fleet.js';
import { loadConfigOrExit } from '../server/config.js';
import { toZonedIso } from '../server/domain/time.js';
import { startSystem } from '../server/main.js';

const password = process.env.LOALANG_ADMIN_PASSWORD ?? 'loalang-demo';
const config = loadConfigOrExit({
  DATA_DIR: './data/demo', MEDIA_DIR: './data/demo/media', LOG_LEVEL: 'warn', ...process.env, LOALANG_ADMIN_PASSWORD: password,
});
const sys = await startSystem(config);

const login = await fetch(`${sys.httpUrl}/api/auth/login`, {
  method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password }),
});
if (!login.ok) {
  console.error(`demo: cannot log in as admin (${login.status}); the demo database in ${config.dataDir} has another password. Delete it or set LOALANG_ADMIN_PASSWORD.`);
  process.exit(1);
}
const cookie = login.headers.get('set-cookie')!.split(';')[0];
const api = async (path: string, init: RequestInit & { json?: unknown } = {}) => {
  const res = await fetch(`${sys.httpUrl}${path}`, {
    ...init,
    headers: { cookie, ...(init.json !== undefined ? { 'content-type': 'application/json' } : {}) },
    body: init.json !== undefined ? JSON.stringify(init.json) : init.body,
  });
  const body = res.status === 204 ? null : await res.json();
  if (!res.ok) throw new Error(`${init.method ?? 'GET'} ${path}: ${res.status} ${JSON.stringify(body)}`);
  return body;
};

// A fresh seed each run: hamlets and gateways (secrets are only shown at creation).
const hamlets = [
  { zone: 'Thôn Đông', device: 'thon-dong-1' },
  { zone: 'Thôn Tây', device: 'thon-tay-1' },
  { zone: 'Thôn Nam', device: 'thon-nam-1' },
];
const zoneIds: string[] = [];
const devices: { id: string; secret: string }[] = [];
for (const h of hamlets) {
  const existing = (await api('/api/zones')).zones.find((z: { name: string }) => z.name === h.zone);
  const zoneId = existing?.id ?? (await api('/api/zones', { method: 'POST', json: { name: h.zone } })).zone.id;
  zoneIds.push(zoneId);
  await api(`/api/devices/${h.device}`, { method: 'DELETE' }).catch(() => {});
  const { device } = await api('/api/devices', { method: 'POST', json: { id: h.device, name: `Cụm loa ${h.zone}`, zoneId } });
  devices.push({ id: device.id, secret: device.secret });
}

// At night (22:00–05:30 by default) only emergencies may play; the demo opens its hamlets' quiet
// hours then, so the greeting can still be heard, and says so.
const nowLocal = new Intl.DateTimeFormat('en-GB', { timeZone: config.timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(Date.now());
const quietNow = nowLocal >= '21:55' || nowLocal < '05:30';
for (const zoneId of zoneIds) {
  await api(`/api/zones/${zoneId}`, { method: 'PATCH', json: quietNow ? { quietStart: '00:00', quietEnd: '00:00' } : { quietStart: '22:00', quietEnd: '05:30' } });
}
if (quietNow) console.log(`  It is ${nowLocal} in ${config.timeZone}, inside the default quiet hours: the demo hamlets have none tonight.`);

const cacheRoot = resolve(config.dataDir, 'gateways');
// The gateways were re-created, so their manifest versions start again at 1: start from empty caches.
await rm(cacheRoot, { recursive: true, force: true });
const fleet = await startFleet({ server: sys.httpUrl, mqttUrl: sys.mqttUrl, serverPublicKey: sys.publicKeyPem, devices, cacheRoot });

// The chair's New Year greeting, spoken from the template by the offline TTS engine, submitted by the
// culture officer and approved by the chair: nothing airs unapproved.
const people = [
  { username: 'canbo', role: 'editor', displayName: 'Cán bộ văn hóa' },
  { username: 'chutich', role: 'approver', displayName: 'Chủ tịch UBND xã' },
];
const sessions: Record<string, string> = {};
for (const p of people) {
  await fetch(`${sys.httpUrl}/api/users`, { method: 'POST', headers: { cookie, 'content-type': 'application/json' }, body: JSON.stringify({ ...p, password }) });
  const res = await fetch(`${sys.httpUrl}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: p.username, password }) });
  sessions[p.username] = res.headers.get('set-cookie')!.split(';')[0];
}
const as = (who: string, path: string, json?: unknown) => fetch(`${sys.httpUrl}${path}`, {
  method: json === undefined ? 'GET' : 'POST', headers: { cookie: sessions[who], 'content-type': 'application/json' }, body: json === undefined ? undefined : JSON.stringify(json),
}).then(async (r) => {
  const body = await r.json();
  if (!r.ok) throw new Error(`${path}: ${r.status} ${JSON.stringify(body)}`);
  return body;
});
let { job } = await as('canbo', '/api/programs/tts', {
  title: 'Lời chào năm mới của Chủ tịch UBND xã', category: 'greeting', templateId: 'tet-greeting',
  fields: { commune: config.communeName, chair: 'Nguyễn Văn An', lunarYear: 'Đinh Mùi' },
});
while (job.status === 'queued' || job.status === 'running') {
  await new Promise((r) => setTimeout(r, 200));
  ({ job } = await as('canbo', `/api/jobs/${job.id}`));
}
if (job.status !== 'succeeded') throw new Error(`demo: speech failed: ${job.error?.message}`);
await as('canbo', `/api/programs/${job.result.programId}/submit`, {});
const { program } = await as('chutich', `/api/programs/${job.result.programId}/approve`, { version: job.result.version });
const startAt = Math.ceil((Date.now() + 15_000) / 1000) * 1000;
await api('/api/schedules', {
  method: 'POST', json: { programId: program.id, zoneIds: zoneIds.slice(0, 2), rule: { type: 'once', at: toZonedIso(startAt, config.timeZone) } },
});

console.log(`
  Loa Làng demo is running.

  Panel:      ${sys.httpUrl}/   (users admin, canbo (editor), chutich (approver); password ${password})
  MQTT:       ${sys.mqttUrl}  (and ws://127.0.0.1:${sys.httpPort}/mqtt)
  Gateways:   ${devices.map((d) => d.id).join(', ')}  (recordings in ${cacheRoot}/<id>/sink.jsonl)

  "${program.title}" (${(program.asset.durationMs / 1000).toFixed(1)} s, ${program.asset.loudnessLufs} LUFS)
  plays at ${toZonedIso(startAt, config.timeZone)} on Thôn Đông and Thôn Tây, not on Thôn Nam.
  Watch the panel: the two gateways show what they are playing. Ctrl-C stops everything.
`);

const seen = new Set<string>();
const poll = setInterval(async () => {
  const { playlogs } = await api('/api/playlogs').catch(() => ({ playlogs: [] }));
  for (const p of playlogs) {
    if (seen.has(p.id)) continue;
    seen.add(p.id);
    console.log(`  played on ${p.deviceId}: ${p.result}, started ${p.startErrorMs} ms after its startAt`);
  }
}, 1000);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, async () => {
    clearInterval(poll);
    await fleet.stop();
    await sys.stop();
    process.exit(0);
  });
}
