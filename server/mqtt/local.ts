import type { Aedes } from 'aedes';
import { topics, type DeviceChannel } from '../../devices/protocol/index.js';
import type { Clock } from '../clock.js';
import type { Logger } from '../logger.js';
import { deviceRouter, serverState, type ServerPlane } from './plane.js';

/**
 * The device plane on the embedded broker, in this process: the server publishes into aedes and
 * listens to it directly, without an MQTT client of its own on a loopback socket. Gateways still
 * connect over TCP (or WebSocket) through the same authentication and ACL hooks. A schedule change
 * for thousands of gateways is then not encoded, sent, parsed and acknowledged a second time on its
 * way into the broker. Publishing goes through the broker's own pipeline: retained messages are
 * stored, QoS 1 deliveries queued per subscriber.
 */
export function localPlane({ aedes, log, clock }: { aedes: Aedes; log: Logger; clock: Clock }): ServerPlane {
  const router = deviceRouter(log);
  const listening = new Set<DeviceChannel>();
  let open = true;
  const publish = (topic: string, payload: string | Buffer, { retain, qos }: { retain: boolean; qos: 0 | 1 }) =>
    new Promise<void>((resolve, reject) =>
      aedes.publish({ cmd: 'publish', topic, payload: typeof payload === 'string' ? Buffer.from(payload) : payload, qos, retain, dup: false }, (err) => (err ? reject(err) : resolve())));
  return {
    get connected() {
      return open && !aedes.closed;
    },
    publish,
    onDevice(channel, owner, fn) {
      router.add(channel, owner, fn);
      if (listening.has(channel)) return;
      listening.add(channel);
      aedes.subscribe(topics.allDevices(channel), (packet, done) => {
        router.route(packet.topic, packet.payload as Buffer);
        // Released on the next turn, never from inside the delivery: the broker starts the next queued
        // message from this callback, so releasing at once recursed once per queued message, and
        // 10,000 gateways reconnecting behind a wave of outgoing manifests overflowed the stack.
        setImmediate(done);
      }, () => {});
    },
    /** Says the server is online, once every handler is in place: gateways that connected earlier say their state again. */
    async ready() {
      await publish(topics.serverState, serverState.online(clock.now()), { retain: true, qos: 1 });
    },
    async close() {
      // The server is going away on purpose: say so before the broker closes.
      if (open && !aedes.closed) await publish(topics.serverState, serverState.offline, { retain: true, qos: 1 }).catch(() => {});
      open = false;
    },
  };
}
