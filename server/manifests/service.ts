import { eq, inArray, sql } from 'drizzle-orm';
import { topics, type Envelope, type SigningKeys } from '../../devices/protocol/index.js';
import type { Bus } from '../bus.js';
import type { Clock } from '../clock.js';
import type { Db } from '../db/client.js';
import { deviceManifests, devices as deviceTable } from '../db/schema.js';
import type { AssetRef } from '../domain/manifest.js';
import { expandOccurrences, type DeviceRef, type Occurrence, type ProgramRef, type ScheduleDef } from '../domain/occurrences.js';
import { deviceItemsHash, devicePayload, nextVersion } from '../domain/zone-manifest.js';
import { planZones, zonesOf } from './plan.js';
import type { Logger } from '../logger.js';
import type { DevicePlane } from '../mqtt/plane.js';
import { createBatchSigner } from './signer.js';

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
    .values({ deviceId: p('deviceId'), version: p('version'), itemsHash: p('itemsHash'), envelope: p('envelope'), publishedAt: p('publishedAt') })
    .onConflictDoUpdate({
      target: deviceManifests.deviceId,
      set: { version: sql`excluded.version`, itemsHash: sql`excluded.items_hash`, envelope: sql`excluded.envelope`, publishedAt: sql`excluded.published_at` },
    })
    .prepare();

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
    const templates = planZones({
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
    const signChunk = async (from: number, to: number) => {
      const planned = devices.slice(from, to).flatMap((d) => {
        const t = templates.get(d.zoneId)!;
        const hash = deviceItemsHash(t, d.id);
        const prev = previous.get(d.id);
        const floor = floors.get(d.id);
        // A device ahead of us gets a version above what it holds, even with the same items.
        const version = nextVersion(prev, hash, floor);
        if (version === null) return [];
        return [{ deviceId: d.id, version, itemsHash: hash, payload: devicePayload(t, { deviceId: d.id, version, issuedAt: now, validUntil: now + horizonMs }) }];
      });
      const sigs = await signer.sign(planned.map((p) => p.payload));
      return planned.map((p, k): typeof deviceManifests.$inferInsert => ({
        deviceId: p.deviceId, version: p.version, itemsHash: p.itemsHash, publishedAt: now,
        envelope: JSON.stringify({ payload: p.payload, sig: sigs[k] } satisfies Envelope),
      }));
    };
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
      // Signing let other work run: a device deleted meanwhile gets no manifest.
      if (deletions !== seen) [alive, seen] = [new Set(source.devices().map((d) => d.id)), deletions];
      const chunk = rows.filter((r) => alive.has(r.deviceId));
      // Stored before it is published, one WAL commit per chunk: a gateway never holds a version the
      // database lacks. A crash between chunks leaves the rest on their old manifests, and the
      // rebuild at start-up gives them the new ones.
      db.transaction(() => {
        for (const row of chunk) store.run(row);
      });
      publishing.push(publishAll(chunk));
      kept.push(...chunk.map((r) => r.deviceId));
      for (const r of chunk) if (floors.has(r.deviceId) && r.version > floors.get(r.deviceId)!) floors.delete(r.deviceId);
    }
    await Promise.all(publishing);
    return { published: kept, considered: devices.length };
  }

  /** Publishes retained manifests; once the broker has them all, says so on the bus in one event. */
  async function publishAll(rows: { deviceId: string; version: number; envelope: string }[]) {
    const started = performance.now();
    await Promise.all(rows.map((r) => plane.publish(topics.manifest(r.deviceId), r.envelope, { retain: true, qos: 1 })));
    if (rows.length) deps.bus.emit('manifests.published', { manifests: rows.map((r) => ({ deviceId: r.deviceId, version: r.version })), ms: performance.now() - started });
  }

  async function publishStored(deviceId: string) {
    const row = db.select().from(deviceManifests).where(eq(deviceManifests.deviceId, deviceId)).get();
    if (row) await publishAll([row]);
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
    /** Re-publishes every stored manifest retained: after a restart the broker may hold none. */
    async republishAll() {
      const rows = db.select({ deviceId: deviceManifests.deviceId, version: deviceManifests.version, envelope: deviceManifests.envelope }).from(deviceManifests).all();
      await publishAll(rows);
    },
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
