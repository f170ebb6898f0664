import { Hono } from 'hono';
import { z } from 'zod';
import { PRIORITIES } from '../../devices/protocol/index.js';
import { requireRole, type AuthEnv } from '../auth/middleware.js';
import { ISO_WITH_OFFSET, toZonedIso } from '../domain/time.js';
import type { Occurrence } from '../domain/occurrences.js';
import { ApiError } from '../http/errors.js';
import { validate } from '../http/validate.js';
import type { SchedulesService } from './service.js';

const isoInstant = z.string().regex(ISO_WITH_OFFSET, 'an ISO 8601 time with an offset, e.g. 2026-12-31T20:00:00+07:00');

const rule = z.discriminatedUnion('type', [z.object({ type: z.literal('once'), at: isoInstant })]);

const scheduleInput = z.object({
  programId: z.string().min(1),
  zoneIds: z.union([z.literal('all'), z.array(z.string().min(1)).min(1, 'target at least one zone')]),
  rule,
  priority: z.enum(PRIORITIES).default('normal'),
  volume: z.number().int().min(0).max(100).optional(),
});

const range = z.object({ from: isoInstant.optional(), to: isoInstant.optional(), zoneId: z.string().optional() });

export function schedulesRoutes(schedules: SchedulesService) {
  return new Hono<AuthEnv>()
    .get('/', (c) => c.json({ schedules: schedules.list() }, 200))
    .get('/:id', (c) => c.json({ schedule: schedules.get(c.req.param('id')) }, 200))
    .post('/', requireRole('editor', 'approver'), validate('json', scheduleInput), (c) =>
      c.json({ schedule: schedules.create(c.req.valid('json'), c.get('user').id) }, 201))
    .delete('/:id', requireRole('editor', 'approver'), (c) => {
      schedules.remove(c.req.param('id'));
      return c.body(null, 204);
    });
}

export function occurrencesRoutes(preview: (w: { from: number; to: number }, zoneId?: string) => Occurrence[], timeZone: string, now: () => number, horizonMs: number) {
  return new Hono<AuthEnv>().get('/', validate('query', range), (c) => {
    const q = c.req.valid('query');
    const from = q.from ? Date.parse(q.from) : now();
    const to = q.to ? Date.parse(q.to) : from + horizonMs;
    if (to <= from) throw new ApiError(400, 'invalid_range', '`to` must be after `from`');
    if (to - from > 366 * 86400_000) throw new ApiError(400, 'range_too_long', 'Preview at most one year at a time');
    const occurrences = preview({ from, to }, q.zoneId).map((o) => ({
      ...o, startAt: toZonedIso(o.startAt, timeZone), endAt: toZonedIso(o.endAt, timeZone),
    }));
    return c.json({ from: toZonedIso(from, timeZone), to: toZonedIso(to, timeZone), occurrences }, 200);
  });
}
