import { openAlert, safeJson, type Alert, type AlertStatus, type ManifestItem } from '../protocol/index.js';
import type { PlayEnd, PlayHooks } from './player.js';
import type { EventBody } from './reporter.js';
import { PlayStop } from './sinks.js';
import { ALERT_KEPT_MS, type AgentState } from './state.js';
import type { Timers } from './timers.js';

export interface AlertResult {
  /** `accepted`: handed to the player; `unchanged`: an empty payload, or a revision already handled. */
  outcome: 'accepted' | 'cancelled' | 'expired' | 'unchanged' | 'rejected' | 'failed';
  reason?: string;
}

const FINAL: ReadonlySet<AlertStatus> = new Set(['played', 'cancelled', 'expired', 'rejected', 'failed']);

/**
 * Emergency alerts (khẩn cấp, Circular 39/2020/TT-BTTTT: played immediately). Verified once, then
 * played at once over anything else; a later revision cancels. `received` and `playing` are sent at
 * once (speed), the final status through the outbox (it must arrive).
 */
export class Alerts {
  /** broadcastId → its play while it is fetched (not handed over yet), waits or plays. */
  private readonly active = new Map<string, { abort: AbortController; handedOver: boolean }>();

  constructor(private readonly o: {
    id: string;
    serverPublicKey: string;
    /** Server time. */
    timers: Timers;
    state: AgentState;
    play: (item: ManifestItem, hooks: PlayHooks) => void;
    /** The verified audio, downloaded without delay if need be; null when it cannot be had. */
    fetch: (asset: ManifestItem['asset']) => Promise<string | null>;
    missingReason: (item: ManifestItem) => string | undefined;
    /** Sent now if connected, not stored. */
    report: (e: EventBody) => void;
    /** Stored, then sent until acknowledged. */
    event: (e: EventBody) => Promise<void>;
    log: (msg: string, extra?: object) => void;
    /** While server time is not known yet (just reconnected), what to wait for before judging an expiry. */
    clockReady?: () => Promise<void> | undefined;
  }) {}

  async receive(raw: Buffer | string): Promise<AlertResult> {
    // An empty retained message clears the topic; it is not an alert.
    if (raw.length === 0) return { outcome: 'unchanged' };
    const opened = openAlert(raw, this.o.serverPublicKey);
    if (!opened.ok) return this.refuse(claimedBroadcast(raw), opened.reason);
    const a = opened.value;
    if (a.deviceId !== this.o.id) return this.refuse(a.broadcastId, `alert is for ${a.deviceId}`);
    // A retained alert comes with the connection, before the clock is measured: a fast clock would call it expired.
    const ready = this.o.clockReady?.();
    if (ready) await ready;
    const now = this.o.timers.now();
    const seen = this.o.state.alert(a.broadcastId);
    // A restart between acceptance and start leaves it `received` and not active: it is handled anew.
    const neverStarted = seen?.status === 'received' && !this.active.has(a.broadcastId);
    if (seen && a.revision === seen.revision && !neverStarted) return { outcome: 'unchanged' };
    if (seen && a.revision < seen.revision) return this.refuse(a.broadcastId, `revision ${a.revision} is older than ${seen.revision}`);
    // Long expired and forgotten: telling the server again would only repeat what it heard.
    if (!seen && a.expiresAt < now - ALERT_KEPT_MS) return { outcome: 'unchanged' };
    this.o.state.forgetOldAlerts(now);
    return a.action === 'play' ? this.play(a, now) : this.cancel(a);
  }

