import { and, desc, eq, inArray, lt } from 'drizzle-orm';
import { deleteInChunks } from '../db/prune.js';
import type { Bus } from '../bus.js';
import type { Clock } from '../clock.js';
import type { Db } from '../db/client.js';
import { auditLog } from '../db/schema.js';
import type { Actor } from '../http/request.js';

export type { Actor } from '../http/request.js';

export type AuditAction =
  | 'program.created' | 'program.version-created' | 'program.updated' | 'program.submitted' | 'program.approved' | 'program.rejected'
  | 'program.archived' | 'program.unarchived' | 'program.deleted'
  | 'schedule.created' | 'schedule.updated' | 'schedule.deleted'
  | 'broadcast.command' | 'broadcast.played'
  | 'broadcast.emergency-prepared' | 'broadcast.emergency-fired' | 'broadcast.emergency-confirmed' | 'broadcast.emergency-cancelled' | 'broadcast.settings-changed' | 'broadcast.recording-uploaded'
  | 'cap.received' | 'cap.aired' | 'cap.dismissed' | 'cap.settings-changed'
  | 'user.created' | 'user.updated' | 'user.disabled' | 'user.enabled' | 'user.password-reset' | 'user.password-changed'
  | 'device.created' | 'device.updated' | 'device.moved' | 'device.secret-rotated' | 'device.deleted'
  | 'zone.created' | 'zone.updated' | 'zone.deleted'
  | 'program.made-public' | 'program.made-private';

export type AuditEntry = typeof auditLog.$inferSelect;

export interface AuditQuery {
  action?: string;
  targetType?: string;
  targetId?: string;
  actor?: string;
  /** Entries with an id below this: the `next` cursor of the previous page. */
  before?: number;
  limit: number;
}

/**
 * The audit log: who did what, when, from where. Routes record what people do; from start(), what
 * gateways report they played is recorded too (actor `device:{id}`).
 */
export function createAuditLog({ db, bus, clock }: { db: Db; bus: Bus; clock: Clock }) {
  const owner = 'audit';
  const record = (actor: Actor, action: AuditAction, target: { type: string; id: string }, details?: Record<string, unknown>) => {
    db.insert(auditLog).values({
      at: clock.now(), actor: actor.id, actorName: actor.name, action, targetType: target.type, targetId: target.id,
      details: details ?? null, address: actor.address ?? null,
    }).run();
  };
  return {
    record,
    start() {
      bus.on('playlog.stored', owner, ({ deviceId, occurrenceId, programId, result }) =>
        record({ id: `device:${deviceId}`, name: deviceId }, 'broadcast.played', { type: 'program', id: programId }, { deviceId, occurrenceId, result }));
    },
    stop() {
      bus.removeListeners(owner);
    },
    /** Retention: entries older than `before` are deleted, a chunk at a time. */
    pruneBefore: (before: number) => deleteInChunks((limit) =>
      db.delete(auditLog).where(inArray(auditLog.id, db.select({ id: auditLog.id }).from(auditLog).where(lt(auditLog.at, before)).limit(limit))).run().changes),
    /** Newest first; `next` pages further back. */
    list(q: AuditQuery): { entries: AuditEntry[]; next: number | null } {
      const entries = db.select().from(auditLog)
        .where(and(
          q.action ? eq(auditLog.action, q.action) : undefined,
          q.targetType ? eq(auditLog.targetType, q.targetType) : undefined,
          q.targetId ? eq(auditLog.targetId, q.targetId) : undefined,
          q.actor ? eq(auditLog.actor, q.actor) : undefined,
          q.before !== undefined ? lt(auditLog.id, q.before) : undefined,
        ))
        .orderBy(desc(auditLog.id)).limit(q.limit).all();
      return { entries, next: entries.length === q.limit ? entries.at(-1)!.id : null };
    },
  };
}
export type AuditLog = ReturnType<typeof createAuditLog>;
