import { and, desc, eq, isNull } from 'drizzle-orm';
import type { Bus } from '../bus.js';
import type { Clock } from '../clock.js';
import type { Db } from '../db/client.js';
import { incidents } from '../db/schema.js';
import { newId } from '../ids.js';
import type { Logger } from '../logger.js';

export type IncidentRow = typeof incidents.$inferSelect;

/** The documented body of the webhook (docs/operations.md, "Missed plays"). */
export interface IncidentWebhookBody {
  event: 'incident.opened' | 'incident.resolved';
  commune: string;
  incident: {
    id: string; kind: 'missed-plays'; reasonKind: string; reason: string; count: number;
    gateway: { id: string; name: string; hamlet: string };
    firstMissedAt: string; lastMissedAt: string; openedAt: string; resolvedAt: string | null;
  };
}

/**
 * Missed plays grouped into incidents: one per gateway and kind of reason while it lasts, its count
 * growing, so one gateway offline for a week is one incident. A play that airs on the gateway again
 * resolves its open incidents. When a webhook is configured, each opening and resolution is POSTed.
 */
export function createIncidents({ db, bus, clock, log, webhookUrl, communeName, gateway, fetchImpl = fetch }: {
  db: Db; bus: Bus; clock: Clock; log: Logger; webhookUrl?: string; communeName: string;
  gateway: (deviceId: string) => { name: string; hamlet: string };
  fetchImpl?: typeof fetch;
}) {
  const pending: IncidentWebhookBody[] = [];
  const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
  const body = (event: IncidentWebhookBody['event'], r: IncidentRow): IncidentWebhookBody => ({
    event, commune: communeName,
    incident: {
      id: r.id, kind: r.kind, reasonKind: r.reasonKind, reason: r.reason, count: r.count, gateway: { id: r.deviceId, ...gateway(r.deviceId) },
      firstMissedAt: iso(r.firstAt)!, lastMissedAt: iso(r.lastAt)!, openedAt: iso(r.openedAt)!, resolvedAt: iso(r.resolvedAt),
    },
  });

  return {
    missed(deviceId: string, reasonKind: string, reason: string, at: number, now: number) {
      const open = db.select().from(incidents).where(and(eq(incidents.deviceId, deviceId), eq(incidents.reasonKind, reasonKind), isNull(incidents.resolvedAt))).get();
      if (open) {
        db.update(incidents).set({ count: open.count + 1, lastAt: Math.max(open.lastAt, at), firstAt: Math.min(open.firstAt, at) }).where(eq(incidents.id, open.id)).run();
        return;
      }
      const r: IncidentRow = { id: newId('in'), kind: 'missed-plays', deviceId, reasonKind, reason, count: 1, firstAt: at, lastAt: at, openedAt: now, resolvedAt: null, notifiedAt: null };
      db.insert(incidents).values(r).run();
      pending.push(body('incident.opened', r));
      bus.emit('incident.updated', { incidentId: r.id });
    },
    played(deviceId: string, now: number) {
      for (const r of db.select().from(incidents).where(and(eq(incidents.deviceId, deviceId), isNull(incidents.resolvedAt))).all()) {
        db.update(incidents).set({ resolvedAt: now }).where(eq(incidents.id, r.id)).run();
        pending.push(body('incident.resolved', { ...r, resolvedAt: now }));
        bus.emit('incident.updated', { incidentId: r.id });
      }
    },
    /** Sends what is waiting to the webhook (three tries each); without one, forgets it. */
    async notify() {
      const batch = pending.splice(0);
      if (!webhookUrl) return;
      for (const b of batch) {
        for (let attempt = 1; attempt <= 3; attempt++) {
          try {
            const res = await fetchImpl(webhookUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(b), signal: AbortSignal.timeout(5000) });
            if (!res.ok) throw new Error(`HTTP ${res.status}`);
            db.update(incidents).set({ notifiedAt: clock.now() }).where(eq(incidents.id, b.incident.id)).run();
            break;
          } catch (err) {
            if (attempt === 3) log.warn('incident webhook failed', { url: webhookUrl, incident: b.incident.id, err: String(err) });
            else await new Promise((r) => setTimeout(r, 200 * attempt));
          }
        }
      }
    },
    list(q: { open?: boolean; deviceId?: string; limit: number }): IncidentRow[] {
      return db.select().from(incidents).where(and(
        q.open ? isNull(incidents.resolvedAt) : undefined,
        q.deviceId ? eq(incidents.deviceId, q.deviceId) : undefined,
      )).orderBy(desc(incidents.lastAt)).limit(q.limit).all();
    },
  };
}
export type Incidents = ReturnType<typeof createIncidents>;
