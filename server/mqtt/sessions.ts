import type { Bus, Feature } from '../bus.js';
import type { EmbeddedBroker } from './broker.js';

/**
 * A device whose secret was rotated, or that was deleted, loses its live MQTT session at once on the
 * embedded broker. (An external broker ends it at its next authentication.)
 */
export function createSessionRevoker({ bus, broker }: { bus: Bus; broker?: Pick<EmbeddedBroker, 'disconnect'> }): Feature {
  const owner = 'sessions';
  return {
    start() {
      if (broker) bus.on('device.credentials-revoked', owner, ({ deviceId }) => broker.disconnect(deviceId));
    },
    stop() {
      bus.removeListeners(owner);
    },
  };
}
