import { deviceState, telemetry } from '../../devices/protocol/index.js';
import type { Logger } from '../logger.js';
import { safeJson, type DevicePlane } from '../mqtt/plane.js';
import type { DevicesService } from './service.js';

/** Device status from MQTT: retained state + will, and telemetry. Malformed payloads are logged and dropped. */
export function ingestDeviceStatus(plane: DevicePlane, devices: DevicesService, log: Logger) {
  plane.onDevice('state', 'devices', (id, payload) => {
    if (payload.length === 0) return;
    const s = deviceState.safeParse(safeJson(payload));
    if (!s.success) return log.warn('mqtt: malformed state dropped', { deviceId: id });
    devices.applyState(id, s.data);
  });
  plane.onDevice('telemetry', 'devices', (id, payload) => {
    const t = telemetry.safeParse(safeJson(payload));
    if (!t.success) return log.warn('mqtt: malformed telemetry dropped', { deviceId: id });
    devices.applyTelemetry(id, t.data);
  });
}
