import { and, desc, eq, gte, lt } from 'drizzle-orm';
import { deviceEvent, type PlayedEvent } from '../../devices/protocol/index.js';
import type { Bus } from '../bus.js';
import type { Clock } from '../clock.js';
import type { Db } from '../db/client.js';
import { playlogs } from '../db/schema.js';
import type { Logger } from '../logger.js';
import { safeJson, type DevicePlane } from '../mqtt/plane.js';

export type Playlog = typeof playlogs.$inferSelect;

export function createPlaylogsService({ db, bus, clock, log }: { db: Db; bus: Bus; clock: Clock; log: Logger }) {
  return {
    /** Stored once per event id: a device re-sending after a reconnect changes nothing. */
    record(deviceId: string, e: PlayedEvent): boolean {
      const res = db.insert(playlogs).values({
        id: e.id, deviceId, occurrenceId: e.occurrenceId, programId: e.programId, startAt: e.startAt,
        startedAt: e.startedAt, endedAt: e.endedAt, result: e.result, reason: e.reason ?? null, receivedAt: clock.now(),
      }).onConflictDoNothing().run();
      if (res.changes) bus.emit('playlog.stored', { deviceId, occurrenceId: e.occurrenceId, programId: e.programId, result: e.result });
      return res.changes > 0;
    },
    list(q: { from?: number; to?: number; deviceId?: string; limit: number }): Playlog[] {
      return db.select().from(playlogs)
        .where(and(
          q.from !== undefined ? gte(playlogs.startedAt, q.from) : undefined,
          q.to !== undefined ? lt(playlogs.startedAt, q.to) : undefined,
          q.deviceId ? eq(playlogs.deviceId, q.deviceId) : undefined,
        ))
        .orderBy(desc(playlogs.startedAt)).limit(q.limit).all();
    },
    listen(plane: DevicePlane) {
      plane.onDevice('event', 'playlogs', (deviceId, payload) => {
        const parsed = deviceEvent.safeParse(safeJson(payload));
        if (!parsed.success) return log.warn('mqtt: malformed event dropped', { deviceId });
        if (parsed.data.type === 'played') this.record(deviceId, parsed.data);
      });
    },
  };
}
export type PlaylogsService = ReturnType<typeof createPlaylogsService>;
