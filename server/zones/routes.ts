import { Hono } from 'hono';
import { z } from 'zod';
import type { AuditLog } from '../audit/service.js';
import { allow, type AuthEnv } from '../auth/middleware.js';
import { actorOf } from '../http/request.js';
import { validate } from '../http/validate.js';
import { zoneInputSchema, zonePatchSchema, type ZonesService } from './service.js';

/** The zone's iCalendar: what plays there over the coming horizon. */
export type ZoneCalendar = (zoneId: string) => string;

export function zonesRoutes(zones: ZonesService, calendar: ZoneCalendar, audit: AuditLog) {
  return new Hono<AuthEnv>()
    .use(allow('zones.view'))
    .get('/:id/calendar.ics', (c) => {
      const zone = zones.get(c.req.param('id'));
      return c.body(calendar(zone.id), 200, {
        'Content-Type': 'text/calendar; charset=utf-8',
        'Content-Disposition': `inline; filename="${zone.id}.ics"`,
      });
    })
    .get('/', (c) => c.json({ zones: zones.list() }, 200))
    .get('/:id', (c) => c.json({ zone: zones.get(c.req.param('id')) }, 200))
    .post('/', allow('zones.edit'), validate('json', zoneInputSchema), (c) => {
      const zone = zones.create(c.req.valid('json'));
      audit.record(actorOf(c), 'zone.created', { type: 'zone', id: zone.id }, { name: zone.name, quietStart: zone.quietStart, quietEnd: zone.quietEnd });
      return c.json({ zone }, 201);
    })
    .patch('/:id', allow('zones.edit'), validate('json', zonePatchSchema), (c) => {
      const before = zones.get(c.req.param('id'));
      const zone = zones.update(before.id, c.req.valid('json'));
      const changed = Object.fromEntries(Object.keys(c.req.valid('json')).map((k) => [k, { from: before[k as keyof typeof before], to: zone[k as keyof typeof zone] }]));
      audit.record(actorOf(c), 'zone.updated', { type: 'zone', id: zone.id }, { name: zone.name, changed });
      return c.json({ zone }, 200);
    })
    .delete('/:id', allow('zones.delete'), validate('query', z.object({ withSchedules: z.enum(['true', 'false']).optional() })), (c) => {
      const { zone, schedulesReleased } = zones.remove(c.req.param('id'), { withSchedules: c.req.valid('query').withSchedules === 'true' });
      audit.record(actorOf(c), 'zone.deleted', { type: 'zone', id: zone.id }, { name: zone.name, schedulesReleased });
      return c.body(null, 204);
    });
}
