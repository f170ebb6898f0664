import { and, desc, eq, gt, inArray } from 'drizzle-orm';
import { topics, type Alert, type Envelope } from '../../devices/protocol/index.js';
import type { Bus } from '../bus.js';
import type { Clock } from '../clock.js';
import type { Db } from '../db/client.js';
import { assets, broadcasts, settings } from '../db/schema.js';
import { deviceTag, occurrenceBase } from '../domain/occurrences.js';
import { ApiError, notFound } from '../http/errors.js';
import type { Actor } from '../http/request.js';
import { newId } from '../ids.js';
import type { Logger } from '../logger.js';
import type { BatchSigner } from '../manifests/signer.js';
import type { DevicePlane } from '../mqtt/plane.js';
import { DEFAULT_RISK_LEVELS, riskLevel, type RiskLevel } from './risk-levels.js';
import { createTargets, type TargetRow } from './targets.js';

/** Alerts signed and handed to the broker together. */
const ALERT_CHUNK = 200;

export type BroadcastRow = typeof broadcasts.$inferSelect;
export type ContentKind = BroadcastRow['contentKind'];
export interface AssetInfo { sha256: string; bytes: number; durationMs: number }
export interface BroadcastDevice { id: string; zoneId: string; online: boolean; lastSeenAt: number | null; test: boolean }

export interface BroadcastInput {
  zoneIds: string[] | 'all';
  content: { kind: ContentKind; title: string; asset: AssetInfo; programId?: string; text?: string };
  riskLevel?: number;
  repeat?: { times: number; gapSeconds: number };
  volume?: number;
  expiresAt?: number;
  note?: string;
  test?: boolean;
  source?: 'manual' | 'cap';
  capAlertId?: string;
}

export interface BroadcastSettings {
  /** Which content needs a second person (an approver) when someone other than an approver prepares it. */
  twoPerson: Record<ContentKind, boolean>;
  riskLevels: RiskLevel[];
}
export const DEFAULT_SETTINGS: BroadcastSettings = { twoPerson: { program: false, text: true, recording: true }, riskLevels: DEFAULT_RISK_LEVELS };

export interface BroadcastDeps {
  db: Db; bus: Bus; clock: Clock; log: Logger; plane: DevicePlane;
  /** The server's signing threads (shared with the manifests). */
  signer: BatchSigner;
  devices: () => BroadcastDevice[];
  /** How long a gateway that reconnects still gets a broadcast, unless the broadcast says. */
  defaultExpiryMs: number;
}

/**
 * Emergency broadcasts (Circular 39/2020/TT-BTTTT, khẩn cấp: played immediately). Each targeted
 * gateway gets a signed alert on its retained `alert` topic: online ones play it at once, cutting what
 * plays; one that reconnects before it expires plays it then, never after. A cancel is a newer
 * revision of the same alert. Gateways report each step, which the live status board shows.
 */
