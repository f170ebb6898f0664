import { Hono } from 'hono';
import { z } from 'zod';
import { requireRole, type AuthEnv } from '../auth/middleware.js';
import { validate } from '../http/validate.js';
import type { ZonesService } from './service.js';

const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'time of day as HH:MM');
/** Equal quietStart and quietEnd mean no quiet hours. */
const zoneInput = z.object({ name: z.string().trim().min(1).max(100), quietStart: hhmm.optional(), quietEnd: hhmm.optional() });

/** The zone's iCalendar: what plays there over the coming horizon. */
export type ZoneCalendar = (zoneId: string) => string;

export function zonesRoutes(zones: ZonesService, calendar: ZoneCalendar) {
  return new Hono<AuthEnv>()
    .get('/:id/calendar.ics', (c) => {
      const zone = zones.get(c.req.param('id'));
      return c.body(calendar(zone.id), 200, {
        'Content-Type': 'text/calendar; charset=utf-8',
        'Content-Disposition': `inline; filename="${zone.id}.ics"`,
      });
    })
    .get('/', (c) => c.json({ zones: zones.list() }, 200))
    .get('/:id', (c) => c.json({ zone: zones.get(c.req.param('id')) }, 200))
    .post('/', requireRole('editor', 'technician'), validate('json', zoneInput), (c) => c.json({ zone: zones.create(c.req.valid('json')) }, 201))
    .patch('/:id', requireRole('editor', 'technician'), validate('json', zoneInput.partial()), (c) =>
      c.json({ zone: zones.update(c.req.param('id'), c.req.valid('json')) }, 200))
    .delete('/:id', requireRole('technician'), (c) => {
      zones.remove(c.req.param('id'));
      return c.body(null, 204);
    });
}
