import type { SigningKeys } from '../devices/protocol/index.js';
import { createApp } from './app.js';
import { createAuditLog } from './audit/service.js';
import { createCapFeed } from './broadcasts/cap-feed.js';
import { createCapService } from './broadcasts/cap-service.js';
import { createBroadcastsService } from './broadcasts/service.js';
import { createAuthService } from './auth/service.js';
import { createBus, type Feature } from './bus.js';
import type { Clock } from './clock.js';
import { createCommandsService } from './commands/service.js';
import type { Config } from './config.js';
import type { Db, DbHealth } from './db/client.js';
import type { ProvisioningFor } from './devices/routes.js';
import { createDevicesService } from './devices/service.js';
import { backupDatabase } from './housekeeping/backup.js';
import { createHousekeeping } from './housekeeping/service.js';
import { createJobs } from './jobs/service.js';
import { createListenService } from './listen/service.js';
import type { Logger } from './logger.js';
import { createManifestsService } from './manifests/service.js';
import { createBatchSigner } from './manifests/signer.js';
import { audioTools } from './media/audio.js';
import { createMediaStore } from './media/store.js';
import { createMetrics } from './metrics/service.js';
import type { EmbeddedBroker } from './mqtt/broker.js';
import type { MqttAuthenticator } from './mqtt/credentials.js';
import { createDeviceInbox } from './mqtt/inbox.js';
import type { ServerPlane } from './mqtt/plane.js';
import { createSessionRevoker } from './mqtt/sessions.js';
import { createPlaylogsService } from './playlogs/service.js';
import { createIncidents } from './plays/incidents.js';
import { createPlaysService } from './plays/service.js';
import { createReportsService } from './reports/service.js';
import { createProgramsService } from './programs/service.js';
import { createSchedulesService } from './schedules/service.js';
import { espeakProvider } from './tts/espeak.js';
import { googleProvider } from './tts/google.js';
import { createZonesService } from './zones/service.js';


/** What the server stands on: a database, a signing key and a device plane, whichever broker carries it. */
export interface Infrastructure {
  clock: Clock;
  log: Logger;
  db: Db;
  /** Whether the database can be written now (health). */
  dbHealth: () => DbHealth;
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

  const auth = createAuthService({ db, clock, sessionTtlMs: config.sessionTtlMs, limits: config.login });
  if (await auth.ensureAdmin(config.adminPassword)) log.info('created user admin from LOALANG_ADMIN_PASSWORD');
  else if (!auth.hasUsers()) log.warn("no user yet, so nobody can log in: restart with LOALANG_ADMIN_PASSWORD='a long password' to create the user admin");
  // Schedules are built below; a zone asks them only when it is deleted.
  const zones = createZonesService({
    db, bus, clock, targets: { schedulesFor: (id) => schedules.targeting(id), release: (id) => schedules.releaseZone(id) },
  });
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
  // Schedules and the as-run log are built below; a program asks them only when it is deleted.
  const programs = createProgramsService({
    db, bus, clock, media, jobs, audit, tts,
    references: { schedulesFor: (id) => schedules.list().filter((s) => s.programIds.includes(id)).map((s) => ({ id: s.id })), everPlayed: (id) => playlogs.playedProgram(id) },
  });
  // What airs is the approved version: unapproved programs are "not approved" to schedules, absent from manifests.
  const onAir = () => programs.list().flatMap((p) => (p.airing ? [{ ...p, asset: p.airing }] : []));
  const horizonMs = config.horizonDays * 86400_000;
  // One set of signing threads for manifests and emergency alerts, started with the server.
  const signer = createBatchSigner(keys.privateKey);
  const schedules = createSchedulesService({
    db, bus, clock, timeZone: config.timeZone, horizonMs, maxPlaysPerDay: config.maxPlaysPerDay, maxManifestItems: config.maxManifestItems,
    programs: () => new Map(programs.list().map((p) => [p.id, { id: p.id, durationMs: p.asset.durationMs, status: p.airing ? 'approved' : p.status, title: p.title }])),
    zones: () => zones.list(),
    devices: () => devices.idsInZones('all'),
  });
  const manifests = createManifestsService({
    db, bus, clock, log, plane, keys, signer, horizonMs, timeZone: config.timeZone, maxItems: config.maxManifestItems,
    source: {
      schedules: () => schedules.list(),
      devices: () => devices.idsInZones('all'),
      programs: onAir,
      quietHours: () => new Map(zones.list().map((z) => [z.id, { start: z.quietStart, end: z.quietEnd }])),
    },
  });
  const playlogs = createPlaylogsService({ db, bus, clock });
  const commands = createCommandsService({ db, bus, clock, log, plane, keys });
  const broadcasts = createBroadcastsService({
    db, bus, clock, log, plane, signer, defaultExpiryMs: config.emergencyExpiryMs,
    devices: () => devices.all().map((x) => ({ id: x.id, zoneId: x.zoneId, online: x.online, lastSeenAt: x.lastSeenAt, test: x.test })),
  });

