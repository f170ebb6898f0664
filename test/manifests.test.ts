import { afterEach, describe, expect, it } from 'vitest';
import { sign, verify } from 'node:crypto';
import { generateSigningKeys, loadSigningKeys, openManifest, topics } from '../devices/protocol/index.js';
import { createBus } from '../server/bus.js';
import { openDb } from '../server/db/client.js';
import { deviceManifests, manifestTemplates } from '../server/db/schema.js';
import { createDevicesService } from '../server/devices/service.js';
import type { ScheduleDef } from '../server/domain/occurrences.js';
import { createLogger } from '../server/logger.js';
import { createManifestsService } from '../server/manifests/service.js';
import { createBatchSigner } from '../server/manifests/signer.js';
import type { DevicePlane } from '../server/mqtt/plane.js';
import { createZonesService } from '../server/zones/service.js';

const HOUR = 3600_000;
const running: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((m) => m.close()));
});

/**
 * The manifests service on a real SQLite database, signing with real Ed25519 keys. The plane records
 * what would go to the broker: the broker itself is exercised end to end in the device-plane suites.
 */
function setup(gateways: number) {
  const now = 1_790_000_000_000;
  const clock = { now: () => now };
  const log = createLogger('silent');
  const { db } = openDb(':memory:');
  const bus = createBus(log);
  const zones = createZonesService({ db, bus, clock });
  const devices = createDevicesService({ db, bus, clock, zoneExists: zones.exists });
  const zone = zones.create({ name: 'Thôn Trung', quietStart: '00:00', quietEnd: '00:00' });
  for (let i = 0; i < gateways; i++) devices.create({ id: `thon-trung-${i}`, name: `Cụm loa ${i}`, zoneId: zone.id });
  const keys = loadSigningKeys(generateSigningKeys().privateKeyPem);
  const sent: { topic: string; payload: string }[] = [];
  const plane: DevicePlane = {
    connected: true,
    async publish(topic, payload) {
      sent.push({ topic, payload: payload.toString() });
    },
    onDevice() {},
  };
  let onDevicesRead = () => {};
  let schedules: ScheduleDef[] = [{ id: 'sc_news', programIds: ['pg_news'], zoneIds: 'all', rule: { type: 'once', at: new Date(now + HOUR).toISOString() }, priority: 'normal' }];
  const manifests = createManifestsService({
    db, bus, clock, log, plane, keys, horizonMs: 24 * HOUR, timeZone: 'Asia/Ho_Chi_Minh',
    source: {
      schedules: () => schedules,
      devices: () => {
        const ids = devices.idsInZones('all');
        onDevicesRead();
        return ids;
      },
      programs: () => [{ id: 'pg_news', title: 'Bản tin', asset: { sha256: 'a'.repeat(64), bytes: 1000, durationMs: 60_000, url: '/media/a.opus' } }],
      quietHours: () => new Map(),
    },
  });
  manifests.start();
  running.push(manifests);
  return { db, devices, manifests, keys, sent, whenDevicesRead: (fn: () => void) => (onDevicesRead = fn), setSchedules: (s: ScheduleDef[]) => (schedules = s) };
}

