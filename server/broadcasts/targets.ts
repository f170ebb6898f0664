import { and, eq, inArray } from 'drizzle-orm';
import type { AlertStatus } from '../../devices/protocol/index.js';
import type { Db } from '../db/client.js';
import { broadcastTargets } from '../db/schema.js';

export type TargetStatus = (typeof broadcastTargets.$inferSelect)['status'];
export type TargetRow = typeof broadcastTargets.$inferSelect;

/** Where a gateway's part can still go: a final status never goes back. */
const FINAL: ReadonlySet<TargetStatus> = new Set(['played', 'missed', 'cancelled', 'expired', 'failed', 'rejected']);
const ORDER: Record<TargetStatus, number> = {
  pending: 0, sent: 1, received: 2, playing: 3, played: 4, missed: 4, cancelled: 4, expired: 4, failed: 4, rejected: 4,
};

/** What a gateway's report means for its part; null for a report that changes nothing. */
export function nextStatus(current: TargetStatus, reported: AlertStatus): TargetStatus | null {
  if (FINAL.has(current)) return null;
  const to: TargetStatus = reported;
  return ORDER[to] >= ORDER[current] ? to : null;
}

/** The per-gateway rows of a broadcast: written when it goes out, moved on by the gateways' reports. */
export function createTargets(db: Db) {
  return {
    insert(rows: TargetRow[]) {
      db.transaction((tx) => {
        for (const r of rows) tx.insert(broadcastTargets).values(r).onConflictDoNothing().run();
      });
    },
    of: (broadcastId: string): TargetRow[] => db.select().from(broadcastTargets).where(eq(broadcastTargets.broadcastId, broadcastId)).all(),
    /** Applies a gateway's report; returns whether it changed anything. */
    report(broadcastId: string, deviceId: string, status: AlertStatus, at: number, reason?: string): boolean {
      const row = db.select().from(broadcastTargets)
        .where(and(eq(broadcastTargets.broadcastId, broadcastId), eq(broadcastTargets.deviceId, deviceId))).get();
      if (!row) return false;
      const to = nextStatus(row.status, status);
      if (!to) return false;
      db.update(broadcastTargets).set({
        status: to, reason: reason ?? row.reason, updatedAt: at,
        ...(to === 'received' || (row.receivedAt === null && to !== 'pending') ? { receivedAt: row.receivedAt ?? at } : {}),
        ...(to === 'playing' ? { startedAt: row.startedAt ?? at } : {}),
        ...(FINAL.has(to) ? { endedAt: at } : {}),
      }).where(and(eq(broadcastTargets.broadcastId, broadcastId), eq(broadcastTargets.deviceId, deviceId))).run();
      return true;
    },
    /** Every part not yet final becomes `to` (with a reason): at cancel, at expiry. */
    settleOpen(broadcastId: string, statuses: TargetStatus[], to: TargetStatus, at: number, reason: (r: TargetRow) => string | null) {
      const open = db.select().from(broadcastTargets)
        .where(and(eq(broadcastTargets.broadcastId, broadcastId), inArray(broadcastTargets.status, statuses))).all();
      db.transaction((tx) => {
        for (const r of open) {
          tx.update(broadcastTargets).set({ status: to, reason: reason(r), updatedAt: at, endedAt: at })
            .where(and(eq(broadcastTargets.broadcastId, broadcastId), eq(broadcastTargets.deviceId, r.deviceId))).run();
        }
      });
      return open.length;
    },
  };
}
export type Targets = ReturnType<typeof createTargets>;
