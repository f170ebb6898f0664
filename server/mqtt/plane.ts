import { parseDeviceTopic, type DeviceChannel } from '../../devices/protocol/index.js';
import type { Logger } from '../logger.js';

/** What features need of the device plane, whichever broker carries it. */
export interface DevicePlane {
  /** expiryMs: MQTT 5 message expiry, where the broker speaks MQTT 5 (ignored on 3.1.1). */
  publish(topic: string, payload: string | Buffer, opts: { retain: boolean; qos: 0 | 1; expiryMs?: number }): Promise<void>;
  /** Handler gets the device id from the topic and the raw payload; parse it at the boundary. */
  onDevice(channel: DeviceChannel, owner: string, handler: (deviceId: string, payload: Buffer) => void): void;
  readonly connected: boolean;
}

/** The plane as the server holds it: `ready()` once every handler is registered, `close()` at shutdown. */
export type ServerPlane = DevicePlane & { ready(): Promise<void>; close(): Promise<void> };

/** The server's birth and goodbye on `loalang/v1/server/state` (retained), whichever broker carries it. */
export const serverState = {
  online: (at: number) => JSON.stringify({ state: 'online', at }),
  offline: JSON.stringify({ state: 'offline' }),
};

/** Routes a device's message to the handlers of its channel; a handler that throws is logged, never rethrown into the broker. */
export function deviceRouter(log: Logger) {
  const handlers = new Map<DeviceChannel, { owner: string; fn: (id: string, payload: Buffer) => void }[]>();
  return {
    add(channel: DeviceChannel, owner: string, fn: (id: string, payload: Buffer) => void) {
      handlers.set(channel, [...(handlers.get(channel) ?? []), { owner, fn }]);
    },
    route(topic: string, payload: Buffer) {
      const t = parseDeviceTopic(topic);
      if (!t) return;
      for (const h of handlers.get(t.channel) ?? []) {
        try {
          h.fn(t.deviceId, payload);
        } catch (err) {
          log.warn(`mqtt: ${h.owner} failed on ${topic}`, { err: String(err) });
        }
      }
    },
  };
}

export { safeJson } from '../../devices/protocol/index.js';
