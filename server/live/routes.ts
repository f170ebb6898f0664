import { Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import type { AuthEnv } from '../auth/middleware.js';
import { can } from '../auth/permissions.js';
import type { Bus } from '../bus.js';
import { sseQueue } from '../http/sse.js';

/**
 * Live updates for the panel, as server-sent events at `/api/events`: one `device` message with the
 * device's full view whenever it changes; for people who handle content, `job` (progress), `program`
 * (a version added, submitted, decided) and `playlog`.
 */
export function liveRoutes(bus: Bus, deviceView: (id: string) => unknown, keepAliveMs = 25_000) {
  return new Hono<AuthEnv>().get('/', (c) =>
    streamSSE(c, async (stream) => {
      const live = sseQueue();
      const push = (event: string, data: unknown) => live.push({ event, data: JSON.stringify(data) });
      const sendDevice = ({ deviceId }: { deviceId: string }) => {
        try {
          push('device', deviceView(deviceId));
        } catch {
          push('device-removed', { id: deviceId });
        }
      };
      const offs = [
        bus.on('device.status-changed', 'live', sendDevice),
        bus.on('manifests.published', 'live', ({ manifests }) => manifests.forEach(sendDevice)),
        bus.on('device.created', 'live', sendDevice),
        bus.on('device.moved', 'live', sendDevice),
        bus.on('device.deleted', 'live', ({ deviceId }) => push('device-removed', { id: deviceId })),
        bus.on('broadcast.updated', 'live', ({ broadcastId }) => push('broadcast', { id: broadcastId })),
        bus.on('incident.updated', 'live', ({ incidentId }) => push('incident', { id: incidentId })),
        bus.on('cap.received', 'live', ({ capAlertId }) => push('cap', { id: capAlertId })),
      ];
      if (can(c.get('user').role, 'live.content')) {
        offs.push(
          bus.on('playlog.stored', 'live', (p) => push('playlog', p)),
          bus.on('job.updated', 'live', ({ job }) => push('job', job)),
          bus.on('program.updated', 'live', ({ programId }) => push('program', { id: programId })),
        );
      }
      await live.pump(stream, { event: 'hello', data: '{}' }, keepAliveMs, () => offs.forEach((off) => off()));
    }));
}
