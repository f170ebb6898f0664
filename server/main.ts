import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { serve } from '@hono/node-server';
import { generateSigningKeys, loadSigningKeys, type SigningKeys } from '../devices/protocol/index.js';
import { createApp } from './app.js';
import { createAuditLog } from './audit/service.js';
import { createAuthService } from './auth/service.js';
import { createBus, type Bus, type Feature } from './bus.js';
import { systemClock, type Clock } from './clock.js';
import { createCommandsService } from './commands/service.js';
import { loadConfigOrExit, type Config } from './config.js';
import { openDb, type Db } from './db/client.js';
import type { ProvisioningFor } from './devices/routes.js';
import { createDevicesService } from './devices/service.js';
import { createJobs } from './jobs/service.js';
import { createLogger, type Logger } from './logger.js';
import { createManifestsService } from './manifests/service.js';
import { audioTools } from './media/audio.js';
import { createMediaStore } from './media/store.js';
import { SERVER_USERNAME } from './mqtt/acl.js';
import { startEmbeddedBroker, type EmbeddedBroker } from './mqtt/broker.js';
import { connectPlane } from './mqtt/client.js';
import { createMqttAuthenticator, type MqttAuthenticator } from './mqtt/credentials.js';
import { createDeviceInbox } from './mqtt/inbox.js';
import { localPlane } from './mqtt/local.js';
import type { ServerPlane } from './mqtt/plane.js';
import { createSessionRevoker } from './mqtt/sessions.js';
import { createPlaylogsService } from './playlogs/service.js';
import { createProgramsService } from './programs/service.js';
import { createSchedulesService } from './schedules/service.js';
import { espeakProvider } from './tts/espeak.js';
import { googleProvider } from './tts/google.js';
import { createZonesService } from './zones/service.js';

/** The server's Ed25519 key lives beside the database; devices pin its public half. */
function loadOrCreateKeys(dataDir: string): SigningKeys {
  const file = join(dataDir, 'server-signing-key.pem');
  if (!existsSync(file)) writeFileSync(file, generateSigningKeys().privateKeyPem, { mode: 0o600 });
  return loadSigningKeys(readFileSync(file, 'utf8'));
}

/** What the server stands on: a database, a signing key and a device plane, whichever broker carries it. */
export interface Infrastructure {
  clock: Clock;
  log: Logger;
  db: Db;
  /** Says whether the database file can still be read (health). */
  dbOpen: () => boolean;
  keys: SigningKeys;
  plane: ServerPlane;
  mqttAuth: MqttAuthenticator;
  serverUsername: string;
  /** The embedded broker, when there is one: revoked devices are disconnected on it at once. */
  broker?: Pick<EmbeddedBroker, 'disconnect'>;
  provisioning: ProvisioningFor;
}

/**
 * Composition root: every feature built from the infrastructure, wired to the bus, and the HTTP app.
 * No ports are opened here, so tests compose the same server on an in-memory database and call
 * `app.request()`. `start()` registers every listener, publishes manifests and says the server is online.
 */
export async function composeServer(config: Config, infra: Infrastructure) {
  const { clock, log, db, keys, plane } = infra;
  const bus = createBus(log);

  const auth = createAuthService({ db, clock, sessionTtlMs: config.sessionTtlMs });
  if (await auth.ensureAdmin(config.adminPassword)) log.info('created user admin from LOALANG_ADMIN_PASSWORD');
  const zones = createZonesService({ db, bus, clock });
  const devices = createDevicesService({ db, bus, clock, zoneExists: zones.exists, log, telemetryMs: config.deviceTelemetryMs });
  const media = createMediaStore({
    db, clock, tools: audioTools({ ffmpegPath: config.ffmpegPath, ffprobePath: config.ffprobePath }), mediaDir: config.mediaDir,
    maxUploadBytes: config.maxUploadBytes, maxDurationMs: config.maxAudioMs,
  });
  const audit = createAuditLog({ db, bus, clock });
  const jobs = createJobs({ bus, clock, log, concurrency: config.transcodeConcurrency });
  const tts = config.tts.provider === 'google'
    ? await googleProvider({ endpoint: config.tts.googleEndpoint, insecure: config.tts.googleInsecure, defaultVoice: config.tts.googleVoice })
    : espeakProvider();
  log.info(`text to speech: ${tts.name}`);
  log.info(`ffmpeg: ${media.tools.label}`);
  const programs = createProgramsService({ db, bus, clock, media, jobs, audit, tts });
  // What airs is the approved version: unapproved programs are "not approved" to schedules, absent from manifests.
  const onAir = () => programs.list().flatMap((p) => (p.airing ? [{ ...p, asset: p.airing }] : []));
  const schedules = createSchedulesService({
    db, bus, clock, timeZone: config.timeZone,
    programs: () => new Map(programs.list().map((p) => [p.id, { id: p.id, durationMs: p.asset.durationMs, status: p.airing ? 'approved' : p.status, title: p.title }])),
    zones: () => zones.list(),
    devices: () => devices.idsInZones('all'),
  });
  const horizonMs = config.horizonDays * 86400_000;
  const manifests = createManifestsService({
    db, bus, clock, log, plane, keys, horizonMs, timeZone: config.timeZone,
    source: {
      schedules: () => schedules.list(),
      devices: () => devices.idsInZones('all'),
      programs: onAir,
      quietHours: () => new Map(zones.list().map((z) => [z.id, { start: z.quietStart, end: z.quietEnd }])),
    },
  });
  const playlogs = createPlaylogsService({ db, bus, clock });
  const commands = createCommandsService({ db, bus, clock, log, plane, keys });

  // Everything that reacts to an event; each registers its own listeners in start().
  const features: Feature[] = [
    createDeviceInbox({ plane, bus, log }),
    devices, manifests, commands, playlogs, audit,
    createSessionRevoker({ bus, broker: infra.broker }),
  ];

  const app = createApp({
    log, bus, now: () => clock.now(), communeName: config.communeName, timeZone: config.timeZone,
    sessionTtlMs: config.sessionTtlMs, horizonMs,
    health: () => ({ mqtt: plane.connected ? 'connected' : 'disconnected', db: infra.dbOpen() ? 'ok' : 'closed', ffmpeg: media.tools.label }),
    provisioning: infra.provisioning,
    auth, zones, devices, media, programs, schedules, manifests, playlogs,
    mqttHooks: { auth: infra.mqttAuth, serverUsername: infra.serverUsername, token: config.mqttHookToken },
    commands, jobs, audit, tts, maxSpeechChars: config.maxSpeechChars,
  });

  return {
    app, bus, auth, zones, devices, media, programs, schedules, manifests, playlogs, commands, jobs, audit, tts,
    async start() {
      devices.markAllOffline();
      for (const f of features) await f.start();
      await manifests.rebuild();
      await manifests.republishAll();
      // Online only once every handler is in place: gateways that connected earlier say their state again.
      await plane.ready();
    },
    async stop() {
      for (const f of [...features].reverse()) await f.stop();
      await jobs.close();
      await manifests.close();
      await tts.close?.();
    },
  };
}
export type ComposedServer = Awaited<ReturnType<typeof composeServer>>;

