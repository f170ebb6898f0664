/**
 * Manifest building at commune-federation scale: 1,000 schedules over 14 days for 2,000 devices.
 * Prints the full build (expand + sign + store), memory, and an incremental change to one schedule,
 * beside a baseline from the same run: signing the same number of manifests alone (Ed25519).
 *   npx tsx bench/manifests.ts [devices=2000] [schedules=1000]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { eq } from 'drizzle-orm';
import { generateSigningKeys, loadSigningKeys, signPayload } from '../devices/protocol/index.js';
import { createBus } from '../server/bus.js';
import { openDb } from '../server/db/client.js';
import { assets, devices as devicesTable, programs, schedules, users, zones as zonesTable } from '../server/db/schema.js';
import { createLogger } from '../server/logger.js';
import { createManifestsService } from '../server/manifests/service.js';
import { benchSchedules } from './commune.js';
import type { DevicePlane } from '../server/mqtt/plane.js';

const N_DEVICES = Number(process.argv[2] ?? 2000);
const N_SCHEDULES = Number(process.argv[3] ?? 1000);
const N_ZONES = Math.max(1, Math.round(N_DEVICES / 20));
const TZ = 'Asia/Ho_Chi_Minh';
const NOW = Date.parse('2026-12-01T00:00:00+07:00');

const dir = mkdtempSync(join(tmpdir(), 'loalang-bench-'));
const { db, sqlite } = openDb(join(dir, 'bench.db'));
const keys = loadSigningKeys(generateSigningKeys().privateKeyPem);
let published = 0;
let publishedBytes = 0;
// The broker is not what this measures; publishing counts the bytes that would go out.
const plane: DevicePlane = {
  connected: true,
  async publish(_t, payload) {
    published++;
    publishedBytes += Buffer.byteLength(payload);
  },
  onDevice() {},
};

sqlite.transaction(() => {
  db.insert(users).values({ id: 'us_b', username: 'bench', role: 'admin', passwordHash: 'x', createdAt: 0 }).run();
  for (let z = 0; z < N_ZONES; z++) db.insert(zonesTable).values({ id: `zn_${z}`, name: `Thôn ${z}`, createdAt: 0 }).run();
  for (let d = 0; d < N_DEVICES; d++) db.insert(devicesTable).values({ id: `gw-${d}`, name: `gw ${d}`, zoneId: `zn_${d % N_ZONES}`, secretHash: 'x', createdAt: 0 }).run();
  for (let p = 0; p < 50; p++) {
    const sha = p.toString(16).padStart(64, '0');
    db.insert(assets).values({ sha256: sha, bytes: 90_000, durationMs: 30_000 + p * 1000, loudnessLufs: -16, truePeakDb: -2, createdAt: 0 }).run();
    db.insert(programs).values({ id: `pg_${p}`, title: `Chương trình ${p}`, category: 'news', status: 'approved', assetSha256: sha, createdAt: 0, updatedAt: 0 }).run();
  }
  for (const row of benchSchedules(N_SCHEDULES, N_ZONES, '2026-12-01')) db.insert(schedules).values(row).run();
})();

let clockNow = NOW;
const source = {
  schedules: () => db.select().from(schedules).all().map((r) => ({
    id: r.id, programIds: [r.programId], zoneIds: r.zoneIds, rule: r.rule as never, priority: r.priority, seriesAnchor: 0,
  })),
  devices: () => db.select({ id: devicesTable.id, zoneId: devicesTable.zoneId }).from(devicesTable).all(),
  programs: () => db.select({ p: programs, a: assets }).from(programs).innerJoin(assets, eq(assets.sha256, programs.assetSha256)).all()
    .map(({ p, a }) => ({ id: p.id, title: p.title, asset: { sha256: a.sha256, bytes: a.bytes, durationMs: a.durationMs, url: `/media/${a.sha256}.opus` } })),
  quietHours: () => new Map(Array.from({ length: N_ZONES }, (_, z) => [`zn_${z}`, { start: '22:00', end: '05:30' }])),
};
const manifests = createManifestsService({
  db, bus: createBus(createLogger('silent')), clock: { now: () => clockNow }, log: createLogger('silent'), plane, keys, source,
  horizonMs: 14 * 86400_000, timeZone: TZ,
});

const mb = (b: number) => `${(b / 1048576).toFixed(0)} MB`;
global.gc?.();
const heapBefore = process.memoryUsage().heapUsed;
const rssBefore = process.memoryUsage().rss;
// Resident memory sampled during the build (the process's own peak includes the setup above).
let rssPeak = rssBefore;
const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, process.memoryUsage().rss)), 20);
// How long the event loop was held at worst: an HTTP request (/healthz) waits at least that long.
// The histogram starts on the next turn of the loop, so the rebuild starts on the one after.
const loop = monitorEventLoopDelay({ resolution: 10 });
loop.enable();
await new Promise((r) => setTimeout(r, 20));
let t = performance.now();
const full = await manifests.rebuild();
const fullMs = performance.now() - t;
loop.disable();
clearInterval(sampler);
const rssAfter = process.memoryUsage().rss;
const heapAfter = process.memoryUsage().heapUsed;
const itemsTotal = publishedBytes;

// Baseline: signing the same manifests' bytes, nothing else.
const sample = { deviceId: 'gw-0', version: 1, issuedAt: NOW, validUntil: NOW, items: new Array(Math.round(itemsTotal / N_DEVICES / 330)).fill({ occurrenceId: 'oc_xxxxxxxxxxxxxxxxxxxxxx', programId: 'pg_1', title: 'Chương trình 1', priority: 'normal', startAt: NOW, asset: { sha256: '0'.repeat(64), bytes: 90000, durationMs: 30000, url: `/media/${'0'.repeat(64)}.opus` } }) };
t = performance.now();
for (let i = 0; i < N_DEVICES; i++) signPayload({ ...sample, deviceId: `gw-${i}` }, keys.privateKey);
const signMs = performance.now() - t;

// Incremental: one schedule on two zones changes its time.
db.update(schedules).set({ rule: { type: 'rrule', dtstart: '2026-12-01T09:45:00+07:00', rrule: 'FREQ=DAILY' } }).where(eq(schedules.id, 'sc_1')).run();
clockNow += 1000;
t = performance.now();
const inc = await manifests.rebuild(['zn_1', `zn_${7 % N_ZONES}`]);
const incMs = performance.now() - t;

console.log(`manifests for ${N_DEVICES} devices, ${N_SCHEDULES} schedules, ${N_ZONES} zones, 14-day horizon`);
console.log(`  full build (expand + sign + store + publish): ${fullMs.toFixed(0)} ms, ${full.published.length} manifests, ${(itemsTotal / 1048576).toFixed(1)} MB signed JSON`);
console.log(`  baseline, Ed25519 signing alone of ${N_DEVICES} manifests of the same size: ${signMs.toFixed(0)} ms`);
console.log(`  worst event-loop delay during the build: ${(loop.max / 1e6).toFixed(0)} ms (p99 ${(loop.percentile(99) / 1e6).toFixed(0)} ms); /healthz must answer in < 200 ms`);
console.log(`  memory: rss ${mb(rssBefore)} before, peak ${mb(Math.max(rssPeak, rssAfter))} during the build (target ≤ 400 MB), heap +${mb(heapAfter - heapBefore)}`);
console.log(`  incremental change to one schedule: ${incMs.toFixed(0)} ms, ${inc.considered} devices considered, ${inc.published.length} republished (of ${N_DEVICES})`);
// The signer's worker threads end here, so the benchmark exits by itself once it has printed.
await manifests.close();
sqlite.close();
rmSync(dir, { recursive: true, force: true });
