import { Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import { can } from '../../server/auth/permissions.js';
import { sseQueue } from '../../server/http/sse.js';
import type { PanelDeps, PanelEnv } from '../context.js';
import { DeviceRow } from '../views/device-row.js';
import { JobsList } from '../views/jobs.js';

/**
 * The panel's live stream: the same fragments the pages render, as server-sent events that htmx's SSE
 * extension swaps in (`dev-{id}` a gateway's row, `summary` the online count, `jobs` the job list), and
 * bare signals (`devices-changed`, `program`, `playlog-{deviceId}`, `commands-{deviceId}`) on which a
 * page fetches its own fragment again.
 */
export function liveFragments(d: PanelDeps, keepAliveMs = 25_000) {
  return new Hono<PanelEnv>().get('/', (c) =>
    streamSSE(c, async (stream) => {
      const user = c.get('user');
      const live = sseQueue();
      const push = (event: string, data: string) => {
        // A gateway's row that changes twice before it is sent goes once, as it is now.
        const i = live.queue.findIndex((q) => q.event === event);
        if (i >= 0 && event.startsWith('dev-')) live.queue.splice(i, 1);
        live.push({ event, data });
      };
      let summaryDue: NodeJS.Timeout | null = null;
      let summarySent = 0;
      const sendSummary = () => {
        summaryDue = null;
        summarySent = Date.now();
        push('summary', String(d.devices.list().filter((x) => x.online).length));
      };
      // The count reads every gateway: at once, then at most once a second however many report together.
      const summary = () => {
        if (summaryDue) return;
        const wait = summarySent + 1000 - Date.now();
        if (wait <= 0) sendSummary();
        else summaryDue = setTimeout(sendSummary, wait);
      };
      const zoneName = (id: string) => d.zones.list().find((z) => z.id === id)?.name ?? id;
      const sendDevice = ({ deviceId }: { deviceId: string }) => {
        let view;
        try {
          view = d.devices.get(deviceId);
        } catch {
          return push('devices-changed', deviceId);
        }
        push(`dev-${deviceId}`, String(<DeviceRow d={view} zoneName={zoneName(view.zoneId)} now={d.now()} />));
        summary();
      };
      const listChanged = ({ deviceId }: { deviceId: string }) => {
        push('devices-changed', deviceId);
        summary();
      };
      const owner = `panel-live:${user.id}:${Math.random()}`;
      d.bus.on('device.status-changed', owner, sendDevice);
      d.bus.on('manifests.published', owner, ({ manifests }) => manifests.forEach(sendDevice));
      d.bus.on('device.created', owner, listChanged);
      d.bus.on('device.moved', owner, listChanged);
      d.bus.on('device.deleted', owner, listChanged);
      d.bus.on('device.command-result', owner, ({ deviceId }) => push(`commands-${deviceId}`, deviceId));
      if (can(user.role, 'broadcasts.view')) d.bus.on('broadcast.updated', owner, ({ broadcastId }) => push(`broadcast-${broadcastId}`, broadcastId));
      if (can(user.role, 'devices.playlogs')) d.bus.on('playlog.stored', owner, ({ deviceId }) => push(`playlog-${deviceId}`, deviceId));
      if (can(user.role, 'live.content')) {
        d.bus.on('program.updated', owner, ({ programId }) => push('program', programId));
        d.bus.on('job.updated', owner, () => push('jobs', String(<JobsList jobs={d.jobs.list()} now={d.now()} />)));
      }
      await live.pump(stream, { event: 'hello', data: String(d.now()) }, keepAliveMs, () => {
        if (summaryDue) clearTimeout(summaryDue);
        d.bus.removeListeners(owner);
      });
    }));
}
