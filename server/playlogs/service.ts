import { and, desc, eq, gte, inArray, lt, max } from 'drizzle-orm';
import { deleteInChunks } from '../db/prune.js';
import type { PlayedReport } from '../../devices/protocol/index.js';
import type { Bus } from '../bus.js';
import type { Clock } from '../clock.js';
import type { Db } from '../db/client.js';
import { playlogs } from '../db/schema.js';

export type Playlog = typeof playlogs.$inferSelect;

/** The as-run log: what gateways report they played. From start(), every `played` report is stored. */
export function createPlaylogsService({ db, bus, clock }: { db: Db; bus: Bus; clock: Clock }) {
  const owner = 'playlogs';
  /** Stored once per report id: a device re-sending after a reconnect changes nothing. */
  const record = (deviceId: string, e: PlayedReport): boolean => {
    const res = db.insert(playlogs).values({
      id: e.id, deviceId, occurrenceId: e.occurrenceId, programId: e.programId, startAt: e.startAt,
      startedAt: e.startedAt, endedAt: e.endedAt, result: e.result, reason: e.reason ?? null, receivedAt: clock.now(),
    }).onConflictDoNothing().run();
    if (res.changes) bus.emit('playlog.stored', { deviceId, occurrenceId: e.occurrenceId, programId: e.programId, result: e.result });
    return res.changes > 0;
  };
  return {
    record,
    list(q: { from?: number; to?: number; deviceId?: string; limit: number }): Playlog[] {
      return db.select().from(playlogs)
        .where(and(
          q.from !== undefined ? gte(playlogs.startedAt, q.from) : undefined,
          q.to !== undefined ? lt(playlogs.startedAt, q.to) : undefined,
          q.deviceId ? eq(playlogs.deviceId, q.deviceId) : undefined,
        ))
        .orderBy(desc(playlogs.startedAt)).limit(q.limit).all();
    },
    /** When each of `programIds` was last heard on any gateway (played through, or cut short by a higher priority). */
    lastPlayed(programIds: string[]): Map<string, number> {
      if (!programIds.length) return new Map();
      return new Map(db.select({ programId: playlogs.programId, at: max(playlogs.startedAt) }).from(playlogs)
        .where(and(inArray(playlogs.programId, programIds), inArray(playlogs.result, ['completed', 'interrupted'])))
        .groupBy(playlogs.programId).all().map((r) => [r.programId, r.at!]));
    },
    /** Retention: plays older than `before` are deleted, a chunk at a time. */
    pruneBefore: (before: number) => deleteInChunks((limit) =>
      db.delete(playlogs).where(inArray(playlogs.id, db.select({ id: playlogs.id }).from(playlogs).where(lt(playlogs.startedAt, before)).limit(limit))).run().changes),
    /** Whether any gateway ever reported a play of this program. */
    playedProgram: (programId: string) => !!db.select({ id: playlogs.id }).from(playlogs).where(eq(playlogs.programId, programId)).limit(1).get(),
    start() {
      bus.on('device.played', owner, ({ deviceId, report }) => void record(deviceId, report));
    },
    stop() {
      bus.removeListeners(owner);
    },
  };
}
export type PlaylogsService = ReturnType<typeof createPlaylogsService>;
