import { Hono } from 'hono';
import { z } from 'zod';
import { PRIORITIES } from '../../devices/protocol/index.js';
import type { AuditLog } from '../audit/service.js';
import { allow, type AuthEnv } from '../auth/middleware.js';
import { HOLIDAYS } from '../domain/holidays.js';
import type { Occurrence } from '../domain/occurrences.js';
import { toZonedIso } from '../domain/time.js';
import { ApiError } from '../http/errors.js';
import { actorOf } from '../http/request.js';
import { isoInstant, validate } from '../http/validate.js';
import type { Schedule, ScheduleInput, SchedulesService } from './service.js';

const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'time of day as HH:MM');

export const ruleSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('once'), at: isoInstant }),
  z.object({ type: z.literal('rrule'), dtstart: isoInstant, rrule: z.string().min(6).max(500), exdates: z.array(isoInstant).max(500).optional() }),
  z.object({
    type: z.literal('lunar'), month: z.number().int().min(1).max(12).optional(), day: z.number().int().min(1).max(30), time: hhmm,
    leap: z.boolean().optional(), exdates: z.array(isoInstant).max(500).optional(),
  }),
  z.object({ type: z.literal('holidays'), holidays: z.union([z.literal('all'), z.array(z.enum(HOLIDAYS)).min(1)]), time: hhmm, exdates: z.array(isoInstant).max(500).optional() }),
]);

const fields = {
  programId: z.string().min(1).optional(),
  /** A series: one program per occurrence, in this order, round and round. */
  programIds: z.array(z.string().min(1)).min(1).max(200).optional(),
  zoneIds: z.union([z.literal('all'), z.array(z.string().min(1)).min(1, 'target at least one zone')]),
  rule: ruleSchema,
  priority: z.enum(PRIORITIES).default('normal'),
  volume: z.number().int().min(0).max(100).nullable().optional(),
  repeat: z.object({ times: z.number().int().min(1).max(20), gapMinutes: z.number().min(0).max(720) }).nullable().optional(),
  validUntil: isoInstant.nullable().optional(),
  skipHolidays: z.boolean().optional(),
};
const scheduleBody = z.object(fields).refine((b) => !!b.programId !== !!b.programIds, { message: 'give programId or programIds (a series), not both', path: ['programId'] });
const schedulePatch = z.object({ ...fields, zoneIds: fields.zoneIds.optional(), rule: ruleSchema.optional(), priority: z.enum(PRIORITIES).optional() }).partial();

function toInput<T extends Partial<z.infer<typeof scheduleBody>>>(b: T): Partial<ScheduleInput> {
  const { programId, programIds, validUntil, ...rest } = b;
  return {
    ...rest,
    ...(programId || programIds ? { programIds: programIds ?? [programId!] } : {}),
    ...(validUntil !== undefined ? { validUntil: validUntil === null ? null : Date.parse(validUntil) } : {}),
  } as Partial<ScheduleInput>;
}

const range = z.object({ from: isoInstant.optional(), to: isoInstant.optional(), zoneId: z.string().optional() });

export function schedulesRoutes(schedules: SchedulesService, timeZone: string, audit: AuditLog) {
  const summary = (s: Schedule) => ({ programIds: s.programIds, zoneIds: s.zoneIds, rule: s.rule, priority: s.priority });
  const out = (s: Schedule) => ({ ...s, validUntil: s.validUntil != null ? toZonedIso(s.validUntil, timeZone) : null, seriesAnchor: undefined });
  const edit = allow('schedules.edit');
  return new Hono<AuthEnv>()
    .use(allow('schedules.view'))
    .get('/', (c) => c.json({ schedules: schedules.list().map(out) }, 200))
    .get('/:id', (c) => c.json({ schedule: out(schedules.get(c.req.param('id'))) }, 200))
    .post('/', edit, validate('query', z.object({ dryRun: z.enum(['true', 'false']).optional() })), validate('json', scheduleBody), async (c) => {
      const input = toInput(c.req.valid('json')) as ScheduleInput;
      if (c.req.valid('query').dryRun === 'true') return c.json(await schedules.dryRun(input), 200);
      const schedule = await schedules.create(input, c.get('user').id);
      audit.record(actorOf(c), 'schedule.created', { type: 'schedule', id: schedule.id }, summary(schedule));
      return c.json({ schedule: out(schedule) }, 201);
    })
    .patch('/:id', edit, validate('query', z.object({ dryRun: z.enum(['true', 'false']).optional() })), validate('json', schedulePatch), async (c) => {
      const body = c.req.valid('json');
      if (body.programId && body.programIds) throw new ApiError(400, 'invalid_request', 'give programId or programIds, not both');
      // The change checked as if saved, the schedule itself left out of the conflicts.
      if (c.req.valid('query').dryRun === 'true') return c.json(await schedules.dryRun({ ...schedules.get(c.req.param('id')), ...toInput(body) } as ScheduleInput, c.req.param('id')), 200);
      const schedule = await schedules.update(c.req.param('id'), toInput(body));
      audit.record(actorOf(c), 'schedule.updated', { type: 'schedule', id: schedule.id }, { changed: Object.keys(body), ...summary(schedule) });
      return c.json({ schedule: out(schedule) }, 200);
    })
    /** Skips one play (an EXDATE): the rest of the schedule stays as it is. */
    .post('/:id/skip', edit, validate('json', z.object({ at: isoInstant })), async (c) => {
      const before = schedules.get(c.req.param('id'));
      const at = c.req.valid('json').at;
      const schedule = await schedules.skip(before.id, Date.parse(at));
      audit.record(actorOf(c), 'schedule.updated', { type: 'schedule', id: schedule.id }, { skipped: toZonedIso(Date.parse(at), timeZone), ...summary(schedule) });
      return c.json({ schedule: out(schedule) }, 200);
    })
    .delete('/:id', edit, (c) => {
      const before = schedules.get(c.req.param('id'));
      schedules.remove(before.id);
      audit.record(actorOf(c), 'schedule.deleted', { type: 'schedule', id: before.id }, summary(before));
      return c.body(null, 204);
    });
}

export function occurrencesRoutes(preview: (w: { from: number; to: number }, zoneId?: string) => Occurrence[], timeZone: string, now: () => number, horizonMs: number) {
  return new Hono<AuthEnv>().get('/', allow('schedules.view'), validate('query', range), (c) => {
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
