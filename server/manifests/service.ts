import { eq, inArray, sql } from 'drizzle-orm';
import { topics, type SigningKeys } from '../../devices/protocol/index.js';
import type { Bus } from '../bus.js';
import type { Clock } from '../clock.js';
import type { Db } from '../db/client.js';
import { deviceManifests, manifestTemplates } from '../db/schema.js';
import type { AssetRef } from '../domain/manifest.js';
import { expandOccurrences, type DeviceRef, type Occurrence, type ProgramRef, type ScheduleDef } from '../domain/occurrences.js';
import { deviceItemsHash, deviceManifestBytes, nextVersion, type ZoneTemplate } from '../domain/zone-manifest.js';
import { planZones, zonesOf } from './plan.js';
import type { Logger } from '../logger.js';
import type { DevicePlane } from '../mqtt/plane.js';
import { createBatchSigner, type BatchSigner } from './signer.js';
import { breather } from '../domain/breathe.js';

/** Devices planned, signed, stored and published together. */
const CHUNK = 250;
/** Chunks planned and signing ahead of the one being published: at most this many… */
const CHUNKS_AHEAD = 8;
/** …and at most this many bytes of payloads held for them (a hamlet's manifest may be 85 KB). */
const AHEAD_BYTES = 4_000_000;

export interface PlanSource {
  schedules(): ScheduleDef[];
  devices(): DeviceRef[];
  programs(): { id: string; title: string; asset: { sha256: string; bytes: number; durationMs: number; url: string } }[];
  /** Quiet hours by zone id, read once per rebuild. */
  quietHours(): Map<string, { start: string; end: string }>;
}

/**
 * Builds each device's manifest from the schedules, signs it, and publishes it retained.
 * Only devices whose items changed get a new version. From start(), it follows every change that
 * can alter what a device plays; the rebuilds as items leave the horizon are housekeeping's (on cron).
 */
