import { describe, expect, it } from 'vitest';
import { createBus } from '../server/bus.js';
import { openDb } from '../server/db/client.js';
import { deviceManifests } from '../server/db/schema.js';
import { createDevicesService } from '../server/devices/service.js';
import { createLogger } from '../server/logger.js';
import { createZonesService } from '../server/zones/service.js';

function setup() {
  let now = 1_790_000_000_000;
  const clock = { now: () => now };
  const { db } = openDb(':memory:');
  const bus = createBus(createLogger('silent'));
  const zones = createZonesService({ db, bus, clock });
  const devices = createDevicesService({ db, bus, clock, zoneExists: zones.exists });
  const zone = zones.create({ name: 'Thôn Hạ' });
  const changes: string[] = [];
  bus.on('device.status-changed', 'test', ({ deviceId }) => void changes.push(deviceId));
  return { db, bus, devices, zone, changes, tick: (ms: number) => (now += ms) };
}

describe('device status from state messages and wills', () => {
  it('ignores a late will from an older session once the gateway has reconnected', () => {
    const { devices, zone } = setup();
    devices.create({ id: 'thon-ha-1', name: 'Cụm loa Thôn Hạ', zoneId: zone.id });
    devices.applyState('thon-ha-1', { state: 'online', session: 4, agentVersion: '0.1.0' });
    devices.applyState('thon-ha-1', { state: 'online', session: 5, agentVersion: '0.1.0' });
    devices.applyState('thon-ha-1', { state: 'offline', session: 4, agentVersion: '0.1.0' });
    expect(devices.get('thon-ha-1').online).toBe(true);
  });

  it('marks the gateway offline when the will of its current session arrives, and clears what was playing', () => {
    const { devices, zone, changes } = setup();
    devices.create({ id: 'thon-ha-2', name: 'Cụm loa', zoneId: zone.id });
    devices.applyState('thon-ha-2', { state: 'online', session: 1, agentVersion: '0.1.0' });
    devices.applyTelemetry('thon-ha-2', { at: 1, volume: 80, diskFreeMb: 100, manifestVersion: 1, playing: { occurrenceId: 'oc', programId: 'pg', title: 'Bản tin', startedAt: 1 } });
    devices.applyState('thon-ha-2', { state: 'offline', session: 1, agentVersion: '0.1.0' });
    const d = devices.get('thon-ha-2');
    expect(d.online).toBe(false);
    expect(d.playing).toBeNull();
    expect(changes.filter((c) => c === 'thon-ha-2').length).toBe(3);
  });

  it('records when it last heard from the gateway', () => {
    const { devices, zone, tick } = setup();
    devices.create({ id: 'thon-ha-3', name: 'Cụm loa', zoneId: zone.id });
    expect(devices.get('thon-ha-3').lastSeenAt).toBeNull();
    const at = tick(5000);
    devices.applyState('thon-ha-3', { state: 'online', session: 1, agentVersion: '0.1.0' });
    expect(devices.get('thon-ha-3').lastSeenAt).toBe(at);
  });

  it('stores only a hash of the device secret and checks it in constant time', () => {
    const { devices, zone } = setup();
    const { secret } = devices.create({ id: 'thon-ha-4', name: 'Cụm loa', zoneId: zone.id });
    expect(secret.length).toBeGreaterThanOrEqual(40);
    expect(devices.verifySecret('thon-ha-4', secret)).toBe(true);
    expect(devices.verifySecret('thon-ha-4', secret + 'x')).toBe(false);
    expect(devices.verifySecret('thon-ha-404', secret)).toBe(false);
    expect(JSON.stringify(devices.get('thon-ha-4'))).not.toContain(secret);
  });

  it('refuses a device in an unknown zone and stores nothing', () => {
    const { devices } = setup();
    expect(() => devices.create({ id: 'thon-ha-5', name: 'x', zoneId: 'zn_nowhere' })).toThrow(/Zone zn_nowhere does not exist/);
    expect(devices.list()).toEqual([]);
  });
});

