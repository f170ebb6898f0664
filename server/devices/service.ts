import { randomBytes } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { createInsertSchema } from 'drizzle-zod';
import { z } from 'zod';
import { DEVICE_ID_PATTERN, type Telemetry } from '../../devices/protocol/index.js';
import { hashToken, newToken, tokenMatches } from '../auth/passwords.js';
import type { Bus, Feature } from '../bus.js';
import type { Clock } from '../clock.js';
import type { Db } from '../db/client.js';
import { deviceManifests, devices } from '../db/schema.js';
import { ApiError, notFound } from '../http/errors.js';
import type { Logger } from '../logger.js';
import { mosquittoHash } from '../mqtt/credentials.js';
import { createStatusWriter } from './status.js';

type Row = typeof devices.$inferSelect;

/** What a technician gives to add a gateway (the table's columns; id optional, generated if absent). */
export const deviceInputSchema = createInsertSchema(devices, {
  id: (s) => s.regex(DEVICE_ID_PATTERN, 'id: 3–64 of a-z 0-9 -, starting with a letter or digit'),
  name: (s) => s.trim().min(1).max(100),
  zoneId: (s) => s.min(1),
  lat: (s) => s.min(-90).max(90),
  lon: (s) => s.min(-180).max(180),
}).pick({ id: true, name: true, zoneId: true, lat: true, lon: true, test: true }).partial({ id: true, lat: true, lon: true, test: true });
export const devicePatchSchema = deviceInputSchema.omit({ id: true }).partial();
export type DeviceInput = z.infer<typeof deviceInputSchema>;

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
  lat: number | null;
  lon: number | null;
  /** Kept for tests: CAP Test/Exercise alerts play only here. */
  test: boolean;
  /** A manifest version the device says it holds that the server never published (null when none). */
  reportedVersion: number | null;
  /** Sync status: since when the applied manifest lags the published one (null when in sync). */
  lagSince: number | null;
  /** Problems a technician filters on. */
  flags: DeviceFlag[];
}

export const DEVICE_FLAGS = ['offline', 'out-of-sync', 'clock-skew', 'disk-low', 'version-mismatch'] as const;
export type DeviceFlag = (typeof DEVICE_FLAGS)[number];
/** Beyond 1 s two hamlets' loudspeakers are heard as an echo; below 200 MB a day of audio may not fit. */
export const CLOCK_SKEW_MS = 1000;
export const DISK_LOW_MB = 200;

export function deviceFlags(d: { online: boolean; appliedVersion: number; manifestVersion: number; telemetry: Telemetry | null; reportedVersion?: number | null }): DeviceFlag[] {
  const flags: DeviceFlag[] = [];
  if (!d.online) flags.push('offline');
  if (d.appliedVersion < d.manifestVersion) flags.push('out-of-sync');
  if (d.telemetry?.clockOffsetMs !== undefined && Math.abs(d.telemetry.clockOffsetMs) > CLOCK_SKEW_MS) flags.push('clock-skew');
  if (d.telemetry && d.telemetry.diskFreeMb < DISK_LOW_MB) flags.push('disk-low');
  if (d.reportedVersion != null) flags.push('version-mismatch');
  return flags;
}

/**
 * A device secret: 256 random bits, base64url. Never starting with "-", so `--secret VALUE` on the
 * agent's command line is not taken for an option.
 */
function deviceSecret(): string {
  for (;;) {
    const s = newToken();
    if (!s.startsWith('-')) return s;
  }
}

export interface DevicesDeps {
  db: Db;
  bus: Bus;
  clock: Clock;
  zoneExists: (id: string) => boolean;
  log?: Logger;
  /** The gateways' telemetry interval: a device silent for three of them is marked offline. */
  telemetryMs?: number;
}

