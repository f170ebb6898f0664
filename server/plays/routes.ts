import { Hono } from 'hono';
import { z } from 'zod';
import { allow, type AuthEnv } from '../auth/middleware.js';
import { strictInstant, toZonedIso } from '../domain/time.js';
import { isoInstant, validate } from '../http/validate.js';
import type { Incidents } from './incidents.js';
import type { PlaysService } from './service.js';

const query = z.object({
  from: isoInstant.optional(),
  to: isoInstant.optional(),
  zoneId: z.string().max(64).optional(),
  deviceId: z.string().max(64).optional(),
  status: z.enum(['expected', 'played', 'interrupted', 'cancelled', 'missed']).optional(),
  limit: z.coerce.number().int().min(1).max(5000).default(500),
});

export interface Names { zone(id: string): string; device(id: string): string }

/** `/api/plays`: planned against played, with the names a person reads; `/api/incidents`: what technicians must look at. */
export function playsRoutes(plays: PlaysService, names: Names, timeZone: string) {
  const iso = (ms: number | null) => (ms === null ? null : toZonedIso(ms, timeZone));
  return new Hono<AuthEnv>()
    .use(allow('plays.view'))
    .get('/', validate('query', query), (c) => {
      const q = c.req.valid('query');
      const rows = plays.list({ ...q, from: q.from ? strictInstant(q.from)! : undefined, to: q.to ? strictInstant(q.to)! : undefined });
      return c.json({
        plays: rows.map((p) => ({
          ...p, hamlet: names.zone(p.zoneId), gateway: names.device(p.deviceId),
          startAt: iso(p.startAt), endAt: iso(p.endAt), startedAt: iso(p.startedAt), settledAt: iso(p.settledAt),
        })),
      }, 200);
    });
}

export function incidentsRoutes(incidents: Incidents, names: Names, timeZone: string) {
  const iso = (ms: number | null) => (ms === null ? null : toZonedIso(ms, timeZone));
  return new Hono<AuthEnv>()
    .use(allow('plays.view'))
    .get('/', validate('query', z.object({ open: z.enum(['true', 'false']).optional(), deviceId: z.string().max(64).optional(), limit: z.coerce.number().int().min(1).max(1000).default(100) })), (c) => {
      const q = c.req.valid('query');
      return c.json({
        incidents: incidents.list({ open: q.open === 'true', deviceId: q.deviceId, limit: q.limit }).map((i) => ({
          ...i, gateway: names.device(i.deviceId), firstAt: iso(i.firstAt), lastAt: iso(i.lastAt), openedAt: iso(i.openedAt), resolvedAt: iso(i.resolvedAt),
        })),
      }, 200);
    });
}