export function createManifestsService(deps: {
  db: Db; bus: Bus; clock: Clock; log: Logger; plane: DevicePlane; keys: SigningKeys; source: PlanSource; horizonMs: number; timeZone: string;
  /** Items a manifest holds at most: the soonest are kept (schedules are refused past it; older data is cut). */
  maxItems?: number;
  /** The signing threads, shared with whoever else signs for the server; its own when not given (closed by close()). */
  signer?: BatchSigner;
}) {
  const { db, clock, log, plane, keys, source, horizonMs, timeZone: tz } = deps;
  const maxItems = deps.maxItems ?? 2000;
  const ownSigner = deps.signer ? undefined : createBatchSigner(keys.privateKey);
  const signer = deps.signer ?? ownSigner!;
  // Prepared once, on the driver itself: a rebuild stores thousands of manifests, and the query
  // builder's mapping of each row's parameters cost more than SQLite's own work (79 ms of 10,000).
  const store = db.$client.prepare(`insert into device_manifests
      (device_id, version, items_hash, template_hash, issued_at, valid_until, sig, envelope, published_at)
    values (@deviceId, @version, @itemsHash, @templateHash, @issuedAt, @validUntil, @sig, null, @publishedAt)
    on conflict (device_id) do update set version = excluded.version, items_hash = excluded.items_hash,
      template_hash = excluded.template_hash, issued_at = excluded.issued_at, valid_until = excluded.valid_until,
      sig = excluded.sig, envelope = null, published_at = excluded.published_at`);
  const storeChunk = db.$client.transaction((rows: object[]) => {
    for (const row of rows) store.run(row);
  });
  /** What each stored manifest is (version, items), read raw for the same reason. */
  const currentAll = db.$client.prepare('select device_id as deviceId, version, items_hash as itemsHash from device_manifests');
  const currentInZones = db.$client.prepare(`select m.device_id as deviceId, m.version, m.items_hash as itemsHash
    from device_manifests m join devices d on d.id = m.device_id where d.zone_id in (select value from json_each(?))`);
  const storeTemplate = db.insert(manifestTemplates).values({ hash: sql.placeholder('hash'), template: sql.placeholder('template'), createdAt: sql.placeholder('createdAt') })
    .onConflictDoNothing().prepare();
  /** Templates no stored manifest uses any more (a hamlet's items changed): gone after each rebuild. */
  const dropUnused = () => db.$client.prepare(`delete from manifest_templates where hash not in
    (select template_hash from device_manifests where template_hash is not null)`).run();

  type StoredRow = typeof deviceManifests.$inferSelect;
  /** A stored manifest's envelope, made again from its hamlet's template: byte for byte what was signed. */
  const envelopeOf = (row: StoredRow, templateOf: (hash: string) => ZoneTemplate | undefined): Buffer | null => {
    if (row.envelope) return Buffer.from(row.envelope);
    const t = row.templateHash ? templateOf(row.templateHash) : undefined;
    if (!t || row.sig === null || row.issuedAt === null || row.validUntil === null) return null;
    return deviceManifestBytes(t, { deviceId: row.deviceId, version: row.version, issuedAt: row.issuedAt, validUntil: row.validUntil }).envelope(row.sig);
  };
  /** Reads templates from the database, each once per call site's cache. */
  const templateReader = () => {
    const cache = new Map<string, ZoneTemplate | undefined>();
    return (hash: string) => {
      if (!cache.has(hash)) {
        const row = db.select().from(manifestTemplates).where(eq(manifestTemplates.hash, hash)).get();
        cache.set(hash, row ? { hash, ...(JSON.parse(row.template) as Omit<ZoneTemplate, 'hash'>) } : undefined);
      }
      return cache.get(hash);
    };
  };

  // Counts deletions, so a rebuild re-reads the devices only when one was deleted while it signed.
  let deletions = 0;
  /** Devices that hold a version we never published (a restored backup): their next version goes above. */
  const floors = new Map<string, number>();
  /** A restore is never a million versions behind; a device saying so is lying, and is only flagged. */
  const MAX_AHEAD = 1_000_000;

  const programMaps = () => {
    const programs = source.programs();
    const refs = new Map<string, ProgramRef>(programs.map((p) => [p.id, { id: p.id, durationMs: p.asset.durationMs }]));
    const assets = new Map<string, AssetRef>(programs.map((p) => [p.id, { title: p.title, ...p.asset }]));
    return { refs, assets };
  };

  const preview = (w: { from: number; to: number }, zoneId?: string): Occurrence[] => {
    const devices = source.devices().filter((d) => !zoneId || d.zoneId === zoneId);
    return expandOccurrences(source.schedules(), devices, programMaps().refs, w, tz);
  };

  /**
   * Rebuilds the manifests of the devices in `zoneIds` (all when omitted). A device's items depend only
   * on the schedules targeting its zone, so a change to one schedule touches only its zones' devices.
   */
  async function rebuild(zoneIds: string[] | 'all' = 'all'): Promise<{ published: string[]; considered: number }> {
    const started = performance.now();
    const result = await rebuildNow(zoneIds);
    deps.bus.emit('manifests.rebuilt', { ms: performance.now() - started, published: result.published.length, considered: result.considered });
    return result;
  }

  async function rebuildNow(zoneIds: string[] | 'all'): Promise<{ published: string[]; considered: number }> {
    const now = clock.now();
    const inScope = (z: string) => zoneIds === 'all' || zoneIds.includes(z);
    const devices = source.devices().filter((d) => inScope(d.zoneId));
    const schedules = source.schedules().filter((s) => zoneIds === 'all' || s.zoneIds === 'all' || s.zoneIds.some(inScope));
    const { refs, assets } = programMaps();
    const templates = await planZones({
      zoneIds: zonesOf(devices), schedules, refs, assets, quietHours: source.quietHours(), window: { from: now, to: now + horizonMs }, tz, maxItems,
      onCut: (zoneId, items) => log.warn('manifest cut to its item limit', { zoneId, items, limit: maxItems }),
    });
    // Only the manifests in scope are read: a fleet of 10,000 must not be read for a change in one zone.
    type Current = { deviceId: string; version: number; itemsHash: string };
    const rows = (zoneIds === 'all' ? currentAll.all() : currentInZones.all(JSON.stringify(zoneIds))) as Current[];
    const previous = new Map(rows.map((r) => [r.deviceId, r]));
    // Planned, signed, stored and published a chunk at a time, the next chunks signing in the worker
    // thread while this one is stored and published: the broker delivers the first manifests while
    // the last are still being signed, and the event loop is never held for the whole fleet. Several
    // chunks sign ahead when manifests are small, so a signing thread kept off a busy core for a
    // moment does not leave the event loop waiting; with large ones, memory stays bounded.
    const breathe = breather();
    const signChunk = async (from: number, to: number) => {
      const planned = [];
      const slice = devices.slice(from, to);
      for (let i = 0; i < slice.length; i++) {
        const d = slice[i];
        // Every 32 gateways: a yield per gateway cost a promise each.
        if ((i & 31) === 0) await breathe();
        const t = templates.get(d.zoneId)!;
        const hash = deviceItemsHash(t, d.id);
        // A device ahead of us gets a version above what it holds, even with the same items.
        const version = nextVersion(previous.get(d.id), hash, floors.get(d.id));
        if (version === null) continue;
        planned.push({ deviceId: d.id, version, itemsHash: hash, template: t, bytes: deviceManifestBytes(t, { deviceId: d.id, version, issuedAt: now, validUntil: now + horizonMs }) });
      }
      // The payloads move to the signing threads; the envelopes are made from the hamlet's escaped text.
      const sigs = await signer.sign(planned.map((p) => p.bytes.payload));
      const out = [];
      for (const [k, p] of planned.entries()) {
        if ((k & 31) === 0) await breathe();
        out.push({
          row: {
            deviceId: p.deviceId, version: p.version, itemsHash: p.itemsHash, templateHash: p.template.hash, issuedAt: now, validUntil: now + horizonMs,
            sig: sigs[k], publishedAt: now,
          },
          template: p.template,
          envelope: p.bytes.envelope(sigs[k]),
        });
      }
      return out;
    };
    const templatesStored = new Set<string>();
    let alive = new Set(devices.map((d) => d.id)), seen = deletions;
    const kept: string[] = [];
    const publishing: Promise<void>[] = [];
    // A chunk signing ahead is awaited in its turn; should storing this one throw first, its failure
    // must not surface as an unhandled rejection.
    const ahead = (from: number, to: number) => {
      const p = signChunk(from, to);
      p.catch(() => {});
      return p;
    };
    const largest = Math.max(0, ...[...templates.values()].map((t) => t.segments.reduce((n, x) => n + x.length, 0)));
    const depth = Math.max(1, Math.min(CHUNKS_AHEAD, Math.floor(AHEAD_BYTES / (CHUNK * (largest + 200)))));
    const queued: ReturnType<typeof ahead>[] = [];
    let nextFrom = 0;
    // The first chunk goes out alone, so the first gateways hear at once; the lookahead then grows by
    // one chunk per chunk published.
    let allowed = 1;
    const fill = () => {
      for (; queued.length < allowed && nextFrom < devices.length; nextFrom += CHUNK) queued.push(ahead(nextFrom, nextFrom + CHUNK));
    };
    fill();
    while (queued.length) {
      const rows = await queued.shift()!;
      allowed = Math.min(depth, allowed + 1);
      fill();
      // Each hamlet's template is stored once, before the first gateway's row that names it, one per turn
      // of the event loop (a full rebuild's first chunk meets every hamlet: 100 templates of ~85 KB took
      // 77 ms in one transaction); one left unused by a crash here is dropped by the next rebuild.
      for (const { template: t } of rows) {
        if (templatesStored.has(t.hash)) continue;
        templatesStored.add(t.hash);
        await breathe();
        storeTemplate.run({ hash: t.hash, template: JSON.stringify({ segments: t.segments, quietHours: t.quietHours, count: t.count }), createdAt: now });
      }
      // Signing let other work run: a device deleted meanwhile gets no manifest.
      if (deletions !== seen) [alive, seen] = [new Set(source.devices().map((d) => d.id)), deletions];
      const chunk = rows.filter((r) => alive.has(r.row.deviceId));
      // Stored before it is published, one WAL commit per chunk: a gateway never holds a version the
      // database lacks. A crash between chunks leaves the rest on their old manifests, and the
      // rebuild at start-up gives them the new ones.
      storeChunk(chunk.map((r) => r.row));
      publishing.push(publishAll(chunk.map((r) => ({ deviceId: r.row.deviceId, version: r.row.version, envelope: r.envelope }))));
      kept.push(...chunk.map((r) => r.row.deviceId));
      for (const { row: r } of chunk) if (floors.has(r.deviceId) && r.version > floors.get(r.deviceId)!) floors.delete(r.deviceId);
    }
    await Promise.all(publishing);
    if (kept.length) dropUnused();
    return { published: kept, considered: devices.length };
  }

  /** Publishes retained manifests; once the broker has them all, says so on the bus in one event. */
  async function publishAll(rows: { deviceId: string; version: number; envelope: Buffer }[]) {
    const started = performance.now();
    await Promise.all(rows.map((r) => plane.publish(topics.manifest(r.deviceId), r.envelope, { retain: true, qos: 1 })));
    if (rows.length) deps.bus.emit('manifests.published', { manifests: rows.map((r) => ({ deviceId: r.deviceId, version: r.version })), ms: performance.now() - started });
  }

  /** A device's stored manifest as the envelope it was published as (null when it has none). */
  function stored(deviceId: string): { version: number; envelope: Buffer } | null {
    const row = db.select().from(deviceManifests).where(eq(deviceManifests.deviceId, deviceId)).get();
    const envelope = row ? envelopeOf(row, templateReader()) : null;
    return row && envelope ? { version: row.version, envelope } : null;
  }

  async function publishStored(deviceId: string) {
    const m = stored(deviceId);
    if (m) await publishAll([{ deviceId, ...m }]);
  }

  /** An empty retained payload removes the retained manifest [MQTT-3.3.1-10]. */
  const clear = (deviceId: string) => plane.publish(topics.manifest(deviceId), '', { retain: true, qos: 1 });

  // Rebuilds are serialised: two changes in quick succession must not interleave version numbers.
  // Changes that arrive while a rebuild is waiting join it (their zones merged), so a burst (a
  // thousand gateways provisioned, a script editing schedules) costs a few rebuilds, not one each.
  let chain: Promise<unknown> = Promise.resolve();
  type Waiting = { zones: Set<string> | 'all'; run: Promise<{ published: string[]; considered: number }> };
  let waiting = null as Waiting | null;
  const queueRebuild = (zoneIds: string[] | 'all' = 'all') => {
    const w = waiting;
    if (w) {
      if (zoneIds === 'all') w.zones = 'all';
      else if (w.zones !== 'all') for (const z of zoneIds) w.zones.add(z);
      return w.run;
    }
    const entry: Waiting = { zones: zoneIds === 'all' ? 'all' : new Set(zoneIds), run: Promise.resolve({ published: [], considered: 0 }) };
    const run = () => {
      waiting = null;
      return rebuild(entry.zones === 'all' ? 'all' : [...entry.zones]);
    };
    entry.run = chain.then(run, run);
    waiting = entry;
    chain = entry.run.catch(() => {});
    return entry.run;
  };

  const owner = 'manifests';
  return {
    preview,
    close: async () => ownSigner?.close(),
    rebuild: queueRebuild,
    /** Resolves once every rebuild queued so far has run (tests and benchmarks wait on it). */
    whenIdle: async () => {
      while (waiting) await waiting.run.catch(() => {});
      await chain;
    },
    /** Re-publishes every stored manifest retained (but those in `except`, just published): after a restart the broker may hold none. */
    async republishAll(except: Iterable<string> = []) {
      const skip = new Set(except);
      const templateOf = templateReader();
      const ids = db.select({ deviceId: deviceManifests.deviceId }).from(deviceManifests).all().map((r) => r.deviceId).filter((id) => !skip.has(id));
      // A chunk at a time: ten thousand envelopes at once would hold gigabytes.
      for (let i = 0; i < ids.length; i += CHUNK) {
        const rows = db.select().from(deviceManifests).where(inArray(deviceManifests.deviceId, ids.slice(i, i + CHUNK))).all().flatMap((r) => {
          const envelope = envelopeOf(r, templateOf);
          return envelope ? [{ deviceId: r.deviceId, version: r.version, envelope }] : [];
        });
        await publishAll(rows);
      }
    },
    stored,
    clear,
    start() {
      const { bus } = deps;
      bus.on('schedule.changed', owner, ({ zoneIds }) => queueRebuild(zoneIds).then(() => {}));
      bus.on('zone.changed', owner, ({ zoneId }) => queueRebuild([zoneId]).then(() => {}));
      bus.on('device.created', owner, ({ zoneId }) => queueRebuild([zoneId]).then(() => {}));
      bus.on('device.moved', owner, ({ toZoneId }) => queueRebuild([toZoneId]).then(() => {}));
      bus.on('program.airing-changed', owner, () => queueRebuild().then(() => {}));
      bus.on('device.deleted', owner, ({ deviceId }) => {
        deletions++;
        return clear(deviceId);
      });
      // Resync: a broker that lost its retained messages (restart without persistence) gets the
      // device's current manifest again whenever the device says it is online.
      bus.on('device.online', owner, ({ deviceId }) => publishStored(deviceId));
      bus.on('device.version-ahead', owner, ({ deviceId, reported }) => {
        const stored = db.select({ version: deviceManifests.version }).from(deviceManifests).where(eq(deviceManifests.deviceId, deviceId)).get()?.version ?? 0;
        if (reported - stored > MAX_AHEAD) return log.warn('device reports an impossible manifest version; flagged, not followed', { deviceId, reported, stored });
        log.warn('device holds a manifest version this server never published (restored backup?); publishing above it', { deviceId, reported, stored });
        floors.set(deviceId, reported);
        const zoneId = source.devices().find((d) => d.id === deviceId)?.zoneId;
        return zoneId ? queueRebuild([zoneId]).then(() => {}) : undefined;
      });
      bus.on('device.manifest-rejected', owner, ({ deviceId, version, reason }) => log.warn('device rejected its manifest', { deviceId, version, reason }));
    },
    stop() {
      deps.bus.removeListeners(owner);
    },
  };
}

export type ManifestsService = ReturnType<typeof createManifestsService>;
