import { randomBytes } from 'node:crypto';
import mqtt from 'mqtt';
import { topics, type DeviceChannel } from '../../devices/protocol/index.js';
import type { Clock } from '../clock.js';
import type { Logger } from '../logger.js';
import { deviceRouter, serverState, type ServerPlane } from './plane.js';

/**
 * The server's own MQTT client, used with an external broker (Mosquitto 2, EMQX): it publishes
 * manifests and listens to every device. It speaks MQTT 5, so commands carry a message expiry the
 * broker enforces. (On the embedded aedes the server is in-process: local.ts.)
 */
export async function connectPlane({ url, username, password, log, clock }: {
  url: string; username: string; password: string; log: Logger; clock: Clock;
}): Promise<ServerPlane> {
  const router = deviceRouter(log);
  const client = mqtt.connect(url, {
    username, password, clientId: `loalang-server-${randomBytes(4).toString('hex')}`,
    keepalive: 30, reconnectPeriod: 1000, clean: true, protocolVersion: 5,
    will: { topic: topics.serverState, payload: Buffer.from(serverState.offline), retain: true, qos: 1 },
  });
  // Online is said only once every handler is in place (ready()): a gateway that connected earlier
  // and whose state went unheard says it again when it sees the server come online.
  let ready = false;
  const announce = () => client.publishAsync(topics.serverState, serverState.online(clock.now()), { retain: true, qos: 1 });
  client.on('connect', async () => {
    await client.subscribeAsync(['state', 'telemetry', 'event'].map((c) => topics.allDevices(c as DeviceChannel)), { qos: 1 });
    if (ready) await announce();
    log.info('mqtt: server client connected', { url });
  });
  client.on('error', (err) => log.warn('mqtt: server client error', { err: err.message }));
  client.on('message', router.route);
  await new Promise<void>((resolve, reject) => {
    client.once('connect', () => resolve());
    client.once('error', reject);
  });
  return {
    get connected() {
      return client.connected;
    },
    async publish(topic, payload, { expiryMs, ...opts }) {
      const expiry = expiryMs !== undefined ? { properties: { messageExpiryInterval: Math.max(1, Math.ceil(expiryMs / 1000)) } } : {};
      await client.publishAsync(topic, payload, { ...opts, ...expiry });
    },
    onDevice: router.add,
    async ready() {
      ready = true;
      if (client.connected) await announce();
    },
    async close() {
      // A clean goodbye: the server is going away on purpose, so say offline without the will.
      if (client.connected) await client.publishAsync(topics.serverState, serverState.offline, { retain: true, qos: 1 }).catch(() => {});
      await client.endAsync();
    },
  };
}
