import { and, asc, gte, inArray, lt, lte, ne } from 'drizzle-orm';
import { eq } from 'drizzle-orm';
import type { Clock } from '../clock.js';
import type { Db } from '../db/client.js';
import { broadcasts, broadcastTargets, deviceAvailability, plays, settings } from '../db/schema.js';
import { reasonKind } from '../plays/settle.js';
import { summarize, type ReportBroadcast, type Summary } from './summary.js';

export interface ReportsDeps {
  db: Db; clock: Clock; timeZone: string;
  zones: () => { id: string; name: string }[];
  devices: () => { id: string; name: string; zoneId: string; createdAt: number }[];
}

export const DEFAULT_THEMATIC_TARGET = 2;

/** The review-period report: the settled plays, availability and emergencies of a period, summarised once. */
export function createReportsService(d: ReportsDeps) {
  const { db } = d;
  const thematicTarget = () => Number(db.select().from(settings).where(eq(settings.key, 'reports.thematicTarget')).get()?.value ?? DEFAULT_THEMATIC_TARGET);

  function emergencies(from: number, to: number): ReportBroadcast[] {
    const rows = db.select().from(broadcasts).where(and(gte(broadcasts.firedAt, from), lt(broadcasts.firedAt, to), eq(broadcasts.test, false))).all();
    if (!rows.length) return [];
    const targets = db.select().from(broadcastTargets).where(inArray(broadcastTargets.broadcastId, rows.map((r) => r.id))).all();
    return rows.map((b) => {
      const mine = targets.filter((t) => t.broadcastId === b.id);
      return {
        id: b.id, title: b.title, riskLevel: b.riskLevel, firedAt: b.firedAt!, status: b.status,
        hamlets: new Set(mine.map((t) => t.zoneId)).size, gateways: mine.length, reached: mine.filter((t) => t.status === 'played' || t.status === 'playing').length,
      };
    });
  }

  return {
    thematicTarget,
    setThematicTarget(n: number) {
      db.insert(settings).values({ key: 'reports.thematicTarget', value: String(n), updatedAt: d.clock.now() })
        .onConflictDoUpdate({ target: settings.key, set: { value: String(n), updatedAt: d.clock.now() } }).run();
    },
    summary(from: number, to: number): Summary {
      const rows = db.select().from(plays).where(and(gte(plays.startAt, from), lt(plays.startAt, to), ne(plays.status, 'expected'))).all();
      const transitions = db.select().from(deviceAvailability).where(lte(deviceAvailability.at, to)).orderBy(asc(deviceAvailability.at)).all();
      const availability = new Map<string, { at: number; online: boolean }[]>();
      for (const t of transitions) {
        const list = availability.get(t.deviceId) ?? [];
        list.push({ at: t.at, online: t.online });
        availability.set(t.deviceId, list);
      }
      return summarize({
        from, to, now: d.clock.now(), tz: d.timeZone, zones: d.zones(), devices: d.devices(), availability, emergencies: emergencies(from, to), thematicTarget: thematicTarget(),
        plays: rows.map((p) => ({
          deviceId: p.deviceId, zoneId: p.zoneId, programId: p.programId, title: p.title, category: p.category, priority: p.priority,
          startAt: p.startAt, status: p.status as 'played', reasonKind: p.status === 'missed' ? reasonKind(p.reason) : null, playedMs: p.playedMs,
        })),
      });
    },
  };
}
export type ReportsService = ReturnType<typeof createReportsService>;
