import { randomBytes } from 'node:crypto';
import { and, eq, lt, sql } from 'drizzle-orm';
import { DEVICE_ID_PATTERN, type DeviceState, type Telemetry } from '../../devices/protocol/index.js';
import { hashToken, newToken, tokenMatches } from '../auth/passwords.js';
import type { Bus } from '../bus.js';
import type { Clock } from '../clock.js';
import type { Db } from '../db/client.js';
import { deviceManifests, devices } from '../db/schema.js';
import { ApiError, notFound } from '../http/errors.js';
import type { Logger } from '../logger.js';
import { mosquittoHash } from '../mqtt/credentials.js';

type Row = typeof devices.$inferSelect;

export interface DeviceView {
  id: string;
  name: string;
  zoneId: string;
  online: boolean;
  lastSeenAt: number | null;
  agentVersion: string | null;
  manifestVersion: number;
  appliedVersion: number;
  telemetry: Telemetry | null;
  playing: NonNullable<Telemetry['playing']> | null;
  createdAt: number;
  /** Sync status: since when the applied manifest lags the published one (null when in sync). */
  lagSince: number | null;
  /** Problems a technician filters on. */
  flags: DeviceFlag[];
}

export type DeviceFlag = 'offline' | 'out-of-sync' | 'clock-skew' | 'disk-low';
export const DEVICE_FLAGS: DeviceFlag[] = ['offline', 'out-of-sync', 'clock-skew', 'disk-low'];
/** Beyond 1 s two hamlets' loudspeakers are heard as an echo; below 200 MB a day of audio may not fit. */
export const CLOCK_SKEW_MS = 1000;
export const DISK_LOW_MB = 200;

export function deviceFlags(d: { online: boolean; appliedVersion: number; manifestVersion: number; telemetry: Telemetry | null }): DeviceFlag[] {
  const flags: DeviceFlag[] = [];
  if (!d.online) flags.push('offline');
  if (d.appliedVersion < d.manifestVersion) flags.push('out-of-sync');
  if (d.telemetry?.clockOffsetMs !== undefined && Math.abs(d.telemetry.clockOffsetMs) > CLOCK_SKEW_MS) flags.push('clock-skew');
  if (d.telemetry && d.telemetry.diskFreeMb < DISK_LOW_MB) flags.push('disk-low');
  return flags;
}

