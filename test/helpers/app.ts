import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Aedes } from 'aedes';
import type Database from 'better-sqlite3';
import { afterAll, beforeAll } from 'vitest';
import { generateSigningKeys, loadSigningKeys } from '../../devices/protocol/index.js';
import { parseConfig } from '../../server/config.js';
import { dbHealth, openDb, type Db } from '../../server/db/client.js';
import type { Category } from '../../server/domain/categories.js';
import { assets, programs, programVersions } from '../../server/db/schema.js';
import { createLogger } from '../../server/logger.js';
import { composeServer, type ComposedServer } from '../../server/main.js';
import { SERVER_USERNAME } from '../../server/mqtt/acl.js';
import { createMqttAuthenticator } from '../../server/mqtt/credentials.js';
import { localPlane } from '../../server/mqtt/local.js';
import { ADMIN_PASSWORD, NO_HOUSEKEEPING_SCHEDULES, type Api, type ApiClient, withJson } from './system.js';

/** A Monday morning in the commune, far from quiet hours: the default "now" of in-process tests. */
export const FIXED_NOW = Date.parse('2026-03-02T08:00:00+07:00');

/** What @hono/node-server would give a request from `address`: routes that log the address see it. */
const peer = (address: string) => ({ incoming: { socket: { remoteAddress: address, remotePort: 40000, remoteFamily: 'IPv4' } } });

/** A clock a test moves by hand. */
export function testClock(start = FIXED_NOW) {
  let now = start;
  return { now: () => now, set: (ms: number) => void (now = ms), advance: (ms: number) => void (now += ms) };
}
export type TestClock = ReturnType<typeof testClock>;

export interface TestApp extends ApiClient {
  as: (cookie?: string, address?: string) => Api;
  server: ComposedServer;
  /** The in-memory database, for fixtures a route test needs but does not test. */
  db: Db;
  sqlite: Database.Database;
  clock: TestClock;
  /** Publishes as a gateway would (its state, telemetry, reports): into the in-process broker the server listens to. */
  fromDevice(deviceId: string, channel: 'state' | 'telemetry' | 'event', payload: unknown): Promise<void>;
  dir: string;
  stop(): Promise<void>;
}

/**
 * The server composed in this process, as main.ts composes it, on an in-memory SQLite, a broker with
 * no port (aedes in-process) and a hand-moved clock. Requests go through `app.request()`: route
 * rules (validation, roles, error shapes) are tested without sockets.
 */
export async function createTestApp(opts: { now?: number; env?: Record<string, string> } = {}): Promise<TestApp> {
  const dir = await mkdtemp(join(tmpdir(), 'loalang-app-'));
  const clock = testClock(opts.now);
  const log = createLogger(process.env.TEST_LOG ? 'debug' : 'silent');
  const config = parseConfig({
    DATA_DIR: join(dir, 'data'), MEDIA_DIR: join(dir, 'media'), LOALANG_ADMIN_PASSWORD: ADMIN_PASSWORD, LOG_LEVEL: 'silent',
    ...NO_HOUSEKEEPING_SCHEDULES, ...opts.env,
  });
  const { db, sqlite } = openDb(':memory:');
  const keys = loadSigningKeys(generateSigningKeys().privateKeyPem);
  const aedes = await Aedes.createBroker();
  const plane = localPlane({ aedes, log, clock });
  let verifyDevice = (_id: string, _secret: string) => false;
  const mqttAuth = createMqttAuthenticator({
    serverUsername: SERVER_USERNAME, serverPassword: 'in-process', verifyDevice: (id, s) => verifyDevice(id, s), now: clock.now,
  });
  const server = await composeServer(config, {
    clock, log, db, dbHealth: () => dbHealth(sqlite), keys, plane, mqttAuth, serverUsername: SERVER_USERNAME,
    provisioning: (deviceId) => ({ deviceId, mqttUrl: 'mqtt://127.0.0.1:1883', serverPublicKey: keys.publicKeyPem }),
  });
  verifyDevice = server.devices.verifySecret;
  await server.start();

  /** Requests with a session cookie (or none), from 127.0.0.1 unless another peer address is given. */
  const as = (cookie?: string, address = '127.0.0.1'): Api => async (path, init = {}) => {
    const headers = new Headers(init.headers);
    if (cookie) headers.set('cookie', cookie);
    return server.app.request(path, withJson({ ...init, headers }), peer(address));
  };
  const login = async (username: string, password: string) => {
    const res = await as()('/api/auth/login', { method: 'POST', json: { username, password } });
    if (res.status !== 200) throw new Error(`login failed: ${res.status} ${await res.text()}`);
    return res.headers.get('set-cookie')!.split(';')[0];
  };
  return {
    server, db, sqlite, clock, dir, as, login,
    fromDevice: (deviceId, channel, payload) => new Promise<void>((resolve, reject) => aedes.publish({
      cmd: 'publish', topic: `loalang/v1/dev/${deviceId}/${channel}`, payload: Buffer.from(JSON.stringify(payload)), qos: 1, retain: channel === 'state', dup: false,
    }, (err) => (err ? reject(err) : setImmediate(resolve)))), api: as(await login('admin', ADMIN_PASSWORD)),
    async stop() {
      await server.stop();
      await plane.close();
      await new Promise<void>((resolve) => aedes.close(() => resolve()));
      sqlite.close();
      await rm(dir, { recursive: true, force: true, maxRetries: 5 });
    },
  };
}

/** One in-process app for the suite: built before its tests, stopped after. */
export function useTestApp(opts: Parameters<typeof createTestApp>[0] = {}): TestApp {
  const t = {} as TestApp;
  beforeAll(async () => void Object.assign(t, await createTestApp(opts)));
  afterAll(() => t.stop?.());
  return t;
}

/**
 * An approved program with an asset of `durationMs`, written straight to the database: for route
 * tests of schedules, which need something approved but not the audio pipeline (tested on its own).
 */
let seeded = 0;
export function seedApprovedProgram(t: Pick<TestApp, 'db' | 'clock' | 'server'>, title: string, durationMs = 60_000, category: Category = 'news'): string {
  const now = t.clock.now();
  const id = `pg_${createHash('sha256').update(`${title}|${++seeded}`).digest('hex').slice(0, 12)}`;
  const sha256 = createHash('sha256').update(`${title}|${durationMs}`).digest('hex');
  t.db.transaction((tx) => {
    tx.insert(assets).values({ sha256, bytes: Math.round(durationMs * 3), durationMs, loudnessLufs: -16, truePeakDb: -1.5, createdAt: now }).onConflictDoNothing().run();
    tx.insert(programs).values({
      id, title, category, status: 'approved', assetSha256: sha256, airingSha256: sha256, airingVersion: 1, latestVersion: 1, createdAt: now, updatedAt: now,
    }).run();
    tx.insert(programVersions).values({ id: `pv_${id}`, programId: id, version: 1, assetSha256: sha256, status: 'approved', source: 'upload', createdAt: now, decidedAt: now }).run();
  });
  t.server.bus.emit('program.airing-changed', { programId: id });
  return id;
}
