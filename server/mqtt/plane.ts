import type { DeviceChannel } from '../../devices/protocol/index.js';

/** What features need of the device plane, whichever broker carries it. */
export interface DevicePlane {
  /** expiryMs: MQTT 5 message expiry, where the broker speaks MQTT 5 (ignored on 3.1.1). */
  publish(topic: string, payload: string, opts: { retain: boolean; qos: 0 | 1; expiryMs?: number }): Promise<void>;
  /** Handler gets the device id from the topic and the raw payload; parse it at the boundary. */
  onDevice(channel: DeviceChannel, owner: string, handler: (deviceId: string, payload: Buffer) => void): void;
  readonly connected: boolean;
}

export { safeJson } from '../../devices/protocol/index.js';
