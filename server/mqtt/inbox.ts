import { deviceReport, deviceState, safeJson, telemetry } from '../../devices/protocol/index.js';
import type { Bus, Feature } from '../bus.js';
import type { Logger } from '../logger.js';
import type { DevicePlane } from './plane.js';

/**
 * The door for what gateways send: every state, telemetry and report message is parsed once here.
 * A malformed one is logged (once) and dropped; a good one goes on the bus as a typed event, so no
 * feature ever parses device bytes again.
 */
export function createDeviceInbox({ plane, bus, log }: { plane: DevicePlane; bus: Bus; log: Logger }): Feature {
  let open = false;
  let subscribed = false;
  const dropped = (what: string, deviceId: string, issues: unknown) =>
    log.warn(`mqtt: malformed ${what} dropped`, { deviceId, issues: String(JSON.stringify(issues)).slice(0, 300) });
  return {
    start() {
      open = true;
      if (subscribed) return;
      subscribed = true;
      plane.onDevice('state', 'inbox', (deviceId, payload) => {
        // An empty retained payload clears the topic; nothing to report.
        if (!open || payload.length === 0) return;
        const s = deviceState.safeParse(safeJson(payload));
        if (!s.success) return dropped('state', deviceId, s.error.issues);
        bus.emit('device.state-reported', { deviceId, state: s.data });
      });
      plane.onDevice('telemetry', 'inbox', (deviceId, payload) => {
        if (!open) return;
        const t = telemetry.safeParse(safeJson(payload));
        if (!t.success) return dropped('telemetry', deviceId, t.error.issues);
        bus.emit('device.telemetry-reported', { deviceId, telemetry: t.data });
      });
      plane.onDevice('event', 'inbox', (deviceId, payload) => {
        if (!open) return;
        const parsed = deviceReport.safeParse(safeJson(payload));
        if (!parsed.success) return dropped('report', deviceId, parsed.error.issues);
        const r = parsed.data;
        switch (r.type) {
          case 'manifest-applied':
            return bus.emit('device.manifest-applied', { deviceId, version: r.version });
          case 'manifest-rejected':
            return bus.emit('device.manifest-rejected', { deviceId, version: r.version, reason: r.reason });
          case 'command-result':
            return bus.emit('device.command-result', { deviceId, seq: r.seq, result: r.result, reason: r.reason });
          case 'played':
            return bus.emit('device.played', { deviceId, report: r });
          case 'alert-status':
            return bus.emit('device.alert-status', { deviceId, report: r });
        }
      });
    },
    // The plane keeps its handlers for its whole life; a stopped inbox only stops passing messages on.
    stop() {
      open = false;
    },
  };
}
