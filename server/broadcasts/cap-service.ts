import { desc, eq, inArray } from 'drizzle-orm';
import type { Bus } from '../bus.js';
import type { Clock } from '../clock.js';
import type { Db } from '../db/client.js';
import { capAlerts, settings } from '../db/schema.js';
import { ApiError, notFound } from '../http/errors.js';
import type { Actor } from '../http/request.js';
import { newId } from '../ids.js';
import type { Logger } from '../logger.js';
import {
  capKey, decideAiring, matchZones, pickSpeech, readCapAlert, resolveReferences,
  type CapAlert, type GatewayPlace, type TrustedCertificate, type TrustedSender, type ZoneCodes,
} from './cap/index.js';
import type { AssetInfo, BroadcastsService } from './service.js';

export type CapRow = typeof capAlerts.$inferSelect;
export interface CapSettings { trustedSenders: TrustedSender[]; certificates: TrustedCertificate[] }

const SEVERITY_LEVEL: Record<string, number> = { Extreme: 4, Severe: 3, Moderate: 2, Minor: 1 };

/**
 * The disaster risk level an alert carries (a parameter such as `capDoRuiRoThienTai`, Decision
 * 18/2021/QĐ-TTg), or the one its CAP severity stands for.
 */
export function riskLevelOf(alert: CapAlert): number | undefined {
  for (const info of alert.info) {
    const p = info.parameter.find((x) => /do.?rui.?ro|risk.?level/i.test(x.valueName));
    const n = p ? Number.parseInt(p.value, 10) : NaN;
    if (n >= 1 && n <= 5) return n;
  }
  return SEVERITY_LEVEL[alert.info[0]?.severity ?? ''];
}

/**
 * CAP 1.2 alerts in: read (signature first), mapped to hamlets, decided by the commune's trust list,
 * and acted on — aired as an emergency broadcast spoken from the Vietnamese info, kept for a person
 * to confirm, played only on test gateways, or kept without airing. Updates and Cancels act on what
 * they reference.
 */
