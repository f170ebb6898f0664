import { Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import type { AuthEnv } from '../auth/middleware.js';
import type { Bus } from '../bus.js';

/**
 * Server-sent events for the panel: one `device` event with the device's full view whenever it changes;
 * for people who handle content, `job` (progress) and `program` (a version added, submitted, decided).
 */
export function eventsRoutes(bus: Bus, deviceView: (id: string) => unknown, keepAliveMs = 25_000) {
  return new Hono<AuthEnv>().get('/', (c) =>
    streamSSE(c, async (stream) => {
      const queue: { event: string; data: string }[] = [];
      let wake: (() => void) | null = null;
      const push = (event: string, data: unknown) => {
        queue.push({ event, data: JSON.stringify(data) });
        wake?.();
      };
      const sendDevice = ({ deviceId }: { deviceId: string }) => {
        try {
          push('device', deviceView(deviceId));
        } catch {
          push('device-removed', { id: deviceId });
        }
      };
      const offs = [
        bus.on('device.status', 'sse', sendDevice),
        bus.on('manifest.published', 'sse', sendDevice),
        bus.on('device.created', 'sse', sendDevice),
        bus.on('device.deleted', 'sse', ({ deviceId }) => push('device-removed', { id: deviceId })),
      ];
      if (c.get('user').role !== 'technician') {
        offs.push(
          bus.on('playlog.stored', 'sse', (p) => push('playlog', p)),
          bus.on('job.updated', 'sse', ({ job }) => push('job', job)),
          bus.on('program.updated', 'sse', ({ programId }) => push('program', { id: programId })),
        );
      }
      let open = true;
      stream.onAbort(() => {
        open = false;
        wake?.();
      });
      await stream.writeSSE({ event: 'hello', data: '{}' });
      try {
        while (open) {
          while (queue.length) await stream.writeSSE(queue.shift()!);
          await new Promise<void>((resolve) => {
            wake = resolve;
            setTimeout(resolve, keepAliveMs).unref();
          });
          wake = null;
          if (!queue.length && open) await stream.write(': keep-alive\n\n');
        }
      } finally {
        offs.forEach((off) => off());
      }
    }));
}
