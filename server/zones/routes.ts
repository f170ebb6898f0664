import { Hono } from 'hono';
import { allow, type AuthEnv } from '../auth/middleware.js';
import { validate } from '../http/validate.js';
import { zoneInputSchema, zonePatchSchema, type ZonesService } from './service.js';

/** The zone's iCalendar: what plays there over the coming horizon. */
export type ZoneCalendar = (zoneId: string) => string;

export function zonesRoutes(zones: ZonesService, calendar: ZoneCalendar) {
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
    .post('/', allow('zones.edit'), validate('json', zoneInputSchema), (c) => c.json({ zone: zones.create(c.req.valid('json')) }, 201))
    .patch('/:id', allow('zones.edit'), validate('json', zonePatchSchema), (c) =>
      c.json({ zone: zones.update(c.req.param('id'), c.req.valid('json')) }, 200))
    .delete('/:id', allow('zones.delete'), (c) => {
      zones.remove(c.req.param('id'));
      return c.body(null, 204);
    });
}
