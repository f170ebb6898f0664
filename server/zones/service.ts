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
/** A zone as an officer gives it; equal quietStart and quietEnd mean no quiet hours. */
export const zoneInputSchema = createInsertSchema(zones, {
  name: (s) => s.trim().min(1).max(100),
  quietStart: () => hhmm,
  quietEnd: () => hhmm,
}).pick({ name: true, quietStart: true, quietEnd: true }).partial({ quietStart: true, quietEnd: true });
export const zonePatchSchema = zoneInputSchema.partial();
export type ZoneInput = z.infer<typeof zoneInputSchema>;

export function createZonesService({ db, bus, clock }: { db: Db; bus: Bus; clock: Clock }) {
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
      const row = { id: newId('zn'), quietStart: '22:00', quietEnd: '05:30', ...input, createdAt: clock.now() };
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
    remove(id: string) {
      get(id);
      const members = db.select({ id: devices.id }).from(devices).where(eq(devices.zoneId, id)).all();
      if (members.length) {
        throw new ApiError(409, 'zone_not_empty', `Zone ${id} still has ${members.length} device(s); move or delete them first`, { devices: members.map((d) => d.id) });
      }
      db.delete(zones).where(eq(zones.id, id)).run();
      bus.emit('zone.changed', { zoneId: id });
    },
  };
}
export type ZonesService = ReturnType<typeof createZonesService>;
