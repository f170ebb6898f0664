import { createServer, type Server as NetServer } from 'node:net';
import type { IncomingMessage, Server as HttpServer } from 'node:http';
import type { Duplex } from 'node:stream';
import { Aedes, type Client } from 'aedes';
import { WebSocketServer, createWebSocketStream } from 'ws';
import type { Logger } from '../logger.js';
import { authorize, type Principal } from './acl.js';
import type { MqttAuthenticator } from './credentials.js';
import { createRateLimiter, DEVICE_LIMITS } from './limits.js';

const principals = new WeakMap<Client, Principal>();

function authError(returnCode: 4 | 5, message: string) {
  return Object.assign(new Error(message), { returnCode });
}

/** The embedded aedes broker with our authentication and ACL in its hooks. */
export async function startEmbeddedBroker({ port, host, auth, log, now = Date.now, limits = DEVICE_LIMITS }: {
  port: number; host: string; auth: MqttAuthenticator; log: Logger; now?: () => number; limits?: typeof DEVICE_LIMITS;
}) {
  const rate = createRateLimiter({ capacity: limits.burst, refillPerSec: limits.perSecond, now });
  const lastLogged = new Map<string, number>();
  const quietLog = (source: string) => {
    const t = now();
    if ((lastLogged.get(source) ?? -Infinity) > t - 60_000) return false;
    if (lastLogged.size > 1000) lastLogged.clear();
    lastLogged.set(source, t);
    return true;
  };
  const aedes = await Aedes.createBroker({
    // Device ids go up to 64 characters, past MQTT 3.1's 23.
    maxClientsIdLength: 128,
    authenticate(client, username, password, done) {
      const address = (client.conn as { remoteAddress?: string } | undefined)?.remoteAddress;
      const result = auth.authenticate({ username, password: password?.toString('utf8'), clientId: client.id, address });
      if (!result.ok) {
        // A source over its limit is refused quietly (logged once a minute) and slowly: a guessing
        // loop neither fills the log nor gets a fast answer.
        if (!result.slowDownMs || quietLog(address ?? 'unknown')) {
          log.warn('mqtt: refused connection', { clientId: client.id, username, address, reason: result.reason });
        }
        const refuse = () => done(authError(result.code, result.reason), false);
        if (result.slowDownMs) setTimeout(refuse, result.slowDownMs).unref();
        else refuse();
        return;
      }
      principals.set(client, result.principal);
      done(null, true);
    },
    authorizePublish(client, packet, done) {
      const p = client ? principals.get(client) : { kind: 'server' as const };
      if (!p || !authorize(p, 'publish', packet.topic)) {
        log.warn('mqtt: refused publish', { clientId: client?.id, topic: packet.topic });
        return done(new Error(`publish to ${packet.topic} not allowed`));
      }
      if (p.kind === 'device') {
        const size = packet.payload?.length ?? 0;
        if (size > limits.maxPayloadBytes) {
          log.warn('mqtt: payload too large, device disconnected', { deviceId: p.id, topic: packet.topic, bytes: size });
          return done(new Error(`payload of ${size} bytes exceeds ${limits.maxPayloadBytes}`));
        }
        if (!rate.allow(p.id)) {
          log.warn('mqtt: message rate exceeded, device disconnected', { deviceId: p.id, burst: limits.burst, perSecond: limits.perSecond });
          return done(new Error('message rate exceeded'));
        }
      }
      done(null);
    },
    authorizeSubscribe(client, sub, done) {
      const p = principals.get(client);
      if (!p || !authorize(p, 'subscribe', sub.topic)) {
        log.warn('mqtt: refused subscription', { clientId: client?.id, topic: sub.topic });
        // A null subscription answers SUBACK 0x80 (failure) [MQTT-3.9.3-2].
        return done(null, null);
      }
      done(null, sub);
    },
  });
  aedes.on('clientError', (client, err) => log.debug('mqtt client error', { clientId: client?.id, err: err.message }));

  const tcp: NetServer = createServer(aedes.handle);
  await new Promise<void>((resolve, reject) => tcp.once('error', reject).listen(port, host, () => resolve()));
  const address = tcp.address();
  const boundPort = typeof address === 'object' && address ? address.port : port;

  const wss = new WebSocketServer({ noServer: true });
  wss.on('connection', (ws, req) => aedes.handle(createWebSocketStream(ws), req as never));

  return {
    aedes,
    port: boundPort,
    /** Ends a device's live session (its secret was rotated or it was deleted). */
    disconnect(deviceId: string) {
      const client = (aedes as unknown as { clients: Record<string, Client> }).clients[deviceId];
      if (client) {
        log.info('mqtt: closing the session of a revoked device', { deviceId });
        client.close();
      }
    },
    /** MQTT over WebSocket at `/mqtt` on the HTTP server. */
    attachWebSocket(http: HttpServer) {
      http.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
        if (new URL(req.url ?? '/', 'http://x').pathname !== '/mqtt') return socket.destroy();
        wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
      });
    },
    async close() {
      for (const ws of wss.clients) ws.terminate();
      wss.close();
      await new Promise<void>((resolve) => aedes.close(() => resolve()));
      await new Promise<void>((resolve) => tcp.close(() => resolve()));
    },
  };
}
export type EmbeddedBroker = Awaited<ReturnType<typeof startEmbeddedBroker>>;
