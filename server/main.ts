import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { serve } from '@hono/node-server';
import { generateSigningKeys, loadSigningKeys, type SigningKeys } from '../devices/protocol/index.js';
import { createApp } from './app.js';
import { createAuthService } from './auth/service.js';
import { createBus, type Bus } from './bus.js';
import { createCommandsService } from './commands/service.js';
import { systemClock, type Clock } from './clock.js';
import { loadConfigOrExit, type Config } from './config.js';
import { openDb } from './db/client.js';
import { ingestDeviceStatus } from './devices/ingest.js';
import { createDevicesService } from './devices/service.js';
import { createLogger, type Logger } from './logger.js';
import { createManifestsService } from './manifests/service.js';
import { audioTools } from './media/audio.js';
import { createMediaStore } from './media/store.js';
import { SERVER_USERNAME } from './mqtt/acl.js';
import { createMqttAuthenticator } from './mqtt/credentials.js';
import { startEmbeddedBroker, type EmbeddedBroker } from './mqtt/broker.js';
import { connectPlane } from './mqtt/client.js';
import { localPlane } from './mqtt/local.js';
import { createPlaylogsService } from './playlogs/service.js';
import { createAuditLog } from './audit/service.js';
import { createJobs } from './jobs/service.js';
import { espeakProvider } from './tts/espeak.js';
import { googleProvider } from './tts/google.js';
import { createProgramsService } from './programs/service.js';
import { createSchedulesService } from './schedules/service.js';
import { createZonesService } from './zones/service.js';

/** The server's Ed25519 key lives beside the database; devices pin its public half. */
function loadOrCreateKeys(dataDir: string): SigningKeys {
  const file = join(dataDir, 'server-signing-key.pem');
  if (!existsSync(file)) writeFileSync(file, generateSigningKeys().privateKeyPem, { mode: 0o600 });
  return loadSigningKeys(readFileSync(file, 'utf8'));
}

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

/** Composition root: config → db → broker → bus → features → http. The only place that wires. */
export async function startSystem(config: Config, opts: { clock?: Clock; log?: Logger } = {}): Promise<RunningSystem> {
  const clock = opts.clock ?? systemClock;
  const log = opts.log ?? createLogger(config.logLevel);
  mkdirSync(config.dataDir, { recursive: true });
  const { db, sqlite } = openDb(join(config.dataDir, 'loalang.db'));
  const keys = loadOrCreateKeys(config.dataDir);
  const bus = createBus(log);

  const auth = createAuthService({ db, clock, sessionTtlMs: config.sessionTtlMs });
  if (await auth.ensureAdmin(config.adminPassword)) log.info('created user admin from LOALANG_ADMIN_PASSWORD');
  const zones = createZonesService({ db, bus, clock });
  const devices = createDevicesService({ db, bus, clock, zoneExists: zones.exists, log });
  devices.markAllOffline();

  let broker: EmbeddedBroker | undefined;
  const serverUsername = config.mqttUsername ?? SERVER_USERNAME;
  // Embedded: a fresh random password each start, known to nobody (the server is in-process).
  const serverPassword = config.mqttUrl ? (config.mqttPassword ?? '') : randomBytes(24).toString('base64url');
  const mqttAuth = createMqttAuthenticator({ serverUsername, serverPassword, verifyDevice: devices.verifySecret, now: () => clock.now() });
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

  const media = createMediaStore({
    db, clock, tools: audioTools({ ffmpegPath: config.ffmpegPath, ffprobePath: config.ffprobePath }), mediaDir: config.mediaDir,
    maxUploadBytes: config.maxUploadBytes, maxDurationMs: config.maxAudioMs,
  });
  const audit = createAuditLog({ db, clock });
  const jobs = createJobs({ bus, clock, log, concurrency: config.transcodeConcurrency });
  const tts = config.tts.provider === 'google'
    ? await googleProvider({ endpoint: config.tts.googleEndpoint, insecure: config.tts.googleInsecure, defaultVoice: config.tts.googleVoice })
    : espeakProvider();
  log.info(`text to speech: ${tts.name}`);
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
    onApplied: devices.applyManifestVersion,
  });
  const playlogs = createPlaylogsService({ db, bus, clock, log });
  const commands = createCommandsService({ db, clock, log, plane, keys });
  commands.listen();

  ingestDeviceStatus(plane, devices, log);
  bus.on('manifests.published', 'devices', ({ manifests }) => devices.manifestsPublished(manifests));
  // Half-open links: no will ever comes, so three missed telemetry intervals mark a device offline.
  const heartbeatTimer = setInterval(() => {
    const silent = devices.markSilentOffline(3 * config.deviceTelemetryMs);
    if (silent.length) log.warn('devices silent for 3 telemetry intervals, marked offline', { devices: silent });
  }, Math.min(10_000, config.deviceTelemetryMs));
  heartbeatTimer.unref();
  // With an external broker the session ends at its next authentication; embedded, at once.
  bus.on('device.credentials-revoked', 'broker', ({ deviceId }) => broker?.disconnect(deviceId));
  playlogs.listen(plane);
  bus.on('playlog.stored', 'audit', ({ deviceId, occurrenceId, programId, result }) =>
    audit.record({ id: `device:${deviceId}`, name: deviceId }, 'broadcast.played', { type: 'program', id: programId }, { deviceId, occurrenceId, result }));
  manifests.start();
  await manifests.rebuild();
  await manifests.republishAll();
  await plane.ready();
  // Items fall out of the horizon and new ones enter it as days pass.
  const rebuildTimer = setInterval(() => manifests.rebuild().catch((err) => log.error('manifest rebuild failed', { err: String(err) })), 3600_000);
  rebuildTimer.unref();

  const app = createApp({
    log, bus, now: () => clock.now(), communeName: config.communeName, timeZone: config.timeZone,
    sessionTtlMs: config.sessionTtlMs, horizonMs,
    health: () => ({ mqtt: plane.connected ? 'connected' : 'disconnected', db: sqlite.open ? 'ok' : 'closed' }),
    provisioning: (deviceId, requestUrl) => ({
      deviceId,
      mqttUrl: config.publicMqttUrl ?? `mqtt://${new URL(requestUrl).hostname}:${broker?.port ?? new URL(mqttUrl).port}`,
      serverPublicKey: keys.publicKeyPem,
    }),
    auth, zones, devices, media, programs, schedules, manifests, playlogs,
    mqttHooks: { auth: mqttAuth, serverUsername, token: config.mqttHookToken },
    commands, jobs, audit, tts,
  });

  const http = await new Promise<Server>((resolve) => {
    const s = serve({ fetch: app.fetch, port: config.port, hostname: config.host }, () => resolve(s as Server));
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
    bus,
    async stop() {
      clearInterval(rebuildTimer);
      clearInterval(heartbeatTimer);
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
      await jobs.close();
      await manifests.close();
      await plane.close();
      await broker?.close();
      await tts.close?.();
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
