import { desc, eq } from 'drizzle-orm';
import type { Priority } from '../../devices/protocol/index.js';
import type { Bus } from '../bus.js';
import type { Clock } from '../clock.js';
import type { Db } from '../db/client.js';
import { schedules } from '../db/schema.js';
import type { Rule, ScheduleDef } from '../domain/occurrences.js';
import { ApiError, notFound } from '../http/errors.js';
import { newId } from '../ids.js';

export interface ScheduleInput {
  programId: string;
  zoneIds: string[] | 'all';
  rule: Rule;
  priority: Priority;
  volume?: number;
}

export interface ScheduleDeps {
  db: Db;
  bus: Bus;
  clock: Clock;
  programStatus: (id: string) => string | undefined;
  zoneExists: (id: string) => boolean;
}

type Row = typeof schedules.$inferSelect;
const toDef = (r: Row): ScheduleDef & { createdAt: number } => ({
  id: r.id, programId: r.programId, zoneIds: r.zoneIds, rule: r.rule as Rule, priority: r.priority, volume: r.volume, createdAt: r.createdAt,
});

export function createSchedulesService({ db, bus, clock, programStatus, zoneExists }: ScheduleDeps) {
  const check = (input: ScheduleInput) => {
    const status = programStatus(input.programId);
    if (!status) throw new ApiError(422, 'unknown_program', `Program ${input.programId} does not exist`);
    if (status !== 'approved') throw new ApiError(422, 'program_not_approved', `Program ${input.programId} is ${status}; only approved programs can be scheduled`);
    if (input.zoneIds !== 'all') {
      const unknown = input.zoneIds.filter((z) => !zoneExists(z));
      if (unknown.length) throw new ApiError(422, 'unknown_zone', `Zone ${unknown.join(', ')} does not exist`, { zoneIds: unknown });
    }
    if (input.rule.type === 'once' && Date.parse(input.rule.at) <= clock.now()) {
      throw new ApiError(422, 'in_the_past', `${input.rule.at} has already passed; pick a time in the future`);
    }
  };
  const get = (id: string) => {
    const r = db.select().from(schedules).where(eq(schedules.id, id)).get();
    if (!r) throw notFound('Schedule', id);
    return toDef(r);
  };
  return {
    list: () => db.select().from(schedules).orderBy(desc(schedules.createdAt)).all().map(toDef),
    get,
    create(input: ScheduleInput, userId: string) {
      check(input);
      const now = clock.now();
      const id = newId('sc');
      db.insert(schedules).values({ id, ...input, volume: input.volume ?? null, createdBy: userId, createdAt: now, updatedAt: now }).run();
      bus.emit('schedule.changed', { scheduleId: id });
      return get(id);
    },
    remove(id: string) {
      get(id);
      db.delete(schedules).where(eq(schedules.id, id)).run();
      bus.emit('schedule.changed', { scheduleId: id });
    },
  };
}
export type SchedulesService = ReturnType<typeof createSchedulesService>;