describe('sync status and the technician\'s filters', () => {
  const telemetry = (over: object) => ({ at: 1, volume: 80, diskFreeMb: 5000, manifestVersion: 1, ...over });

  it('marks a device offline after three silent telemetry intervals, the half-open link no will reports', () => {
    const { devices, zone, tick } = setup();
    devices.create({ id: 'thon-ha-10', name: 'x', zoneId: zone.id });
    devices.applyState('thon-ha-10', { state: 'online', session: 1, agentVersion: '0.1.0' });
    tick(60_000);
    expect(devices.markSilentOffline(90_000)).toEqual([]);
    tick(31_000);
    expect(devices.markSilentOffline(90_000)).toEqual(['thon-ha-10']);
    expect(devices.get('thon-ha-10').flags).toContain('offline');
  });

  it('marks every gateway of a published chunk as lagging since then, except one that already applied its manifest', () => {
    const { db, devices, zone, tick } = setup();
    for (const id of ['thon-ha-20', 'thon-ha-21', 'thon-ha-22']) {
      devices.create({ id, name: id, zoneId: zone.id });
      db.insert(deviceManifests).values({ deviceId: id, version: 2, itemsHash: 'h', envelope: '{}', publishedAt: 1 }).run();
    }
    // thon-ha-22 answered before the broker acknowledged the whole chunk.
    devices.applyManifestVersion('thon-ha-22', 2);
    const at = tick(1000);
    devices.manifestsPublished(['thon-ha-20', 'thon-ha-21', 'thon-ha-22'].map((deviceId) => ({ deviceId, version: 2 })));
    expect(devices.get('thon-ha-20')).toMatchObject({ lagSince: at, flags: expect.arrayContaining(['out-of-sync']) });
    expect(devices.get('thon-ha-21').lagSince).toBe(at);
    expect(devices.get('thon-ha-22')).toMatchObject({ appliedVersion: 2, lagSince: null });
    // A later chunk does not move the start of a lag already running.
    tick(1000);
    devices.manifestsPublished([{ deviceId: 'thon-ha-20', version: 3 }]);
    expect(devices.get('thon-ha-20').lagSince).toBe(at);
  });

  it('takes the applied version from telemetry when the manifest-applied report was lost, and never lets it go back', () => {
    const { db, devices, zone, tick } = setup();
    devices.create({ id: 'thon-ha-15', name: 'x', zoneId: zone.id });
    db.insert(deviceManifests).values({ deviceId: 'thon-ha-15', version: 3, itemsHash: 'h', envelope: '{}', publishedAt: 1 }).run();
    const publishedAt = tick(1000);
    devices.manifestsPublished([{ deviceId: 'thon-ha-15', version: 3 }]);
    tick(1000);
    devices.applyTelemetry('thon-ha-15', telemetry({ manifestVersion: 2 }));
    expect(devices.get('thon-ha-15')).toMatchObject({ appliedVersion: 2, lagSince: publishedAt });
    expect(devices.get('thon-ha-15').flags).toContain('out-of-sync');
    devices.applyTelemetry('thon-ha-15', telemetry({ manifestVersion: 3 }));
    expect(devices.get('thon-ha-15')).toMatchObject({ appliedVersion: 3, lagSince: null, flags: [] });
    // A late report of an older version, delayed on the link, does not undo it.
    devices.applyManifestVersion('thon-ha-15', 2);
    expect(devices.get('thon-ha-15').appliedVersion).toBe(3);
  });

  it('flags clock skew beyond 1 s and low disk, and filters by flag', () => {
    const { devices, zone } = setup();
    for (const id of ['thon-ha-20', 'thon-ha-21', 'thon-ha-22']) {
      devices.create({ id, name: id, zoneId: zone.id });
      devices.applyState(id, { state: 'online', session: 1, agentVersion: '0.1.0' });
    }
    devices.applyTelemetry('thon-ha-20', telemetry({ clockOffsetMs: 1500 }));
    devices.applyTelemetry('thon-ha-21', telemetry({ clockOffsetMs: -40, diskFreeMb: 50 }));
    devices.applyTelemetry('thon-ha-22', telemetry({ clockOffsetMs: 900 }));
    expect(devices.list('clock-skew').map((d) => d.id)).toEqual(['thon-ha-20']);
    expect(devices.list('disk-low').map((d) => d.id)).toEqual(['thon-ha-21']);
    expect(devices.list('offline')).toEqual([]);
    expect(devices.list().length).toBe(3);
  });
});

describe('a server start', () => {
  it('forgets every "online" from the last run, since no gateway is connected to a broker that just started', () => {
    const { devices, zone } = setup();
    devices.create({ id: 'thon-ha-30', name: 'x', zoneId: zone.id });
    devices.applyState('thon-ha-30', { state: 'online', session: 1, agentVersion: '0.1.0' });
    devices.markAllOffline();
    expect(devices.get('thon-ha-30').online).toBe(false);
  });
});

describe('a device cannot fake its state', () => {
  it('clamps a faked applied version (2^53 − 1) to what was published, flags the mismatch, and says it once', async () => {
    const { db, devices, zone, bus } = setup();
    devices.create({ id: 'thon-gia-1', name: 'Cụm loa', zoneId: zone.id });
    db.insert(deviceManifests).values({ deviceId: 'thon-gia-1', version: 4, itemsHash: 'h', envelope: '{}', publishedAt: 1 }).run();
    const ahead: number[] = [];
    bus.on('device.version-ahead', 'test', ({ reported }) => void ahead.push(reported));
    const telemetry = { at: 1, volume: 80, diskFreeMb: 900, manifestVersion: Number.MAX_SAFE_INTEGER };
    devices.applyTelemetry('thon-gia-1', telemetry);
    devices.applyTelemetry('thon-gia-1', telemetry);
    const d = devices.get('thon-gia-1');
    expect(d.appliedVersion).toBe(4);
    expect(d.reportedVersion).toBe(Number.MAX_SAFE_INTEGER);
    expect(d.flags).toContain('version-mismatch');
    await Promise.resolve();
    expect(ahead).toEqual([Number.MAX_SAFE_INTEGER]);
    // Back to a version it was given: the flag goes.
    devices.applyTelemetry('thon-gia-1', { ...telemetry, manifestVersion: 4 });
    expect(devices.get('thon-gia-1')).toMatchObject({ appliedVersion: 4, reportedVersion: null, flags: [] });
  });

  it('marks a re-imaged gateway (session counter back at 1) offline when its will arrives', () => {
    const { devices, zone } = setup();
    devices.create({ id: 'thon-moi-1', name: 'Cụm loa', zoneId: zone.id });
    devices.applyState('thon-moi-1', { state: 'online', session: 57, agentVersion: '0.1.0' });
    // The card was re-imaged: the new agent starts counting again.
    devices.applyState('thon-moi-1', { state: 'online', session: 1, agentVersion: '0.1.0' });
    expect(devices.get('thon-moi-1').online).toBe(true);
    devices.applyState('thon-moi-1', { state: 'offline', session: 1, agentVersion: '0.1.0' });
    expect(devices.get('thon-moi-1').online).toBe(false);
  });
});
