import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManifestStore } from '../../devices/agent/manifest-store.js';
import type { EventBody } from '../../devices/agent/reporter.js';
import { generateSigningKeys, loadSigningKeys, signPayload, type Manifest } from '../../devices/protocol/index.js';
import { at, item } from '../helpers/agent-fixtures.js';

const server = loadSigningKeys(generateSigningKeys().privateKeyPem);
const impostor = loadSigningKeys(generateSigningKeys().privateKeyPem);
const ID = 'thon-dong-1';

const manifest = (version: number, over: Partial<Manifest> = {}): Manifest => ({
  deviceId: ID, version, issuedAt: at('06:00'), validUntil: at('06:00') + 14 * 86400_000, items: [item(`oc_${version}`, at('07:00'))], ...over,
});
const signed = (m: unknown, keys = server) => JSON.stringify(signPayload(m, keys.privateKey));

describe('the manifest store', () => {
  let dir: string;
  let file: string;
  let queued: EventBody[];
  let direct: EventBody[];
  let accepted: number[];
  const store = (key = server.publicKeyPem) => new ManifestStore({
    id: ID, serverPublicKey: key, file, log: () => {},
    reporter: { event: async (e) => void queued.push(e), report: (e) => void direct.push(e) },
    accepted: (m) => void accepted.push(m.version),
  });
  const storedVersion = async () => JSON.parse(JSON.parse(await readFile(file, 'utf8')).payload).version;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'loalang-manifest-'));
    file = join(dir, 'manifest.json');
    [queued, direct, accepted] = [[], [], []];
  });
  afterEach(() => rm(dir, { recursive: true, force: true, maxRetries: 5 }));

  it('accepts a newer manifest signed by the pinned key, stores it, and reports it applied without the disk queue', async () => {
    const s = store();
    expect(await s.receive(signed(manifest(3)))).toBe('applied');
    expect([s.version, await storedVersion(), accepted]).toEqual([3, 3, [3]]);
    expect(direct).toEqual([{ type: 'manifest-applied', version: 3 }]);
    expect(queued).toEqual([]);
  });

  it.each([
    ['signed by another key', () => signed(manifest(4), impostor), undefined, 'bad signature'],
    ['meant for another device', () => signed(manifest(4, { deviceId: 'thon-tay-1' })), 4, 'manifest is for thon-tay-1'],
    ['older than the one in force', () => signed(manifest(2)), 2, 'version 2 is older than 3'],
  ])('refuses a manifest %s, keeps the one in force, and queues the reason on disk', async (_, raw, version, reason) => {
    const s = store();
    await s.receive(signed(manifest(3)));
    expect(await s.receive(raw())).toBe('rejected');
    expect([s.version, await storedVersion(), accepted]).toEqual([3, 3, [3]]);
    expect(queued).toEqual([{ type: 'manifest-rejected', version, reason }]);
  });

  it('treats the same version again as unchanged, and an empty retained message as no manifest at all [MQTT-3.3.1-10]', async () => {
    const s = store();
    await s.receive(signed(manifest(3)));
    expect(await s.receive(signed(manifest(3)))).toBe('unchanged');
    expect(await s.receive('')).toBe('unchanged');
    expect([accepted, queued]).toEqual([[3], []]);
  });

  it('applies v2 and v3 delivered back to back in that order, never v3 then v2', async () => {
    const s = store();
    const outcomes = await Promise.all([s.receive(signed(manifest(2))), s.receive(signed(manifest(3)))]);
    expect(outcomes).toEqual(['applied', 'applied']);
    expect([accepted, s.version, await storedVersion()]).toEqual([[2, 3], 3, 3]);
  });

  it('refuses v2 when v3 came first', async () => {
    const s = store();
    expect(await Promise.all([s.receive(signed(manifest(3))), s.receive(signed(manifest(2)))])).toEqual(['applied', 'rejected']);
    expect(s.version).toBe(3);
  });

  it('refuses a manifest it cannot store, says so at once, keeps the one in force, and applies it when it comes again', async () => {
    const s = store();
    await s.receive(signed(manifest(3)));
    await rm(file);
    await mkdir(join(file, 'blocked'), { recursive: true });
    expect(await s.receive(signed(manifest(4)))).toBe('rejected');
    expect(s.version).toBe(3);
    expect(direct.at(-1)).toEqual({ type: 'manifest-rejected', version: 4, reason: expect.stringMatching(/^could not store it: /) });
    await rm(file, { recursive: true });
    expect(await s.receive(signed(manifest(4)))).toBe('applied');
  });

  it('loads the manifest the last run stored, so it plays without the broker, and does not report it applied again', async () => {
    await store().receive(signed(manifest(5)));
    [accepted, direct] = [[], []];
    const next = store();
    expect((await next.load())?.version).toBe(5);
    expect([next.version, accepted, direct]).toEqual([5, [], []]);
  });

  it.each([
    ['nothing is stored', async () => {}, server.publicKeyPem],
    ['the stored one is for another device', () => writeFile(file, signed(manifest(5, { deviceId: 'thon-tay-1' }))), server.publicKeyPem],
    ['the stored one is signed by a key no longer pinned', () => writeFile(file, signed(manifest(5))), impostor.publicKeyPem],
  ])('starts with no manifest when %s', async (_, prepare, key) => {
    await prepare();
    const s = store(key);
    expect(await s.load()).toBeUndefined();
    expect(s.version).toBe(0);
  });
});
