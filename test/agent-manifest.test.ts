import { mkdtemp, mkdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GatewayAgent } from '../devices/agent/agent.js';
import { recordSink } from '../devices/agent/sinks.js';
import { realTimers } from '../devices/agent/timers.js';
import { generateSigningKeys, loadSigningKeys, signPayload, type Manifest } from '../devices/protocol/index.js';

const server = loadSigningKeys(generateSigningKeys().privateKeyPem);
const impostor = loadSigningKeys(generateSigningKeys().privateKeyPem);

const manifest = (version: number, title = 'Bản tin'): Manifest => ({
  deviceId: 'thon-dong-1', version, issuedAt: 1_790_000_000_000, validUntil: 1_790_000_000_000 + 14 * 86400_000,
  items: [{
    occurrenceId: `oc_${version}`, programId: 'pg_1', title, priority: 'normal', startAt: 1_000,
    asset: { sha256: 'a'.repeat(64), bytes: 10, durationMs: 1000, url: '/media/x.opus' },
  }],
});
const signed = (m: unknown, keys = server) => JSON.stringify(signPayload(m, keys.privateKey));

describe('the agent accepts only newer manifests signed by the pinned server key', () => {
  let dir: string;
  let agent: GatewayAgent;
  const cached = () => readFile(join(dir, 'manifest.json'), 'utf8');

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'loalang-agent-'));
    await mkdir(join(dir, 'assets'));
    agent = new GatewayAgent({
      id: 'thon-dong-1', secret: 's', server: 'http://127.0.0.1:9', mqttUrl: 'mqtt://127.0.0.1:9',
      serverPublicKey: server.publicKeyPem, cacheDir: dir, sink: recordSink(dir, realTimers),
    });
    expect(await agent.onManifest(signed(manifest(5)))).toBe('applied');
  });
  afterEach(() => rm(dir, { recursive: true, force: true, maxRetries: 5 }));

  it('rejects a manifest signed by another key and keeps its cached schedule', async () => {
    const before = await cached();
    expect(await agent.onManifest(signed(manifest(6, 'Giả mạo'), impostor))).toBe('rejected');
    expect(agent.manifestVersion).toBe(5);
    expect(await cached()).toBe(before);
  });

  it('rejects a manifest whose payload was altered after signing', async () => {
    const env = JSON.parse(signed(manifest(6)));
    env.payload = env.payload.replace('Bản tin', 'Giả mạo');
    expect(await agent.onManifest(JSON.stringify(env))).toBe('rejected');
    expect(agent.manifestVersion).toBe(5);
  });

  it('rejects an older version, a replay of a genuine manifest, and keeps the cache', async () => {
    const before = await cached();
    expect(await agent.onManifest(signed(manifest(4)))).toBe('rejected');
    expect(agent.manifestVersion).toBe(5);
    expect(await cached()).toBe(before);
  });

  it('rejects a manifest meant for another device', async () => {
    expect(await agent.onManifest(signed({ ...manifest(9), deviceId: 'thon-tay-1' }))).toBe('rejected');
    expect(agent.manifestVersion).toBe(5);
  });

  it('rejects garbage and a signed payload that breaks the schema', async () => {
    expect(await agent.onManifest('not json')).toBe('rejected');
    expect(await agent.onManifest(signed({ deviceId: 'thon-dong-1', version: 7 }))).toBe('rejected');
    expect(agent.manifestVersion).toBe(5);
  });

  it('treats the same version delivered again (a retained re-delivery) as unchanged', async () => {
    expect(await agent.onManifest(signed(manifest(5)))).toBe('unchanged');
  });

  it('refuses a manifest it cannot store, keeps the one in force, and applies it when it comes again', async () => {
    // The cache's manifest.json cannot be replaced (here: a directory stands in its way).
    await rm(join(dir, 'manifest.json'));
    await mkdir(join(dir, 'manifest.json', 'blocked'), { recursive: true });
    expect(await agent.onManifest(signed(manifest(6)))).toBe('rejected');
    expect(await agent.onManifest(signed(manifest(5)))).toBe('unchanged');
    await rm(join(dir, 'manifest.json'), { recursive: true });
    expect(await agent.onManifest(signed(manifest(6)))).toBe('applied');
    expect(JSON.parse(JSON.parse(await cached()).payload).version).toBe(6);
  });

  it('applies a newer version and stores it atomically in its cache', async () => {
    expect(await agent.onManifest(signed(manifest(6)))).toBe('applied');
    expect(JSON.parse(JSON.parse(await cached()).payload).version).toBe(6);
  });
});
