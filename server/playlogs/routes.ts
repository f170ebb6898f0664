import { Hono } from 'hono';
import { z } from 'zod';
import { allow, type AuthEnv } from '../auth/middleware.js';
import { toZonedIso } from '../domain/time.js';
import { isoInstant, validate } from '../http/validate.js';
import type { PlaylogsService } from './service.js';

const query = z.object({
  from: isoInstant.optional(),
  to: isoInstant.optional(),
  deviceId: z.string().optional(),
  limit: z.coerce.number().int().min(1).max(5000).default(500),
});

/** `/api/devices/:id/playlogs`: one gateway's as-run log, for whoever looks after that gateway. */
export function devicePlaylogsRoutes(playlogs: PlaylogsService, timeZone: string, deviceExists: (id: string) => void) {
  return new Hono<AuthEnv>().get('/:id/playlogs', allow('devices.playlogs'), validate('query', query.omit({ deviceId: true })), (c) => {
    deviceExists(c.req.param('id'));
    const q = c.req.valid('query');
    const rows = playlogs.list({ ...q, deviceId: c.req.param('id'), from: q.from ? Date.parse(q.from) : undefined, to: q.to ? Date.parse(q.to) : undefined });
    const iso = (ms: number) => toZonedIso(ms, timeZone);
    return c.json({ playlogs: rows.map((r) => ({ ...r, startAt: iso(r.startAt), startedAt: iso(r.startedAt), endedAt: iso(r.endedAt), receivedAt: iso(r.receivedAt), startErrorMs: r.startedAt - r.startAt })) }, 200);
  });
}

export function playlogsRoutes(playlogs: PlaylogsService, timeZone: string) {
  return new Hono<AuthEnv>().get('/', allow('playlogs.view'), validate('query', query), (c) => {
    const q = c.req.valid('query');
    const rows = playlogs.list({ ...q, from: q.from ? Date.parse(q.from) : undefined, to: q.to ? Date.parse(q.to) : undefined });
    const iso = (ms: number) => toZonedIso(ms, timeZone);
    return c.json({ playlogs: rows.map((r) => ({ ...r, startAt: iso(r.startAt), startedAt: iso(r.startedAt), endedAt: iso(r.endedAt), receivedAt: iso(r.receivedAt), startErrorMs: r.startedAt - r.startAt })) }, 200);
  });
}
