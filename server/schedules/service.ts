import { desc, eq } from 'drizzle-orm';
import type { Bus } from '../bus.js';
import type { Clock } from '../clock.js';
import type { Db } from '../db/client.js';
import { schedules } from '../db/schema.js';
import { scheduleInstants, type DeviceRef, type Occurrence, type ProgramRef, type Rule, type ScheduleDef } from '../domain/occurrences.js';
import { playsPerDayBound, RuleError } from '../domain/rules.js';
import { toZonedIso } from '../domain/time.js';
import { ApiError, notFound } from '../http/errors.js';
import { newId } from '../ids.js';
import { planSchedule, tooManyPlays, type SchedulePlan, type ZoneInfo } from './plan.js';

/** What a user sets; the id and the series position are the service's. */
export type ScheduleInput = Omit<ScheduleDef, 'id' | 'seriesOffset' | 'seriesAnchor'>;

export type { ZoneInfo } from './plan.js';

export interface ScheduleDeps {
  db: Db;
  bus: Bus;
  clock: Clock;
  timeZone: string;
  programs: () => Map<string, ProgramRef & { status: string; title: string }>;
  zones: () => ZoneInfo[];
  devices: () => DeviceRef[];
  /** How far ahead quiet hours and conflicts are checked for open-ended rules. */
  checkDays?: number;
  horizonMs?: number;
  maxPlaysPerDay?: number;
  maxManifestItems?: number;
}

type Row = typeof schedules.$inferSelect;
export type Schedule = ScheduleDef & { createdAt: number; updatedAt: number };

const toDef = (r: Row): Schedule => ({
  id: r.id, programIds: r.series ?? [r.programId], zoneIds: r.zoneIds, rule: r.rule as Rule, priority: r.priority,
  volume: r.volume, repeat: r.repeat, validUntil: r.validUntil, skipHolidays: r.skipHolidays,
  seriesOffset: r.seriesOffset, seriesAnchor: r.seriesAnchor ?? r.createdAt, createdAt: r.createdAt, updatedAt: r.updatedAt,
});

