import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { serve } from '@hono/node-server';
import { generateSigningKeys, loadSigningKeys, type SigningKeys } from '../devices/protocol/index.js';
import type { Bus } from './bus.js';
import { systemClock, type Clock } from './clock.js';
import { loadConfigOrExit, type Config } from './config.js';
import { dbHealth, openDb } from './db/client.js';
import type { Housekeeping } from './housekeeping/service.js';
import { createLogger, type Logger } from './logger.js';
import { killTools } from './media/ffmpeg.js';
import { SERVER_USERNAME } from './mqtt/acl.js';
import { startEmbeddedBroker, type EmbeddedBroker } from './mqtt/broker.js';
import { connectPlane } from './mqtt/client.js';
import { createMqttAuthenticator } from './mqtt/credentials.js';
import { localPlane } from './mqtt/local.js';
import { composeServer } from './compose.js';

export { composeServer, type ComposedServer } from './compose.js';

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
  /** Runs a housekeeping job now (a backup before an upgrade; tests). */
  housekeeping: Pick<Housekeeping, 'runNow'>;
  /** Resolves once every manifest rebuild queued so far has been published (tests, benchmarks). */
  manifestsIdle(): Promise<void>;
  stop(): Promise<void>;
}

/** The whole system on ports: database file, signing key, broker (embedded or external), then HTTP. */
export async function startSystem(config: Config, opts: { clock?: Clock; log?: Logger } = {}): Promise<RunningSystem> {
  const clock = opts.clock ?? systemClock;
  const log = opts.log ?? createLogger(config.logLevel);
  mkdirSync(config.dataDir, { recursive: true });
  // Half-written uploads and renders of a run that was killed: nothing in tmp/ outlives its run.
  rmSync(join(config.mediaDir, 'tmp'), { recursive: true, force: true });
  const { db, sqlite } = openDb(join(config.dataDir, 'loalang.db'), { busyTimeoutMs: config.dbBusyTimeoutMs });
  const keys = loadOrCreateKeys(config.dataDir);

  const serverUsername = config.mqttUsername ?? SERVER_USERNAME;
  // Embedded: a fresh random password each start, known to nobody (the server is in-process).
  const serverPassword = config.mqttUrl ? (config.mqttPassword ?? '') : randomBytes(24).toString('base64url');
  // The devices service is built in composeServer; the broker's hook asks it through this indirection.
  let verifyDevice: (id: string, secret: string) => boolean = () => false;
  const mqttAuth = createMqttAuthenticator({
    serverUsername, serverPassword, verifyDevice: (id, secret) => verifyDevice(id, secret), now: () => clock.now(), maxFailures: config.mqttAuthMaxFailures,
  });
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
    clock, log, db, dbHealth: () => dbHealth(sqlite), keys, plane, mqttAuth, serverUsername, broker,
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
    housekeeping: { runNow: server.housekeeping.runNow },
    manifestsIdle: () => server.manifests.whenIdle(),
    async stop() {
      // No new connections; requests under way finish, then live streams are cut.
      const closed = new Promise<void>((resolve) => http.close(() => resolve()));
      http.closeIdleConnections();
      setTimeout(() => http.closeAllConnections(), 1000).unref();
      await closed;
      await server.stop();
      // Jobs were told to stop and given their grace; an ffmpeg that has not gone yet is killed.
      await killTools();
      await plane.close();
      await broker?.close();
      sqlite.close();
    },
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const config = loadConfigOrExit();
  const log = createLogger(config.logLevel);
  const system = await startSystem(config, { log });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, async () => {
      log.info(`${signal}: stopping (at most ${config.shutdownTimeoutMs / 1000} s)`);
      // Whatever still runs when the time is up (a hung child, a stuck socket) is not waited for.
      setTimeout(() => {
        log.error('shutdown took too long; exiting anyway');
        process.exit(1);
      }, config.shutdownTimeoutMs).unref();
      await system.stop();
      process.exit(0);
    });
  }
}