/** Gateways: their records and secrets, and (from start()) the status they report. */
export function createDevicesService({ db, bus, clock, zoneExists, log, telemetryMs = 60_000 }: DevicesDeps) {
  const status = createStatusWriter({ db, bus, clock, log });
  // Read on every schedule change and rebuild, for fleets of thousands: on the driver, without the query builder's per-row mapping.
  const allIds = db.$client.prepare('select id, zone_id as zoneId from devices');
  const row = (id: string): Row => {
    status.commit();
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
      playing: (d.playing as NonNullable<Telemetry['playing']>) ?? null, createdAt: d.createdAt, lat: d.lat, lon: d.lon, test: d.test, reportedVersion: d.reportedVersion,
      lagSince: d.appliedVersion < manifestVersion ? d.lagSince : null,
    };
    return { ...base, flags: deviceFlags(base) };
  };
  const all = (): DeviceView[] => {
    status.commit();
    return db.select({ d: devices, v: deviceManifests.version }).from(devices)
      .leftJoin(deviceManifests, eq(deviceManifests.deviceId, devices.id))
      .orderBy(devices.id).all()
      .map(({ d, v }) => view(d, v ?? 0));
  };
  const get = (id: string): DeviceView => {
    const d = row(id);
    const v = db.select({ v: deviceManifests.version }).from(deviceManifests).where(eq(deviceManifests.deviceId, id)).get();
    return view(d, v?.v ?? 0);
  };

  let heartbeat: NodeJS.Timeout | undefined;
  const owner = 'devices';
  const feature: Feature = {
    start() {
      bus.on('device.state-reported', owner, ({ deviceId, state }) => status.applyState(deviceId, state));
      bus.on('device.telemetry-reported', owner, ({ deviceId, telemetry }) => status.applyTelemetry(deviceId, telemetry));
      bus.on('device.manifest-applied', owner, ({ deviceId, version }) => status.applyManifestVersion(deviceId, version));
      bus.on('manifests.published', owner, ({ manifests }) => status.manifestsPublished(manifests));
      // Half-open links: no will ever comes, so three missed telemetry intervals mark a device offline.
      heartbeat = setInterval(() => {
        const silent = status.markSilentOffline(3 * telemetryMs);
        if (silent.length) log?.warn('devices silent for 3 telemetry intervals, marked offline', { devices: silent });
      }, Math.min(10_000, telemetryMs));
      heartbeat.unref();
    },
    stop() {
      bus.removeListeners(owner);
      clearInterval(heartbeat);
    },
  };

  return {
    ...feature,
    ...status,
    list: (flag?: DeviceFlag): DeviceView[] => all().filter((d) => !flag || d.flags.includes(flag)),
    all,
    get,
    idsInZones(zoneIds: string[] | 'all'): { id: string; zoneId: string }[] {
      status.commit();
      const rows = allIds.all() as { id: string; zoneId: string }[];
      return zoneIds === 'all' ? rows : rows.filter((d) => zoneIds.includes(d.zoneId));
    },
    /** Returns the secret once; only its hash is kept. */
    create(input: DeviceInput): DeviceView & { secret: string } {
      requireZone(input.zoneId);
      const id = input.id ?? `gw-${randomBytes(4).toString('hex')}`;
      if (!DEVICE_ID_PATTERN.test(id)) {
        throw new ApiError(400, 'invalid_device_id', `Device id ${id} must match ${DEVICE_ID_PATTERN.source}`);
      }
      if (db.select({ id: devices.id }).from(devices).where(eq(devices.id, id)).get()) {
        throw new ApiError(409, 'device_exists', `Device ${id} already exists`);
      }
      const secret = deviceSecret();
      db.insert(devices).values({
        id, name: input.name, zoneId: input.zoneId, lat: input.lat ?? null, lon: input.lon ?? null, test: input.test ?? false, secretHash: hashToken(secret), mqttPasswordHash: mosquittoHash(secret), createdAt: clock.now(),
      }).run();
      bus.emit('device.created', { deviceId: id, zoneId: input.zoneId });
      return { ...get(id), secret };
    },
    update(id: string, patch: { name?: string; zoneId?: string; lat?: number | null; lon?: number | null; test?: boolean }): DeviceView {
      const before = row(id);
      if (patch.zoneId) requireZone(patch.zoneId);
      db.update(devices).set(patch).where(eq(devices.id, id)).run();
      if (patch.zoneId && patch.zoneId !== before.zoneId) bus.emit('device.moved', { deviceId: id, fromZoneId: before.zoneId, toZoneId: patch.zoneId });
      return get(id);
    },
    remove(id: string) {
      const before = row(id);
      db.delete(devices).where(eq(devices.id, id)).run();
      bus.emit('device.credentials-revoked', { deviceId: id });
      bus.emit('device.deleted', { deviceId: id, zoneId: before.zoneId });
    },
    /** A new secret, shown once; the old one stops working at once, live sessions included. */
    rotateSecret(id: string): { id: string; secret: string } {
      row(id);
      const secret = deviceSecret();
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
  };
}
export type DevicesService = ReturnType<typeof createDevicesService>;