export function createSchedulesService(d: ScheduleDeps) {
  const { db, bus, clock, timeZone: tz } = d;
  const checkMs = (d.checkDays ?? 366) * 86400_000;
  const iso = (ms: number) => toZonedIso(ms, tz);

  const get = (id: string): Schedule => {
    const r = db.select().from(schedules).where(eq(schedules.id, id)).get();
    if (!r) throw notFound('Schedule', id);
    return toDef(r);
  };
  const list = (): Schedule[] => db.select().from(schedules).orderBy(desc(schedules.createdAt)).all().map(toDef);

  /** Validates references and the rule (422 with a code to branch on); returns the programs it read, for plan(). */
  function validate(input: ScheduleInput) {
    const programs = d.programs();
    for (const id of input.programIds) {
      const p = programs.get(id);
      if (!p) throw new ApiError(422, 'unknown_program', `Program ${id} does not exist`);
      if (p.status !== 'approved') throw new ApiError(422, 'program_not_approved', `Program ${id} is ${p.status}; only approved programs can be scheduled`);
    }
    if (input.zoneIds !== 'all') {
      const known = new Set(d.zones().map((z) => z.id));
      const unknown = input.zoneIds.filter((z) => !known.has(z));
      if (unknown.length) throw new ApiError(422, 'unknown_zone', `Zone ${unknown.join(', ')} does not exist`, { zoneIds: unknown });
    }
    try {
      // Dense rules are refused before even a day of them is expanded.
      const bound = playsPerDayBound(input.rule);
      if (bound > (d.maxPlaysPerDay ?? 48)) throw tooManyPlays(bound, d.maxPlaysPerDay ?? 48);
      scheduleInstants({ id: 'probe', ...input }, { from: clock.now(), to: clock.now() + 86400_000 }, tz);
    } catch (err) {
      if (err instanceof RuleError) throw new ApiError(422, 'invalid_rule', err.message);
      throw err;
    }
    return programs;
  }

  function plan(input: ScheduleInput, programs: ReturnType<typeof d.programs>, id: string, exclude?: string) {
    return planSchedule({
      candidate: { id, ...input, seriesAnchor: clock.now() }, others: list().filter((s) => s.id !== exclude), programs,
      zones: d.zones(), devices: d.devices(), now: clock.now(), checkMs, horizonMs: d.horizonMs ?? 14 * 86400_000,
      maxPlaysPerDay: d.maxPlaysPerDay ?? 48, maxManifestItems: d.maxManifestItems ?? 2000, tz,
    });
  }

  function refuseIfBad(input: ScheduleInput, p: SchedulePlan) {
    if (p.quietHits.length) {
      const h = p.quietHits[0];
      throw new ApiError(422, 'quiet_hours',
        `${h.zoneName} is in quiet hours ${h.window}; only emergencies play then (first: ${h.startAt})`, { hits: p.quietHits });
    }
    if (input.priority === 'normal' && p.conflicts.length) {
      const c = p.conflicts[0];
      throw new ApiError(409, 'conflict',
        `Overlaps "${c.otherTitle}" (schedule ${c.scheduleId}) in ${c.zoneName} at ${c.startAt} (${p.conflicts.length} overlap(s) listed)`, { conflicts: p.conflicts });
    }
    if (p.instants === 0) {
      if (input.rule.type === 'once' && Date.parse(input.rule.at) <= clock.now()) {
        throw new ApiError(422, 'in_the_past', `${input.rule.at} has already passed; pick a time in the future`);
      }
      throw new ApiError(422, 'never_plays', 'This schedule would never play: its rule, validity and holiday exceptions leave no instant in the coming year');
    }
  }

  const view = (p: SchedulePlan, limit = 500) => ({
    occurrences: p.occurrences(limit).map((o: Occurrence) => ({ ...o, startAt: iso(o.startAt), endAt: iso(o.endAt) })),
    occurrenceCount: p.occurrenceCount,
    conflicts: p.conflicts,
    quietHours: p.quietHits,
  });

  const row = (input: ScheduleInput) => ({
    programId: input.programIds[0], series: input.programIds.length > 1 ? input.programIds : null, zoneIds: input.zoneIds,
    rule: input.rule as Record<string, unknown>, priority: input.priority, volume: input.volume ?? null, repeat: input.repeat ?? null,
    validUntil: input.validUntil ?? null, skipHolidays: input.skipHolidays ?? false,
  });

  return {
    list,
    get,
    /** dryRun: the same checks, nothing saved. */
    async dryRun(input: ScheduleInput, exclude?: string) {
      const p = await plan(input, validate(input), exclude ?? 'dry-run', exclude);
      return { ok: p.quietHits.length === 0 && (input.priority !== 'normal' || p.conflicts.length === 0), ...view(p) };
    },
    async create(input: ScheduleInput, userId: string): Promise<Schedule> {
      const programs = validate(input);
      const id = newId('sc');
      refuseIfBad(input, await plan(input, programs, id));
      const now = clock.now();
      db.insert(schedules).values({ id, ...row(input), seriesAnchor: now, createdBy: userId, createdAt: now, updatedAt: now }).run();
      bus.emit('schedule.changed', { scheduleId: id, zoneIds: input.zoneIds });
      return get(id);
    },
    async update(id: string, patch: Partial<ScheduleInput>): Promise<Schedule> {
      const before = get(id);
      const input: ScheduleInput = { ...before, ...patch };
      refuseIfBad(input, await plan(input, validate(input), id, id));
      const now = clock.now();
      let series = { seriesOffset: before.seriesOffset ?? 0, seriesAnchor: before.seriesAnchor ?? before.createdAt };
      if (patch.rule && before.programIds.length > 1) {
        // A series continues where it stopped: count what the old rule already played.
        const played = scheduleInstants(before, { from: series.seriesAnchor, to: now }, tz).length;
        series = { seriesOffset: (series.seriesOffset + played) % before.programIds.length, seriesAnchor: now };
      }
      db.update(schedules).set({ ...row(input), ...series, updatedAt: now }).where(eq(schedules.id, id)).run();
      const zoneIds = before.zoneIds === 'all' || input.zoneIds === 'all' ? 'all' : [...new Set([...before.zoneIds, ...input.zoneIds])];
      bus.emit('schedule.changed', { scheduleId: id, zoneIds });
      return get(id);
    },
    /** One play left out (an EXDATE on the rule); a schedule that plays once is deleted instead. */
    async skip(id: string, at: number): Promise<Schedule> {
      const s = get(id);
      if (s.rule.type === 'once') throw new ApiError(409, 'not_repeating', 'This schedule plays once: delete it instead of skipping its only play');
      if (!scheduleInstants(s, { from: at, to: at + 1 }, tz).length) {
        throw new ApiError(422, 'not_an_occurrence', `The schedule does not play at ${iso(at)}`);
      }
      const rule = { ...s.rule, exdates: [...(s.rule.exdates ?? []), iso(at)] } as Rule;
      const now = clock.now();
      db.update(schedules).set({ rule: rule as Record<string, unknown>, updatedAt: now }).where(eq(schedules.id, id)).run();
      bus.emit('schedule.changed', { scheduleId: id, zoneIds: s.zoneIds });
      return get(id);
    },
    remove(id: string) {
      const before = get(id);
      db.delete(schedules).where(eq(schedules.id, id)).run();
      bus.emit('schedule.changed', { scheduleId: id, zoneIds: before.zoneIds });
    },
    /** The schedules that name a zone (those on "all" follow the hamlets as they come and go). */
    targeting(zoneId: string): { id: string; title: string }[] {
      const programs = d.programs();
      return list().filter((s) => s.zoneIds !== 'all' && s.zoneIds.includes(zoneId))
        .map((s) => ({ id: s.id, title: s.programIds.map((p) => programs.get(p)?.title ?? p).join(' / ') }));
    },
    /** Takes a zone out of every schedule naming it; a schedule on that zone alone is deleted. */
    releaseZone(zoneId: string): string[] {
      const touched = list().filter((s) => s.zoneIds !== 'all' && s.zoneIds.includes(zoneId));
      db.transaction((tx) => {
        for (const s of touched) {
          const rest = (s.zoneIds as string[]).filter((z) => z !== zoneId);
          if (rest.length) tx.update(schedules).set({ zoneIds: rest, updatedAt: clock.now() }).where(eq(schedules.id, s.id)).run();
          else tx.delete(schedules).where(eq(schedules.id, s.id)).run();
        }
      });
      for (const s of touched) bus.emit('schedule.changed', { scheduleId: s.id, zoneIds: s.zoneIds });
      return touched.map((s) => s.id);
    },
  };
}
export type SchedulesService = ReturnType<typeof createSchedulesService>;