export function createCapService(d: {
  db: Db; bus: Bus; clock: Clock; log: Logger; broadcasts: BroadcastsService;
  speak: (text: string) => Promise<AssetInfo>;
  zones: () => ZoneCodes[];
  gateways: () => GatewayPlace[];
}) {
  const { db, clock, log } = d;
  const row = (id: string): CapRow => {
    const r = db.select().from(capAlerts).where(eq(capAlerts.id, id)).get();
    if (!r) throw notFound('CAP alert', id);
    return r;
  };
  const getSettings = (): CapSettings => {
    const r = db.select().from(settings).where(eq(settings.key, 'cap')).get();
    return r ? (JSON.parse(r.value) as CapSettings) : { trustedSenders: [], certificates: [] };
  };
  const set = (id: string, patch: Partial<CapRow>) => db.update(capAlerts).set(patch).where(eq(capAlerts.id, id)).run();

  /** Stops what the alerts an Update or Cancel references put on the air. */
  async function cancelReferenced(alert: CapAlert, actor: Actor, state: CapRow['state']) {
    const keys = alert.references.map(capKey);
    if (!keys.length) return;
    for (const ref of db.select().from(capAlerts).where(inArray(capAlerts.key, keys)).all()) {
      if (ref.broadcastId) {
        const b = d.broadcasts.get(ref.broadcastId).broadcast;
        if (b.status === 'active' || b.status === 'awaiting-confirmation') await d.broadcasts.cancel(b.id, actor, `CAP ${alert.msgType} ${alert.identifier}`, true);
      }
      set(ref.id, { state });
    }
  }

  /** Airs an alert: an emergency broadcast to its hamlets, spoken from its Vietnamese text. */
  async function air(r: CapRow, alert: CapAlert, actor: Actor, test: boolean) {
    if (alert.msgType === 'Cancel') {
      await cancelReferenced(alert, actor, 'cancelled');
      set(r.id, { state: 'cancelled', handledBy: actor.name, handledAt: clock.now() });
      return;
    }
    const speech = pickSpeech(alert);
    if (!speech) throw new ApiError(422, 'cap_no_vietnamese', 'This alert has no Vietnamese text (info with language vi) to speak; it is kept, not aired');
    if (alert.msgType === 'Update') await cancelReferenced(alert, actor, 'updated');
    const asset = await d.speak(speech.text);
    const b = await d.broadcasts.create({
      zoneIds: r.zoneIds, test, source: 'cap', capAlertId: r.id, riskLevel: riskLevelOf(alert),
      content: { kind: 'text', title: speech.info.headline ?? speech.info.event, text: speech.text, asset },
      expiresAt: speech.info.expiresAt && speech.info.expiresAt > clock.now() ? speech.info.expiresAt : undefined,
      note: `CAP ${alert.sender} ${alert.identifier}`,
    }, actor, true);
    set(r.id, { state: 'aired', broadcastId: b.id, handledBy: actor.name, handledAt: clock.now() });
  }

  return {
    getSettings,
    saveSettings(s: CapSettings) {
      const value = JSON.stringify(s);
      db.insert(settings).values({ key: 'cap', value, updatedAt: clock.now() }).onConflictDoUpdate({ target: settings.key, set: { value, updatedAt: clock.now() } }).run();
      return getSettings();
    },
    /** Reads, decides and acts on one alert; a bad one is refused with the element at fault, changing nothing. */
    async receive(xml: string, source: CapRow['source']): Promise<{ alert: CapRow; duplicate: boolean }> {
      const s = getSettings();
      const read = readCapAlert(xml, s.certificates);
      if (!read.ok) throw new ApiError(422, read.error.code, read.error.message, { element: read.error.element });
      const alert = read.alert;
      const key = capKey(alert);
      const existing = db.select().from(capAlerts).where(eq(capAlerts.key, key)).get();
      if (existing) return { alert: existing, duplicate: true };
      if (alert.msgType === 'Update' || alert.msgType === 'Cancel') {
        const known = new Set(db.select({ key: capAlerts.key }).from(capAlerts).where(inArray(capAlerts.key, alert.references.map(capKey))).all().map((x) => x.key));
        const refs = resolveReferences(alert, known);
        if (!refs.ok) throw new ApiError(422, refs.error.code, refs.error.message, { element: refs.error.element, unknown: refs.unknown });
      }
      const zoneIds = matchZones(alert, d.zones(), d.gateways());
      const decision = decideAiring({ alert, zoneIds, signature: read.signature, trusted: s.trustedSenders, now: clock.now() });
      const info = alert.info[0];
      const r: CapRow = {
        id: newId('ca'), key, sender: alert.sender, identifier: alert.identifier, sentAt: alert.sentAt, status: alert.status, msgType: alert.msgType,
        headline: info?.headline ?? info?.event ?? null, severity: info?.severity ?? null, urgency: info?.urgency ?? null,
        alert: alert as unknown as Record<string, unknown>, xml, signed: read.signature.status === 'valid', zoneIds,
        action: decision.action, decision: decision.message, state: decision.action === 'needs-confirmation' ? 'waiting' : 'kept',
        broadcastId: null, source, receivedAt: clock.now(), handledBy: null, handledAt: null,
      };
      db.insert(capAlerts).values(r).run();
      const system: Actor = { id: `cap:${alert.sender}`, name: `CAP ${alert.sender}` };
      try {
        if (decision.action === 'auto-air' || decision.action === 'auto-cancel') await air(r, alert, system, false);
        else if (decision.action === 'test-only') await air(r, alert, system, true);
      } catch (err) {
        // What could not air unattended waits for a person, with the reason.
        set(r.id, { state: 'waiting', decision: `${decision.message} Could not air it unattended: ${(err as Error).message}` });
        log.warn('CAP alert could not air unattended', { id: r.id, err: String(err) });
      }
      d.bus.emit('cap.received', { capAlertId: r.id });
      log.warn('CAP alert received', { id: r.id, sender: alert.sender, identifier: alert.identifier, action: decision.action, zones: zoneIds.length });
      return { alert: row(r.id), duplicate: false };
    },
    /** An approver airs one that waited ("Phát"). */
    async confirm(id: string, actor: Actor): Promise<CapRow> {
      const r = row(id);
      if (r.state !== 'waiting') throw new ApiError(409, 'not_waiting', `This alert is ${r.state}; only one waiting for a person can be aired`);
      if (!r.zoneIds.length && r.msgType !== 'Cancel') throw new ApiError(422, 'cap_no_zone', 'This alert covers none of the commune\'s hamlets; set the hamlets\' geocodes or the gateways\' places');
      const alert = r.alert as unknown as CapAlert;
      await air(r, alert, actor, alert.status === 'Test' || alert.status === 'Exercise');
      d.bus.emit('cap.received', { capAlertId: id });
      return row(id);
    },
    /** An approver sets one aside ("Bỏ qua"). */
    dismiss(id: string, actor: Actor): CapRow {
      const r = row(id);
      if (r.state !== 'waiting') throw new ApiError(409, 'not_waiting', `This alert is ${r.state}; only one waiting for a person can be set aside`);
      set(id, { state: 'dismissed', handledBy: actor.name, handledAt: clock.now() });
      d.bus.emit('cap.received', { capAlertId: id });
      return row(id);
    },
    list: (limit = 50): CapRow[] => db.select().from(capAlerts).orderBy(desc(capAlerts.receivedAt)).limit(limit).all(),
    /** Alerts waiting for a person's Phát / Bỏ qua, however old (the panel shows them on every page). */
    waiting: (): CapRow[] => db.select().from(capAlerts).where(eq(capAlerts.state, 'waiting')).orderBy(desc(capAlerts.receivedAt)).all(),
    get: row,
  };
}
export type CapService = ReturnType<typeof createCapService>;