export function createBroadcastsService(d: BroadcastDeps) {
  const { db, bus, clock, log, plane, signer } = d;
  const targets = createTargets(db);
  const timers = new Map<string, NodeJS.Timeout>();
  const owner = 'broadcasts';

  const row = (id: string): BroadcastRow => {
    const b = db.select().from(broadcasts).where(eq(broadcasts.id, id)).get();
    if (!b) throw notFound('Broadcast', id);
    return b;
  };
  const changed = (id: string) => bus.emit('broadcast.updated', { broadcastId: id });

  function getSettings(): BroadcastSettings {
    const r = db.select().from(settings).where(eq(settings.key, 'broadcasts')).get();
    return r ? { ...DEFAULT_SETTINGS, ...(JSON.parse(r.value) as Partial<BroadcastSettings>) } : DEFAULT_SETTINGS;
  }

  /** The alert for one gateway, as the JSON text that is signed: revision 1 plays, a later one cancels. */
  function alertFor(b: BroadcastRow, asset: AssetInfo, deviceId: string, action: Alert['action'], issuedAt: number): string {
    const a: Alert = {
      deviceId, broadcastId: b.id, revision: b.revision, issuedAt, expiresAt: b.expiresAt, action,
      ...(b.riskLevel ? { riskLevel: b.riskLevel } : {}),
    };
    if (action === 'play') {
      a.item = {
        occurrenceId: `oc_${occurrenceBase(b.id, 0)}${deviceTag(deviceId)}`, programId: b.programId ?? `bc:${b.id}`, title: b.title,
        priority: 'emergency', startAt: issuedAt,
        asset: { sha256: asset.sha256, bytes: asset.bytes, durationMs: asset.durationMs, url: `/media/${asset.sha256}.opus` },
        ...(b.volume != null ? { volume: b.volume } : {}),
        ...(b.repeatTimes > 1 ? { repeat: { times: b.repeatTimes, gapMinutes: b.gapSeconds / 60 } } : {}),
      };
    }
    return JSON.stringify(a);
  }

  /** Signed in worker threads (thousands of gateways, one signature each), then published retained. */
  async function publishAlerts(b: BroadcastRow, deviceIds: string[], action: Alert['action']) {
    const asset = db.select().from(assets).where(eq(assets.sha256, b.assetSha256)).get();
    if (!asset) throw new Error(`asset ${b.assetSha256} of broadcast ${b.id} is gone`);
    const issuedAt = b.firedAt ?? clock.now();
    // A chunk at a time, the next one signing in the worker threads while this one is handed to the
    // broker: the first loudspeakers start while the last alerts are still being signed.
    const chunk = (from: number) => {
      const ids = deviceIds.slice(from, from + ALERT_CHUNK);
      const payloads = ids.map((id) => alertFor(b, asset, id, action, issuedAt));
      const signing = signer.sign(payloads).then((sigs) => ({ ids, payloads, sigs }));
      signing.catch(() => {});
      return signing;
    };
    const publishing: Promise<unknown>[] = [];
    let next = chunk(0);
    for (let from = 0; from < deviceIds.length; from += ALERT_CHUNK) {
      const { ids, payloads, sigs } = await next;
      if (from + ALERT_CHUNK < deviceIds.length) next = chunk(from + ALERT_CHUNK);
      publishing.push(...ids.map((id, k) =>
        plane.publish(topics.alert(id, b.id), JSON.stringify({ payload: payloads[k], sig: sigs[k] } satisfies Envelope), { retain: true, qos: 1 })));
    }
    await Promise.all(publishing);
  }
  // An empty retained payload removes the alert [MQTT-3.3.1-10]: after expiry nobody gets it again.
  const clearAlerts = (b: BroadcastRow, deviceIds: string[]) => Promise.all(deviceIds.map((id) => plane.publish(topics.alert(id, b.id), '', { retain: true, qos: 1 })));

  function armExpiry(b: BroadcastRow) {
    clearTimeout(timers.get(b.id));
    const t = setTimeout(() => void expire(b.id).catch((err) => log.error('broadcast expiry failed', { id: b.id, err: String(err) })), Math.max(0, b.expiresAt - clock.now()));
    t.unref();
    timers.set(b.id, t);
  }

  /** Goes out now: a part for every targeted gateway, the alerts published, expiry armed. */
  async function fire(b: BroadcastRow): Promise<void> {
    const now = clock.now();
    const zoneSet = b.zoneIds === 'all' ? null : new Set(b.zoneIds);
    // A test broadcast (CAP Test/Exercise) goes to the gateways kept for tests, wherever they stand, and to no other.
    const devices = d.devices().filter((x) => (b.test ? x.test : !zoneSet || zoneSet.has(x.zoneId)));
    targets.insert(devices.map((x): TargetRow => ({
      broadcastId: b.id, deviceId: x.id, zoneId: x.zoneId, status: x.online ? 'sent' : 'pending', reason: null,
      offlineSince: x.online ? null : x.lastSeenAt, sentAt: now, receivedAt: null, startedAt: null, endedAt: null, updatedAt: now,
    })));
    db.update(broadcasts).set({ status: 'active', firedAt: now }).where(eq(broadcasts.id, b.id)).run();
    const fired = row(b.id);
    await publishAlerts(fired, devices.map((x) => x.id), 'play');
    armExpiry(fired);
    changed(b.id);
    bus.emit('broadcast.fired', { broadcastId: b.id });
    log.warn('emergency broadcast fired', { id: b.id, title: b.title, gateways: devices.length, online: devices.filter((x) => x.online).length });
  }

  async function expire(id: string) {
    timers.delete(id);
    const b = row(id);
    if (b.status !== 'active' && b.status !== 'cancelled') return;
    const now = clock.now();
    targets.settleOpen(id, ['pending', 'sent'], 'missed', now, (r) => (r.offlineSince !== null ? `offline since ${new Date(r.offlineSince).toISOString()}` : 'no answer before it expired'));
    if (b.status === 'active') db.update(broadcasts).set({ status: 'expired' }).where(eq(broadcasts.id, id)).run();
    await clearAlerts(b, targets.of(id).map((r) => r.deviceId));
    changed(id);
  }

  return {
    getSettings,
    saveSettings(next: BroadcastSettings) {
      const value = JSON.stringify(next);
      db.insert(settings).values({ key: 'broadcasts', value, updatedAt: clock.now() })
        .onConflictDoUpdate({ target: settings.key, set: { value, updatedAt: clock.now() } }).run();
      return getSettings();
    },
    /**
     * Prepares a broadcast and, unless the two-person rule asks for an approver, fires it. `fireDirectly`
     * is whether the actor's role may fire without a second person (the chair).
     */
    async create(input: BroadcastInput, actor: Actor, fireDirectly: boolean): Promise<BroadcastRow> {
      const now = clock.now();
      const s = getSettings();
      const level = input.riskLevel ? riskLevel(s.riskLevels, input.riskLevel) : null;
      const expiresAt = input.expiresAt ?? now + d.defaultExpiryMs;
      if (expiresAt <= now) throw new ApiError(422, 'already_expired', 'The broadcast would expire before it goes out; pick a later expiry');
      const needsSecond = !fireDirectly && s.twoPerson[input.content.kind];
      const b: BroadcastRow = {
        id: newId('bc'), status: needsSecond ? 'awaiting-confirmation' : 'active', zoneIds: input.zoneIds, contentKind: input.content.kind,
        title: input.content.title, text: input.content.text ?? null, programId: input.content.programId ?? null, assetSha256: input.content.asset.sha256,
        riskLevel: input.riskLevel ?? null, repeatTimes: input.repeat?.times ?? level?.repeats ?? 1, gapSeconds: input.repeat?.gapSeconds ?? level?.gapSeconds ?? 0,
        volume: input.volume ?? level?.volume ?? null, note: input.note ?? null, test: input.test ?? false, source: input.source ?? 'manual',
        capAlertId: input.capAlertId ?? null, revision: 1, createdBy: actor.id, createdByName: actor.name, createdAt: now,
        confirmedBy: null, confirmedAt: null, firedAt: null, expiresAt, cancelledBy: null, cancelledAt: null, cancelReason: null,
      };
      db.insert(broadcasts).values(b).run();
      if (needsSecond) changed(b.id);
      else await fire(b);
      return row(b.id);
    },
    /** The second person: an approver other than the one who prepared it. */
    async confirm(id: string, actor: Actor): Promise<BroadcastRow> {
      const b = row(id);
      if (b.status !== 'awaiting-confirmation') throw new ApiError(409, 'not_awaiting_confirmation', `Broadcast ${id} is ${b.status}; only one awaiting confirmation can be confirmed`);
      if (b.createdBy === actor.id) throw new ApiError(403, 'two_person_rule', 'You prepared this broadcast: another approver must confirm it (two-person rule)');
      if (b.expiresAt <= clock.now()) throw new ApiError(409, 'expired', 'This broadcast expired before it was confirmed; prepare it again');
      db.update(broadcasts).set({ confirmedBy: actor.id, confirmedAt: clock.now() }).where(eq(broadcasts.id, id)).run();
      await fire(row(id));
      return row(id);
    },
    /** Stops it on every gateway (a signed, newer revision), between repeats too; never plays again. */
    async cancel(id: string, actor: Actor, reason: string | null, mayCancelAny: boolean): Promise<BroadcastRow> {
      const b = row(id);
      if (!mayCancelAny && b.createdBy !== actor.id) throw new ApiError(403, 'forbidden', 'Only an approver, or whoever prepared it, may cancel this broadcast');
      if (b.status !== 'active' && b.status !== 'awaiting-confirmation') throw new ApiError(409, 'not_active', `Broadcast ${id} is ${b.status}; there is nothing to cancel`);
      const now = clock.now();
      db.update(broadcasts).set({ status: 'cancelled', cancelledBy: actor.id, cancelledAt: now, cancelReason: reason, revision: b.revision + 1 })
        .where(eq(broadcasts.id, id)).run();
      if (b.status === 'active') {
        const cancelled = row(id);
        // Gateways that never got it never will: the retained alert is now the cancel.
        targets.settleOpen(id, ['pending'], 'cancelled', now, () => 'cancelled before it reached the gateway');
        await publishAlerts(cancelled, targets.of(id).map((r) => r.deviceId), 'cancel');
      }
      changed(id);
      return row(id);
    },
    get(id: string) {
      return { broadcast: row(id), targets: targets.of(id) };
    },
    list(limit = 50): BroadcastRow[] {
      return db.select().from(broadcasts).orderBy(desc(broadcasts.createdAt)).limit(limit).all();
    },
    /** What each targeted gateway owes once the broadcast fired: one play, all its repeats. */
    expectedPlays(id: string) {
      const b = row(id);
      const asset = db.select().from(assets).where(eq(assets.sha256, b.assetSha256)).get();
      const startAt = b.firedAt ?? b.createdAt;
      const span = (asset?.durationMs ?? 0) * b.repeatTimes + b.gapSeconds * 1000 * (b.repeatTimes - 1);
      return targets.of(id).map((t) => ({
        deviceId: t.deviceId, zoneId: t.zoneId, occurrenceId: `oc_${occurrenceBase(b.id, 0)}${deviceTag(t.deviceId)}`, broadcastId: b.id,
        programId: b.programId ?? `bc:${b.id}`, title: b.title, startAt, endAt: startAt + span,
      }));
    },
    active: (): BroadcastRow[] => db.select().from(broadcasts).where(inArray(broadcasts.status, ['active', 'awaiting-confirmation'])).all(),
    expire,
    async start() {
      bus.on('device.alert-status', owner, ({ deviceId, report }) => {
        if (targets.report(report.broadcastId, deviceId, report.status, clock.now(), report.reason)) changed(report.broadcastId);
      });
      // After a restart the broker may hold no retained alert: what has not expired goes out again
      // (a cancelled one as its cancel), and what expired while the server was down is settled.
      const recent = db.select().from(broadcasts).where(and(inArray(broadcasts.status, ['active', 'cancelled']), gt(broadcasts.expiresAt, clock.now() - 86400_000))).all();
      for (const b of recent) {
        if (b.expiresAt <= clock.now()) await expire(b.id);
        else {
          await publishAlerts(b, targets.of(b.id).map((r) => r.deviceId), b.status === 'active' ? 'play' : 'cancel');
          armExpiry(b);
        }
      }
    },
    async stop() {
      bus.removeListeners(owner);
      for (const t of timers.values()) clearTimeout(t);
      timers.clear();
    },
  };
}
export type BroadcastsService = ReturnType<typeof createBroadcastsService>;