  const names = {
    zone: (id: string) => zones.list().find((z) => z.id === id)?.name ?? id,
    device: (id: string) => devices.all().find((x) => x.id === id)?.name ?? id,
  };
  const incidents = createIncidents({
    db, bus, clock, log, webhookUrl: config.incidentWebhookUrl, communeName: config.communeName,
    gateway: (id) => {
      const dev = devices.all().find((x) => x.id === id);
      return { name: dev?.name ?? id, hamlet: dev ? names.zone(dev.zoneId) : '' };
    },
  });
  const plays = createPlaysService({
    db, bus, clock, log, timeZone: config.timeZone, incidents, graceMs: config.playSettleGraceMs,
    schedules: () => schedules.list(),
    devices: () => devices.all().map((x) => ({ id: x.id, zoneId: x.zoneId, createdAt: x.createdAt, online: x.online, lagSince: x.lagSince, telemetry: x.telemetry })),
    programs: () => new Map(programs.list().map((p) => [p.id, { id: p.id, durationMs: p.asset.durationMs, title: p.title, category: p.category }])),
    broadcastPlays: (id) => broadcasts.expectedPlays(id),
  });

  const cap = createCapService({
    db, bus, clock, log, broadcasts, speak: async (text) => (await programs.speak({ text })).asset,
    zones: () => zones.list().map((z) => ({ id: z.id, geocodes: z.geocodes })),
    gateways: () => devices.all().map((x) => ({ id: x.id, zoneId: x.zoneId, lat: x.lat ?? undefined, lon: x.lon ?? undefined })),
  });
  const capFeed = createCapFeed({ db, clock, log, cap, url: config.cap.feedUrl, everyMs: config.cap.pollMs });
  const reports = createReportsService({
    db, clock, timeZone: config.timeZone, zones: () => zones.list(),
    devices: () => devices.all().map((x) => ({ id: x.id, name: x.name, zoneId: x.zoneId, createdAt: x.createdAt })),
  });
  const listen = createListenService({ db, lastPlayed: playlogs.lastPlayed, assetPath: (sha256) => media.assetPath(sha256, 'mp3') });
  const metrics = createMetrics({ bus, gateways: () => devices.all(), now: () => clock.now() });
  const { schedules: cron, retentionYears, backupDir, backupKeep } = config.housekeeping;
  const housekeeping = createHousekeeping({
    log, bus, clock, timeZone: config.timeZone, schedules: cron, retentionYears,
    tasks: {
      rebuildManifests: () => manifests.rebuild(),
      settle: () => plays.sweep().then(() => {}),
      purgeSessions: () => auth.purgeExpiredSessions(),
      pruneRecords: async (before) => ({ playlogs: await playlogs.pruneBefore(before), audit: await audit.pruneBefore(before), plays: await plays.pruneBefore(before) }),
      backup: () => backupDatabase({ sqlite: db.$client, dataDir: config.dataDir, backupDir, keep: backupKeep, now: clock.now(), log }),
    },
  });

  // Everything that reacts to an event; each registers its own listeners in start().
  const features: Feature[] = [
    createDeviceInbox({ plane, bus, log }),
    devices, manifests, commands, playlogs, audit, broadcasts, plays, capFeed, metrics,
    createSessionRevoker({ bus, broker: infra.broker }),
    housekeeping,
  ];

  const app = createApp({
    log, bus, now: () => clock.now(), communeName: config.communeName, timeZone: config.timeZone,
    sessionTtlMs: config.sessionTtlMs, horizonMs, trustProxy: config.trustProxy, maxJsonBodyBytes: config.maxJsonBodyBytes,
    health: () => ({ mqtt: plane.connected ? 'connected' : 'disconnected', db: infra.dbHealth(), ffmpeg: media.tools.label, signing: signer.engine ?? 'starting' }),
    provisioning: infra.provisioning,
    auth, zones, devices, media, programs, schedules, manifests, playlogs,
    mqttHooks: { auth: infra.mqttAuth, serverUsername: infra.serverUsername, token: config.mqttUrl ? config.mqttHookToken : undefined },
    commands, jobs, audit, tts, maxSpeechChars: config.maxSpeechChars, emergencyExpiryMinutes: config.emergencyExpiryMs / 60_000, broadcasts, plays, incidents, names, reports, cap, capInboundToken: config.cap.inboundToken,
    listen, listenOptions: config.listen, metrics, metricsToken: config.metricsToken,
    mapTileUrl: config.mapTileUrl,
    broadcastContent: {
      program: (id) => {
        const p = programs.get(id);
        return { title: p.title, status: p.status, airing: p.airing };
      },
      speak: async (text, voice) => (await programs.speak({ text, voice })).asset,
      asset: (sha256) => media.getAsset(sha256),
    },
  });

  return {
    app, bus, auth, zones, devices, media, programs, schedules, manifests, playlogs, commands, jobs, audit, tts, broadcasts, plays, incidents, reports, cap, capFeed,
    listen, metrics, housekeeping,
    async start() {
      devices.markAllOffline();
      signer.warm();
      for (const f of features) await f.start();
      const { published } = await manifests.rebuild();
      await manifests.republishAll(published);
      // Online only once every handler is in place: gateways that connected earlier say their state again.
      await plane.ready();
    },
    async stop() {
      for (const f of [...features].reverse()) await f.stop();
      await jobs.close(Math.max(1000, config.shutdownTimeoutMs / 2));
      // What gateways do while the server is away is unknown: availability counts it as offline.
      devices.markAllOffline();
      await manifests.close();
      await signer.close();
      await tts.close?.();
    },
  };
}
export type ComposedServer = Awaited<ReturnType<typeof composeServer>>;