describe('building, signing and publishing manifests', () => {
  it('gives every gateway of the zone its own signed manifest, stored before it is published', async () => {
    const { db, manifests, keys, sent } = setup(3);
    const { published } = await manifests.rebuild();
    expect(published.sort()).toEqual(['thon-trung-0', 'thon-trung-1', 'thon-trung-2']);
    expect(db.select().from(deviceManifests).all().map((r) => r.deviceId).sort()).toEqual(published);
    for (const id of published) {
      const m = sent.find((s) => s.topic === topics.manifest(id))!;
      expect(m.payload).toBe(manifests.stored(id)!.envelope.toString());
      const opened = openManifest(m.payload, keys.publicKeyPem);
      expect(opened.ok && opened.value.deviceId).toBe(id);
      expect(opened.ok && opened.value.items.map((i) => i.programId)).toEqual(['pg_news']);
    }
  });

  it('publishes nothing again when a rebuild finds the items unchanged', async () => {
    const { manifests, sent } = setup(2);
    await manifests.rebuild();
    const before = sent.length;
    expect((await manifests.rebuild()).published).toEqual([]);
    expect(sent.length).toBe(before);
  });

  it('gives no manifest to a gateway deleted while the others are being signed, and still publishes the rest', async () => {
    // More gateways than one publishing chunk: the deleted one's manifest is signed but not yet stored.
    const { db, devices, manifests, sent, whenDevicesRead } = setup(300);
    whenDevicesRead(() => {
      whenDevicesRead(() => {});
      // Runs once the rebuild has read the devices and handed the signatures to the thread pool.
      setImmediate(() => devices.remove('thon-trung-299'));
    });
    const { published } = await manifests.rebuild();
    expect(published).toHaveLength(299);
    expect(published).not.toContain('thon-trung-299');
    expect(db.select().from(deviceManifests).all().map((r) => r.deviceId)).not.toContain('thon-trung-299');
    // The only thing sent for it is the empty retained payload that clears its topic.
    expect(sent.filter((s) => s.topic === topics.manifest('thon-trung-299')).map((s) => s.payload)).toEqual(['']);
  });

  it('stores a hamlet\'s items once and each gateway\'s signature, and after a restart publishes every manifest again byte for byte', async () => {
    const { db, manifests, keys, sent } = setup(5);
    await manifests.rebuild();
    const first = new Map(sent.map((m) => [m.topic, m.payload]));
    expect(db.select().from(manifestTemplates).all()).toHaveLength(1);
    expect(db.select().from(deviceManifests).all().every((r) => r.envelope === null && r.sig && r.templateHash)).toBe(true);
    sent.length = 0;
    // A restart: the broker lost its retained messages; one gateway was published in the rebuild at start.
    await manifests.republishAll(['thon-trung-0']);
    expect(sent.map((m) => m.topic).sort()).toEqual([1, 2, 3, 4].map((i) => topics.manifest(`thon-trung-${i}`)));
    for (const m of sent) {
      expect(m.payload).toBe(first.get(m.topic));
      expect(openManifest(m.payload, keys.publicKeyPem).ok).toBe(true);
    }
  });

  it('forgets a hamlet\'s old items once no gateway\'s manifest is made of them', async () => {
    const { db, manifests, setSchedules } = setup(2);
    await manifests.rebuild();
    const before = db.select().from(manifestTemplates).all().map((t) => t.hash);
    setSchedules([]);
    expect((await manifests.rebuild()).published).toHaveLength(2);
    const after = db.select().from(manifestTemplates).all().map((t) => t.hash);
    expect(after).toHaveLength(1);
    expect(after).not.toEqual(before);
  });

  it('signs a batch in worker threads, each signature over its own payload and in order', async () => {
    const keys = loadSigningKeys(generateSigningKeys().privateKeyPem);
    const signer = createBatchSigner(keys.privateKey, 2);
    running.push(signer);
    const payloads = Array.from({ length: 101 }, (_, i) => JSON.stringify({ deviceId: `thon-trung-${i}`, title: 'Bản tin thời sự' }));
    const sigs = await signer.sign(payloads);
    expect(sigs).toHaveLength(101);
    payloads.forEach((p, i) => expect(verify(null, Buffer.from(p), keys.publicKeyPem, Buffer.from(sigs[i], 'base64'))).toBe(true));
    expect(verify(null, Buffer.from(payloads[1]), keys.publicKeyPem, Buffer.from(sigs[0], 'base64'))).toBe(false);
    expect(await signer.sign([])).toEqual([]);
  });

  it('signs with libsodium where it loads, the very bytes node:crypto makes for the same key and payload', async () => {
    const keys = loadSigningKeys(generateSigningKeys().privateKeyPem);
    const signer = createBatchSigner(keys.privateKey, 1);
    running.push(signer);
    const payloads = ['{"deviceId":"gw-1","items":[]}', Buffer.from('{"title":"Thông báo lịch tiêm chủng"}')];
    const expected = payloads.map((p) => sign(null, Buffer.from(p), keys.privateKey).toString('base64'));
    expect(await signer.sign(payloads)).toEqual(expected);
    // sodium-native ships prebuilt binaries for linux-x64 and arm64: on this machine it must be the one signing.
    expect(signer.engine).toBe('libsodium');
  });
});