  private async play(a: Alert, now: number): Promise<AlertResult> {
    if (now >= a.expiresAt) {
      const reason = `expired at ${new Date(a.expiresAt).toISOString()}`;
      await this.final(a, 'expired', reason);
      return { outcome: 'expired', reason };
    }
    this.note(a, 'received');
    this.o.report({ type: 'alert-status', broadcastId: a.broadcastId, status: 'received' });
    const play = { abort: new AbortController(), handedOver: false };
    this.active.set(a.broadcastId, play);
    // It plays now (the player counts its repeats from now): a gateway that reconnects later plays it
    // whole, until it expires. Its reports keep startAt = issuedAt, so the server sees how late it came.
    const item: ManifestItem = { ...a.item!, priority: 'emergency' };
    const file = await this.o.fetch(item.asset);
    // Cancelled during the download: the cancel has reported it.
    if (play.abort.signal.aborted) return { outcome: 'cancelled' };
    if (!file) {
      const reason = this.o.missingReason(item) ?? 'asset not available or failed verification';
      this.ended(a, { result: 'failed', reason, completed: 0, of: 1 });
      return { outcome: 'failed', reason };
    }
    play.handedOver = true;
    // Persisted by the player as the play starts: no fsync before the sink.
    this.o.play(item, {
      file, expiresAt: a.expiresAt, signal: play.abort.signal,
      onStart: (repetition) => {
        if (repetition === 1) this.note(a, 'playing');
        this.o.report({ type: 'alert-status', broadcastId: a.broadcastId, status: 'playing', repetition });
      },
      onEnd: (end) => this.ended(a, end),
    });
    return { outcome: 'accepted' };
  }

  private async cancel(a: Alert): Promise<AlertResult> {
    const seen = this.o.state.alert(a.broadcastId);
    const play = this.active.get(a.broadcastId);
    this.note(a, seen && FINAL.has(seen.status) ? seen.status : 'cancelled');
    if (play) {
      play.abort.abort(new PlayStop('cancelled', 'the emergency broadcast was cancelled'));
      // Handed over, the player reports how far it got; still downloading, it never starts.
      if (!play.handedOver) this.ended(a, { result: 'cancelled', reason: 'cancelled before it started', completed: 0, of: 1 });
    } else if (seen && FINAL.has(seen.status)) {
      // Already over: its final status stands.
      void this.o.state.save().catch(() => {});
      return { outcome: 'unchanged' };
    } else {
      // Never received (or lost to a restart before it started): remembered, so it never plays later.
      await this.final(a, 'cancelled', seen ? 'cancelled before it started' : 'cancelled before it was received');
    }
    return { outcome: 'cancelled' };
  }

  /** A play that was accepted ended, however it ended; reported once. */
  private ended(a: Alert, end: PlayEnd) {
    if (!this.active.delete(a.broadcastId)) return;
    const [status, reason] = alertStatus(end);
    void this.final(a, status, reason);
  }

  /** Remembers a broadcast's status, never lowering the revision a cancel raised. */
  private note(a: Alert, status: AlertStatus) {
    const seen = this.o.state.alert(a.broadcastId);
    this.o.state.noteAlert(a.broadcastId, {
      revision: Math.max(a.revision, seen?.revision ?? 0), status, expiresAt: Math.max(a.expiresAt, seen?.expiresAt ?? 0),
    });
  }

  private async refuse(broadcastId: string, reason: string): Promise<AlertResult> {
    this.o.log('alert refused', { broadcastId, reason });
    await this.o.event({ type: 'alert-status', broadcastId, status: 'rejected', reason: reason.slice(0, 500) });
    return { outcome: 'rejected', reason };
  }

  private async final(a: Alert, status: AlertStatus, reason?: string) {
    this.note(a, status);
    // Stored before it is said: once the server heard it, a restart must not say it again.
    await this.o.state.save().catch(() => {});
    await this.o.event({ type: 'alert-status', broadcastId: a.broadcastId, status, ...(reason ? { reason: reason.slice(0, 500) } : {}) });
  }
}

/** The final alert status a play's end stands for. */
export function alertStatus(end: PlayEnd): [AlertStatus, string | undefined] {
  if (end.expired) return ['expired', end.reason];
  if (end.result === 'completed') return ['played', end.reason];
  if (end.result === 'cancelled') return ['cancelled', `${end.reason ?? 'cancelled'}; ${end.completed} of ${end.of} played`];
  return ['failed', end.reason ?? end.result];
}

/** The broadcast an alert that failed its checks claims to be, to name it in the refusal. */
function claimedBroadcast(raw: Buffer | string): string {
  const env = safeJson(raw) as { payload?: unknown } | undefined;
  const id = typeof env?.payload === 'string' ? (safeJson(env.payload) as { broadcastId?: unknown } | undefined)?.broadcastId : undefined;
  return typeof id === 'string' && id.length > 0 && id.length <= 64 ? id : 'unknown';
}
