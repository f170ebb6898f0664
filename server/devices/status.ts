import { and, eq, lt, sql } from 'drizzle-orm';
import type { DeviceState, Telemetry } from '../../devices/protocol/index.js';
import type { Bus } from '../bus.js';
import type { Clock } from '../clock.js';
import type { Db } from '../db/client.js';
import { deviceAvailability, deviceManifests, devices } from '../db/schema.js';
import type { Logger } from '../logger.js';

type Row = typeof devices.$inferSelect;

/**
 * What gateways say about themselves, written to the devices table. Device status comes in bursts:
 * every gateway answers a schedule change at once, and a fleet sends telemetry all day. Status
 * writes queued in one turn of the event loop run as one transaction, one WAL fsync instead of
 * thousands; their events go out after the commit. Every read commits what is queued first
 * (`commit()`), so nothing reads stale status.
 */
export function createStatusWriter({ db, bus, clock, log }: { db: Db; bus: Bus; clock: Clock; log?: Logger }) {
  const queued: (() => void)[] = [];
  const events: (() => void)[] = [];
  const commit = () => {
    if (!queued.length) return;
    const ops = queued.splice(0);
    db.transaction(() => ops.forEach((op) => op()));
    for (const emit of events.splice(0)) emit();
  };
  const queue = (op: () => void) => {
    if (!queued.length) {
      queueMicrotask(() => {
        try {
          commit();
        } catch (err) {
          events.length = 0;
          log?.error('device status not stored', { err: String(err) });
        }
      });
    }
    queued.push(op);
  };
  const changed = (id: string) => events.push(() => bus.emit('device.status-changed', { deviceId: id }));
  const onlineNow = db.select({ online: devices.online }).from(devices).where(eq(devices.id, sql.placeholder('id'))).prepare();
  /** A change of online state is kept as a transition: availability over any period, and "offline since". */
  const transition = (id: string, online: boolean | undefined, at: number) => {
    if (online === undefined) return;
    const was = onlineNow.get({ id });
    if (was && was.online !== online) db.insert(deviceAvailability).values({ deviceId: id, online, at }).run();
  };
  /** Inside a queued op: writes the row and announces it if it still exists. */
  const write = (id: string, set: Partial<Row>, seenAt: number) => {
    transition(id, set.online, seenAt);
    if (db.update(devices).set({ ...set, lastSeenAt: seenAt }).where(eq(devices.id, id)).run().changes) changed(id);
  };
  /**
   * The device has applied `version`: the applied version only goes up, never past what was published
   * (a device cannot fake being in sync), and the device is in sync (lagSince cleared) unless a newer
   * manifest went out meanwhile. A version the server never published is kept in reportedVersion.
   * One prepared statement, since a schedule change brings this from every gateway at once.
   */
  const published = sql`coalesce((select ${deviceManifests.version} from ${deviceManifests} where ${deviceManifests.deviceId} = ${devices.id}), 0)`;
  const newApplied = sql`max(${devices.appliedVersion}, min(${sql.placeholder('version')}, ${published}))`;
  const appliedStmt = db.update(devices).set({
    appliedVersion: newApplied,
    reportedVersion: sql`case when ${sql.placeholder('version')} > ${published} then ${sql.placeholder('version')} else null end`,
    lastSeenAt: sql`${sql.placeholder('seenAt')}`,
    lagSince: sql`case when ${newApplied} >= ${published} then null else ${devices.lagSince} end`,
  }).where(eq(devices.id, sql.placeholder('id'))).returning({ reported: devices.reportedVersion }).prepare();
  // A rebuild publishes to thousands of devices: their lag is set a chunk at a time, in one statement
  // over a JSON object {deviceId: version}.
  const lagStmt = db.$client.prepare(`update devices set lag_since = @now from json_each(@batch) as p
    where devices.id = p.key and devices.lag_since is null and devices.applied_version < p.value`);
  /** Versions already said to be ahead, so a device repeating one in every telemetry is told once. */
  const aheadSaid = new Map<string, number>();
  const applied = (id: string, version: number, announce: boolean) => {
    const seenAt = clock.now();
    queue(() => {
      const rows = appliedStmt.all({ id, version, seenAt });
      if (!rows.length) return;
      if (announce) changed(id);
      const reported = rows[0].reported;
      if (reported !== null && aheadSaid.get(id) !== reported) {
        aheadSaid.set(id, reported);
        events.push(() => bus.emit('device.version-ahead', { deviceId: id, reported }));
      } else if (reported === null) aheadSaid.delete(id);
    });
  };

  return {
    commit,
    /**
     * A gateway saying it is online is believed, whatever its session number (a re-imaged gateway
     * starts again at 1). An offline will counts only for the session now online: a late will from an
     * old connection cannot mark a reconnected device offline.
     */
    applyState(id: string, s: DeviceState) {
      const seenAt = clock.now();
      queue(() => {
        const d = db.select({ session: devices.session }).from(devices).where(eq(devices.id, id)).get();
        if (!d || (s.state === 'offline' && s.session !== d.session)) return;
        write(id, { online: s.state === 'online', session: s.session, agentVersion: s.agentVersion, ...(s.state === 'offline' ? { playing: null } : {}) }, seenAt);
        if (s.state === 'online') events.push(() => bus.emit('device.online', { deviceId: id }));
      });
    },
    /** Telemetry also carries the applied manifest version, which makes good a lost manifest-applied report. */
    applyTelemetry(id: string, t: Telemetry) {
      const seenAt = clock.now();
      queue(() => write(id, { telemetry: t, playing: t.playing ?? null, online: true }, seenAt));
      applied(id, t.manifestVersion, false);
    },
    applyManifestVersion(id: string, version: number) {
      applied(id, version, true);
    },
    /** New manifests went out: each device lags from now on, unless it already did or has applied them. */
    manifestsPublished(manifests: { deviceId: string; version: number }[]) {
      const now = clock.now();
      const batch = JSON.stringify(Object.fromEntries(manifests.map((m) => [m.deviceId, m.version])));
      queue(() => void lagStmt.run({ now, batch }));
    },
    /**
     * At start nobody is connected yet: forget every "online" from the last run. With an external
     * broker the retained state messages restore the true ones as soon as the server subscribes.
     */
    markAllOffline() {
      commit();
      const now = clock.now();
      db.transaction((tx) => {
        for (const d of tx.select({ id: devices.id }).from(devices).where(eq(devices.online, true)).all()) {
          tx.insert(deviceAvailability).values({ deviceId: d.id, online: false, at: now }).run();
        }
        tx.update(devices).set({ online: false, playing: null }).where(eq(devices.online, true)).run();
      });
    },
    /**
     * Heartbeat: a device that says online but has not been heard for `silenceMs` (3 telemetry
     * intervals) is on a half-open link; mark it offline. Returns the ids it marked.
     */
    markSilentOffline(silenceMs: number): string[] {
      commit();
      const stale = db.select({ id: devices.id }).from(devices)
        .where(and(eq(devices.online, true), lt(devices.lastSeenAt, clock.now() - silenceMs))).all().map((r) => r.id);
      const now = clock.now();
      db.transaction((tx) => {
        for (const id of stale) {
          tx.update(devices).set({ online: false, playing: null }).where(eq(devices.id, id)).run();
          tx.insert(deviceAvailability).values({ deviceId: id, online: false, at: now }).run();
        }
      });
      for (const id of stale) bus.emit('device.status-changed', { deviceId: id });
      return stale;
    },
  };
}
export type StatusWriter = ReturnType<typeof createStatusWriter>;
