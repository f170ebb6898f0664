import { eq, inArray, sql } from 'drizzle-orm';
import { topics, type SigningKeys } from '../../devices/protocol/index.js';
import type { Bus } from '../bus.js';
import type { Clock } from '../clock.js';
import type { Db } from '../db/client.js';
import { deviceManifests, devices as deviceTable, manifestTemplates } from '../db/schema.js';
import type { AssetRef } from '../domain/manifest.js';
import { expandOccurrences, type DeviceRef, type Occurrence, type ProgramRef, type ScheduleDef } from '../domain/occurrences.js';
import { deviceItemsHash, deviceManifestBytes, nextVersion, type ZoneTemplate } from '../domain/zone-manifest.js';
import { planZones, zonesOf } from './plan.js';
import type { Logger } from '../logger.js';
import type { DevicePlane } from '../mqtt/plane.js';
import { createBatchSigner } from './signer.js';
import { breather } from '../domain/breathe.js';

/** Devices in the first chunk planned, signed, stored and published together; each next chunk is twice the size, up to MAX_CHUNK. */
const FIRST_CHUNK = 250;
const MAX_CHUNK = 250;

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
}) {
  const { db, clock, log, plane, keys, source, horizonMs, timeZone: tz } = deps;
  const maxItems = deps.maxItems ?? 2000;
  const signer = createBatchSigner(keys.privateKey);
  // Prepared once: a rebuild stores thousands of manifests, and building each statement anew cost more than running it.
  const p = (name: keyof typeof deviceManifests.$inferInsert) => sql.placeholder(name);
  const store = db.insert(deviceManifests)
    .values({
      deviceId: p('deviceId'), version: p('version'), itemsHash: p('itemsHash'), templateHash: p('templateHash'), issuedAt: p('issuedAt'),
      validUntil: p('validUntil'), sig: p('sig'), envelope: null, publishedAt: p('publishedAt'),
    })
    .onConflictDoUpdate({
      target: deviceManifests.deviceId,
      set: {
        version: sql`excluded.version`, itemsHash: sql`excluded.items_hash`, templateHash: sql`excluded.template_hash`, issuedAt: sql`excluded.issued_at`,
        validUntil: sql`excluded.valid_until`, sig: sql`excluded.sig`, envelope: null, publishedAt: sql`excluded.published_at`,
      },
    })
    .prepare();
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
    const current = db.select({ deviceId: deviceManifests.deviceId, version: deviceManifests.version, itemsHash: deviceManifests.itemsHash }).from(deviceManifests);
    const previous = new Map(
      (zoneIds === 'all' ? current : current.where(inArray(deviceManifests.deviceId, db.select({ id: deviceTable.id }).from(deviceTable).where(inArray(deviceTable.zoneId, zoneIds)))))
        .all().map((r) => [r.deviceId, r]),
    );
    // Planned, signed, stored and published a chunk at a time, the next chunk signing in the worker
    // threads while this one is stored and published: the broker delivers the first manifests while
    // the last are still being signed, and the event loop is never held for the whole fleet. Chunks
    // double in size (up to MAX_CHUNK), so the first publish comes early and memory stays bounded.
    const breathe = breather();
    const signChunk = async (from: number, to: number) => {
      const planned = [];
      for (const d of devices.slice(from, to)) {
        await breathe();
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
        await breathe();
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
    let size = FIRST_CHUNK;
    // A chunk signing ahead is awaited in its turn; should storing this one throw first, its failure
    // must not surface as an unhandled rejection.
    const ahead = (from: number, to: number) => {
      const p = signChunk(from, to);
      p.catch(() => {});
      return p;
    };
    let signing = ahead(0, size);
    for (let from = 0; from < devices.length; from += size, size = Math.min(size * 2, MAX_CHUNK)) {
      const rows = await signing;
      const next = Math.min(size * 2, MAX_CHUNK);
      if (from + size < devices.length) signing = ahead(from + size, from + size + next);
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
      db.transaction(() => {
        for (const { row } of chunk) store.run(row);
      });
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
    close: () => signer.close(),
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
      for (let i = 0; i < ids.length; i += MAX_CHUNK) {
        const rows = db.select().from(deviceManifests).where(inArray(deviceManifests.deviceId, ids.slice(i, i + MAX_CHUNK))).all().flatMap((r) => {
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
