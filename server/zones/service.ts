import { eq } from 'drizzle-orm';
import { createInsertSchema } from 'drizzle-zod';
import { z } from 'zod';
import type { Bus } from '../bus.js';
import type { Clock } from '../clock.js';
import type { Db } from '../db/client.js';
import { devices, zones } from '../db/schema.js';
import { ApiError, notFound } from '../http/errors.js';
import { newId } from '../ids.js';

export type Zone = typeof zones.$inferSelect;

const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'time of day as HH:MM');
const geocode = z.object({ valueName: z.string().trim().min(1).max(64), value: z.string().trim().min(1).max(64) });
/** A zone as an officer gives it; equal quietStart and quietEnd mean no quiet hours. */
export const zoneInputSchema = createInsertSchema(zones, {
  name: (s) => s.trim().min(1).max(100),
  quietStart: () => hhmm,
  quietEnd: () => hhmm,
  geocodes: () => z.array(geocode).max(50),
}).pick({ name: true, quietStart: true, quietEnd: true, geocodes: true }).partial({ quietStart: true, quietEnd: true, geocodes: true });
export const zonePatchSchema = zoneInputSchema.partial();
export type ZoneInput = z.infer<typeof zoneInputSchema>;

/** What targets a zone beyond its devices: schedules (given by main.ts, so zones need not know them). */
export interface ZoneTargets {
  schedulesFor(zoneId: string): { id: string; title: string }[];
  /** Takes the zone out of every schedule: a schedule on this zone alone is deleted. Returns their ids. */
  release(zoneId: string): string[];
}

export function createZonesService({ db, bus, clock, targets }: { db: Db; bus: Bus; clock: Clock; targets?: ZoneTargets }) {
  const get = (id: string): Zone => {
    const zone = db.select().from(zones).where(eq(zones.id, id)).get();
    if (!zone) throw notFound('Zone', id);
    return zone;
  };
  return {
    list: (): Zone[] => db.select().from(zones).orderBy(zones.name).all(),
    get,
    exists: (id: string) => !!db.select({ id: zones.id }).from(zones).where(eq(zones.id, id)).get(),
    create(input: ZoneInput): Zone {
      const row = { id: newId('zn'), quietStart: '22:00', quietEnd: '05:30', geocodes: [], ...input, createdAt: clock.now() };
      db.insert(zones).values(row).run();
      bus.emit('zone.changed', { zoneId: row.id });
      return row;
    },
    update(id: string, patch: Partial<ZoneInput>): Zone {
      get(id);
      db.update(zones).set(patch).where(eq(zones.id, id)).run();
      bus.emit('zone.changed', { zoneId: id });
      return get(id);
    },
    /**
     * Only an empty zone goes: its gateways must be moved or removed first, and schedules that target
     * it are named (409) unless `withSchedules` takes them along (the zone leaves each; a schedule on
     * it alone is deleted). Nothing is left pointing at a zone that is gone.
     */
    remove(id: string, opts: { withSchedules?: boolean } = {}): { zone: Zone; schedulesReleased: string[] } {
      const zone = get(id);
      const members = db.select({ id: devices.id }).from(devices).where(eq(devices.zoneId, id)).all();
      if (members.length) {
        throw new ApiError(409, 'zone_not_empty', `${zone.name} still has ${members.length} gateway(s); move or delete them first`, { devices: members.map((d) => d.id) });
      }
      const scheduled = targets?.schedulesFor(id) ?? [];
      if (scheduled.length && !opts.withSchedules) {
        throw new ApiError(409, 'zone_has_schedules',
          `${zone.name} is targeted by ${scheduled.length} schedule(s): ${scheduled.slice(0, 5).map((x) => x.title).join(', ')}; change them, or delete with withSchedules=true to take the zone out of them`,
          { schedules: scheduled });
      }
      const schedulesReleased = scheduled.length ? targets!.release(id) : [];
      db.delete(zones).where(eq(zones.id, id)).run();
      bus.emit('zone.changed', { zoneId: id });
      return { zone, schedulesReleased };
    },
  };
}
export type ZonesService = ReturnType<typeof createZonesService>;
