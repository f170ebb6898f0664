import { eq } from 'drizzle-orm';
import { deviceEvent, signPayload, topics, type SigningKeys } from '../../devices/protocol/index.js';
import type { Bus } from '../bus.js';
import type { Clock } from '../clock.js';
import type { Db } from '../db/client.js';
import { deviceManifests } from '../db/schema.js';
import { manifestItems, nextManifest, type AssetRef } from '../domain/manifest.js';
import { expandOccurrences, type DeviceRef, type Occurrence, type ProgramRef, type ScheduleDef } from '../domain/occurrences.js';
import type { Logger } from '../logger.js';
import { safeJson, type DevicePlane } from '../mqtt/plane.js';

export interface PlanSource {
  schedules(): ScheduleDef[];
  devices(): DeviceRef[];
  programs(): { id: string; title: string; asset: { sha256: string; bytes: number; durationMs: number; url: string } }[];
  quietHours(zoneId: string): { start: string; end: string } | undefined;
}

/**
 * Builds each device's manifest from the schedules, signs it, and publishes it retained.
 * Only devices whose items changed get a new version.
 */
export function createManifestsService(deps: {
  db: Db; bus: Bus; clock: Clock; log: Logger; plane: DevicePlane; keys: SigningKeys; source: PlanSource; horizonMs: number;
  onApplied: (deviceId: string, version: number) => void;
}) {
  const { db, clock, log, plane, keys, source, horizonMs } = deps;

  const programMaps = () => {
    const programs = source.programs();
    const refs = new Map<string, ProgramRef>(programs.map((p) => [p.id, { id: p.id, durationMs: p.asset.durationMs }]));
    const assets = new Map<string, AssetRef>(programs.map((p) => [p.id, { title: p.title, ...p.asset }]));
    return { refs, assets };
  };

  const preview = (w: { from: number; to: number }, zoneId?: string): Occurrence[] => {
    const devices = source.devices().filter((d) => !zoneId || d.zoneId === zoneId);
    return expandOccurrences(source.schedules(), devices, programMaps().refs, w);
  };

  async function rebuild(): Promise<{ published: string[] }> {
    const now = clock.now();
    const devices = source.devices();
    const { refs, assets } = programMaps();
    const all = expandOccurrences(source.schedules(), devices, refs, { from: now, to: now + horizonMs });
    const byDevice = new Map<string, Occurrence[]>(devices.map((d) => [d.id, []]));
    for (const o of all) byDevice.get(o.deviceId)?.push(o);
    const published: string[] = [];
    for (const d of devices) {
      const previous = db.select().from(deviceManifests).where(eq(deviceManifests.deviceId, d.id)).get();
      const next = nextManifest(previous, {
        deviceId: d.id, items: manifestItems(byDevice.get(d.id)!, assets), quietHours: source.quietHours(d.zoneId), now, horizonMs,
      });
      if (!next) continue;
      const envelope = JSON.stringify(signPayload(next.manifest, keys.privateKey));
      const row = { deviceId: d.id, version: next.manifest.version, itemsHash: next.itemsHash, envelope, publishedAt: now };
      db.insert(deviceManifests).values(row).onConflictDoUpdate({ target: deviceManifests.deviceId, set: row }).run();
      published.push(d.id);
    }
    await Promise.all(published.map((id) => publishStored(id)));
    return { published };
  }

  async function publishStored(deviceId: string) {
    const row = db.select().from(deviceManifests).where(eq(deviceManifests.deviceId, deviceId)).get();
    if (!row) return;
    await plane.publish(topics.manifest(deviceId), row.envelope, { retain: true, qos: 1 });
    deps.bus.emit('manifest.published', { deviceId, version: row.version });
    log.debug('manifest published', { deviceId, version: row.version });
  }

  // Rebuilds are serialised: two changes in quick succession must not interleave version numbers.
  let chain: Promise<unknown> = Promise.resolve();
  const queueRebuild = () => (chain = chain.then(rebuild, rebuild));

  return {
    preview,
    rebuild: () => queueRebuild() as Promise<{ published: string[] }>,
    /** Re-publishes every stored manifest retained: after a restart the broker may hold none. */
    async republishAll() {
      const ids = db.select({ id: deviceManifests.deviceId }).from(deviceManifests).all();
      await Promise.all(ids.map((r) => publishStored(r.id)));
    },
    async clear(deviceId: string) {
      // An empty retained payload removes the retained manifest [MQTT-3.3.1-10].
      await plane.publish(topics.manifest(deviceId), '', { retain: true, qos: 1 });
    },
    start() {
      for (const e of ['schedule.changed', 'program.changed', 'zone.changed', 'device.created'] as const) {
        deps.bus.on(e, 'manifests', async () => {
          await queueRebuild();
        });
      }
      deps.bus.on('device.deleted', 'manifests', ({ deviceId }) => this.clear(deviceId));
      plane.onDevice('event', 'manifests', (deviceId, payload) => {
        const parsed = deviceEvent.safeParse(safeJson(payload));
        if (!parsed.success) return;
        const e = parsed.data;
        if (e.type === 'manifest-applied') deps.onApplied(deviceId, e.version);
        if (e.type === 'manifest-rejected') log.warn('device rejected its manifest', { deviceId, reason: e.reason });
      });
    },
  };
}

export type ManifestsService = ReturnType<typeof createManifestsService>;
