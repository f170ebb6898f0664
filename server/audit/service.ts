import { and, desc, eq, lt } from 'drizzle-orm';
import type { Clock } from '../clock.js';
import type { Db } from '../db/client.js';
import { auditLog } from '../db/schema.js';

/** Who acted: a user (with the address the request came from), or a gateway reporting what it did. */
export interface Actor {
  id: string;
  name: string;
  address?: string | null;
}

export type AuditAction =
  | 'program.created' | 'program.version-created' | 'program.updated' | 'program.submitted' | 'program.approved' | 'program.rejected'
  | 'schedule.created' | 'schedule.updated' | 'schedule.deleted'
  | 'broadcast.command' | 'broadcast.played'
  | 'user.created';

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

export function createAuditLog({ db, clock }: { db: Db; clock: Clock }) {
  return {
    record(actor: Actor, action: AuditAction, target: { type: string; id: string }, details?: Record<string, unknown>) {
      db.insert(auditLog).values({
        at: clock.now(), actor: actor.id, actorName: actor.name, action, targetType: target.type, targetId: target.id,
        details: details ?? null, address: actor.address ?? null,
      }).run();
    },
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