export interface RunningSystem {
  httpUrl: string;
  mqttUrl: string;
  httpPort: number;
  mqttPort: number;
  publicKeyPem: string;
  /** The in-process event bus: benchmarks time the server's own stages with it. */
  bus: Bus;
  stop(): Promise<void>;
}

/** The whole system on ports: database file, signing key, broker (embedded or external), then HTTP. */
export async function startSystem(config: Config, opts: { clock?: Clock; log?: Logger } = {}): Promise<RunningSystem> {
  const clock = opts.clock ?? systemClock;
  const log = opts.log ?? createLogger(config.logLevel);
  mkdirSync(config.dataDir, { recursive: true });
  const { db, sqlite } = openDb(join(config.dataDir, 'loalang.db'));
  const keys = loadOrCreateKeys(config.dataDir);

  const serverUsername = config.mqttUsername ?? SERVER_USERNAME;
  // Embedded: a fresh random password each start, known to nobody (the server is in-process).
  const serverPassword = config.mqttUrl ? (config.mqttPassword ?? '') : randomBytes(24).toString('base64url');
  // The devices service is built in composeServer; the broker's hook asks it through this indirection.
  let verifyDevice: (id: string, secret: string) => boolean = () => false;
  const mqttAuth = createMqttAuthenticator({ serverUsername, serverPassword, verifyDevice: (id, secret) => verifyDevice(id, secret), now: () => clock.now() });
  let broker: EmbeddedBroker | undefined;
  let mqttUrl: string;
  if (config.mqttUrl) {
    mqttUrl = config.mqttUrl;
  } else {
    broker = await startEmbeddedBroker({ port: config.mqttPort, host: config.host, auth: mqttAuth, log });
    mqttUrl = `mqtt://127.0.0.1:${broker.port}`;
    log.info(`embedded MQTT broker on :${broker.port} (and ws at /mqtt)`);
  }
  // Embedded, the server publishes into and listens to its own broker in-process; outside, it is a
  // client like any other (MQTT 5, with the credentials the broker was given).
  const plane = broker
    ? localPlane({ aedes: broker.aedes, log, clock })
    : await connectPlane({ url: mqttUrl, username: serverUsername, password: serverPassword, log, clock });

  const server = await composeServer(config, {
    clock, log, db, dbOpen: () => sqlite.open, keys, plane, mqttAuth, serverUsername, broker,
    provisioning: (deviceId, requestUrl) => ({
      deviceId,
      mqttUrl: config.publicMqttUrl ?? `mqtt://${new URL(requestUrl).hostname}:${broker?.port ?? new URL(mqttUrl).port}`,
      serverPublicKey: keys.publicKeyPem,
    }),
  });
  verifyDevice = server.devices.verifySecret;
  await server.start();

  const http = await new Promise<Server>((resolve) => {
    const s = serve({ fetch: server.app.fetch, port: config.port, hostname: config.host }, () => resolve(s as Server));
  });
  broker?.attachWebSocket(http);
  const address = http.address();
  const httpPort = typeof address === 'object' && address ? address.port : config.port;
  log.info(`Loa Làng listening on http://127.0.0.1:${httpPort}`);

  return {
    httpUrl: `http://127.0.0.1:${httpPort}`,
    mqttUrl,
    httpPort,
    mqttPort: broker?.port ?? Number(new URL(mqttUrl).port || 1883),
    publicKeyPem: keys.publicKeyPem,
    bus: server.bus,
    async stop() {
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
      await server.stop();
      await plane.close();
      await broker?.close();
      sqlite.close();
    },
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const config = loadConfigOrExit();
  const system = await startSystem(config);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, async () => {
      await system.stop();
      process.exit(0);
    });
  }
}