export function createDevicesService({ db, bus, clock, zoneExists, log }: { db: Db; bus: Bus; clock: Clock; zoneExists: (id: string) => boolean; log?: Logger }) {
  const row = (id: string): Row => {
    commit();
    const d = db.select().from(devices).where(eq(devices.id, id)).get();
    if (!d) throw notFound('Device', id);
    return d;
  };
  const requireZone = (zoneId: string) => {
    if (!zoneExists(zoneId)) throw new ApiError(422, 'unknown_zone', `Zone ${zoneId} does not exist; create it first or pick another`);
  };
  const view = (d: Row, manifestVersion: number): DeviceView => {
    const base = {
      id: d.id, name: d.name, zoneId: d.zoneId, online: d.online, lastSeenAt: d.lastSeenAt, agentVersion: d.agentVersion,
      manifestVersion, appliedVersion: d.appliedVersion, telemetry: (d.telemetry as Telemetry) ?? null,
      playing: (d.playing as NonNullable<Telemetry['playing']>) ?? null, createdAt: d.createdAt,
      lagSince: d.appliedVersion < manifestVersion ? d.lagSince : null,
    };
    return { ...base, flags: deviceFlags(base) };
  };
  // Device status comes in bursts: every gateway answers a schedule change at once, and a fleet sends
  // telemetry all day. Status writes queued in one turn of the event loop run as one transaction, one
  // WAL fsync instead of thousands; their events go out after the commit. Every read commits what is
  // queued first, so nothing reads stale status.
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
  const status = (id: string) => events.push(() => bus.emit('device.status', { deviceId: id }));
  /** Inside a queued op: writes the row and announces it if it still exists. */
  const write = (id: string, set: Partial<Row>, seenAt: number) => {
    if (db.update(devices).set({ ...set, lastSeenAt: seenAt }).where(eq(devices.id, id)).run().changes) status(id);
  };
  const touch = (id: string, set: Partial<Row>) => {
    const seenAt = clock.now();
    queue(() => write(id, set, seenAt));
  };
  /**
   * The device has applied `version`: the applied version only goes up, and the device is in sync
   * (lagSince cleared) unless a newer manifest went out meanwhile. One prepared statement, since a
   * schedule change brings this from every gateway at once.
   */
  const newApplied = sql`max(${devices.appliedVersion}, ${sql.placeholder('version')})`;
  const appliedStmt = db.update(devices).set({
    appliedVersion: newApplied,
    lastSeenAt: sql`${sql.placeholder('seenAt')}`,
    lagSince: sql`case when ${newApplied} >= coalesce((select ${deviceManifests.version} from ${deviceManifests} where ${deviceManifests.deviceId} = ${devices.id}), 0) then null else ${devices.lagSince} end`,
  }).where(eq(devices.id, sql.placeholder('id'))).prepare();
  // A rebuild publishes to thousands of devices: their lag is set a chunk at a time, in one statement
  // over a JSON object {deviceId: version}.
  const lagStmt = db.$client.prepare(`update devices set lag_since = @now from json_each(@batch) as p
    where devices.id = p.key and devices.lag_since is null and devices.applied_version < p.value`);
  const applied = (id: string, version: number, announce = true) => {
    const seenAt = clock.now();
    queue(() => {
      if (appliedStmt.run({ id, version, seenAt }).changes && announce) status(id);
    });
  };

  return {
    list(flag?: DeviceFlag): DeviceView[] {
      return this.all().filter((d) => !flag || d.flags.includes(flag));
    },
    all(): DeviceView[] {
      commit();
      return db
        .select({ d: devices, v: deviceManifests.version })
        .from(devices)
        .leftJoin(deviceManifests, eq(deviceManifests.deviceId, devices.id))
        .orderBy(devices.id)
        .all()
        .map(({ d, v }) => view(d, v ?? 0));
    },
    get(id: string): DeviceView {
      commit();
      const v = db.select({ v: deviceManifests.version }).from(deviceManifests).where(eq(deviceManifests.deviceId, id)).get();
      return view(row(id), v?.v ?? 0);
    },
    idsInZones(zoneIds: string[] | 'all'): { id: string; zoneId: string }[] {
      commit();
      const all = db.select({ id: devices.id, zoneId: devices.zoneId }).from(devices).all();
      return zoneIds === 'all' ? all : all.filter((d) => zoneIds.includes(d.zoneId));
    },
    /** Returns the secret once; only its hash is kept. */
    create(input: { id?: string; name: string; zoneId: string }): DeviceView & { secret: string } {
      requireZone(input.zoneId);
      const id = input.id ?? `gw-${randomBytes(4).toString('hex')}`;
      if (!DEVICE_ID_PATTERN.test(id)) {
        throw new ApiError(400, 'invalid_device_id', `Device id ${id} must match ${DEVICE_ID_PATTERN.source}`);
      }
      if (db.select({ id: devices.id }).from(devices).where(eq(devices.id, id)).get()) {
        throw new ApiError(409, 'device_exists', `Device ${id} already exists`);
      }
      const secret = newToken();
      db.insert(devices).values({
        id, name: input.name, zoneId: input.zoneId, secretHash: hashToken(secret), mqttPasswordHash: mosquittoHash(secret), createdAt: clock.now(),
      }).run();
      bus.emit('device.created', { deviceId: id, zoneId: input.zoneId });
      return { ...this.get(id), secret };
    },
    update(id: string, patch: { name?: string; zoneId?: string }): DeviceView {
      const before = row(id);
      if (patch.zoneId) requireZone(patch.zoneId);
      db.update(devices).set(patch).where(eq(devices.id, id)).run();
      if (patch.zoneId && patch.zoneId !== before.zoneId) bus.emit('device.created', { deviceId: id, zoneId: patch.zoneId });
      return this.get(id);
    },
    remove(id: string) {
      row(id);
      db.delete(devices).where(eq(devices.id, id)).run();
      bus.emit('device.credentials-revoked', { deviceId: id });
      bus.emit('device.deleted', { deviceId: id });
    },
    /** A new secret, shown once; the old one stops working at once, live sessions included. */
    rotateSecret(id: string): { id: string; secret: string } {
      row(id);
      const secret = newToken();
      db.update(devices).set({ secretHash: hashToken(secret), mqttPasswordHash: mosquittoHash(secret) }).where(eq(devices.id, id)).run();
      bus.emit('device.credentials-revoked', { deviceId: id });
      return { id, secret };
    },
    /** For an external Mosquitto's password file: id and PBKDF2 hash of every device. */
    mosquittoCredentials(): { id: string; hash: string }[] {
      return db.select({ id: devices.id, hash: devices.mqttPasswordHash }).from(devices).all()
        .filter((d): d is { id: string; hash: string } => !!d.hash);
    },
    verifySecret(id: string, secret: string): boolean {
      if (!DEVICE_ID_PATTERN.test(id)) return false;
      const d = db.select({ h: devices.secretHash }).from(devices).where(eq(devices.id, id)).get();
      return !!d && tokenMatches(secret, d.h);
    },

    /** A late will from an old connection (lower session) cannot mark a reconnected device offline. */
    applyState(id: string, s: DeviceState) {
      const seenAt = clock.now();
      queue(() => {
        const d = db.select({ session: devices.session }).from(devices).where(eq(devices.id, id)).get();
        if (!d || s.session < d.session) return;
        write(id, { online: s.state === 'online', session: s.session, agentVersion: s.agentVersion, ...(s.state === 'offline' ? { playing: null } : {}) }, seenAt);
        if (s.state === 'online') events.push(() => bus.emit('device.online', { deviceId: id }));
      });
    },
    /** Telemetry also carries the applied manifest version, which makes good a lost manifest-applied report. */
    applyTelemetry(id: string, t: Telemetry) {
      touch(id, { telemetry: t, playing: t.playing ?? null, online: true });
      applied(id, t.manifestVersion, false);
    },
    applyManifestVersion(id: string, version: number) {
      applied(id, version);
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
      db.update(devices).set({ online: false, playing: null }).where(eq(devices.online, true)).run();
    },
    /**
     * Heartbeat: a device that says online but has not been heard for `silenceMs` (3 telemetry
     * intervals) is on a half-open link; mark it offline. Returns the ids it marked.
     */
    markSilentOffline(silenceMs: number): string[] {
      commit();
      const stale = db.select({ id: devices.id }).from(devices)
        .where(and(eq(devices.online, true), lt(devices.lastSeenAt, clock.now() - silenceMs))).all().map((r) => r.id);
      db.transaction((tx) => {
        for (const id of stale) tx.update(devices).set({ online: false, playing: null }).where(eq(devices.id, id)).run();
      });
      for (const id of stale) bus.emit('device.status', { deviceId: id });
      return stale;
    },
  };
}
export type DevicesService = ReturnType<typeof createDevicesService>;
