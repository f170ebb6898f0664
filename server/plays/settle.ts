/**
 * How an expected play is settled, from what its gateway reported and what the server knows of the
 * gateway. Pure: the caller gathers the facts and the time.
 */
export type PlayStatus = 'played' | 'interrupted' | 'cancelled' | 'missed';

export interface PlayReport { result: 'completed' | 'interrupted' | 'failed' | 'missed' | 'cancelled'; reason: string | null; startedAt: number; endedAt: number }
export interface GatewayFacts {
  /** Whether it was online when the play was due, and since when it had been offline if not. */
  onlineAtStart: boolean;
  offlineSince: number | null;
  onlineNow: boolean;
  /** When it last came back online (null: it has not since going offline). */
  backOnlineAt: number | null;
  /** Since when it lagged behind the published manifest (null when in sync). */
  lagSince: number | null;
  diskFreeMb: number | null;
  clockOffsetMs: number | null;
}
export interface Settlement { status: PlayStatus; reason: string | null; playedMs: number; startedAt: number | null }

/** How long an offline gateway is waited for before its silence counts: it plays from its cache and reports when it returns. */
export const OFFLINE_WAIT_MS = 3 * 86400_000;
const DISK_FULL_MB = 50;
const CLOCK_WRONG_MS = 60_000;

const iso = (ms: number) => new Date(ms).toISOString();

/** What the reports say, or null when there are none. */
export function fromReports(reports: PlayReport[], interruptedBy: () => string | null): Settlement | null {
  if (!reports.length) return null;
  const playedMs = reports.reduce((n, r) => n + (r.result === 'missed' || r.result === 'failed' ? 0 : Math.max(0, r.endedAt - r.startedAt)), 0);
  const startedAt = reports.filter((r) => r.result !== 'missed' && r.result !== 'failed').map((r) => r.startedAt).sort((a, b) => a - b)[0] ?? null;
  const first = (result: PlayReport['result']) => reports.find((r) => r.result === result);
  const interrupted = first('interrupted');
  if (interrupted) return { status: 'interrupted', reason: interruptedBy() ?? interrupted.reason, playedMs, startedAt };
  const cancelled = first('cancelled');
  if (cancelled) return { status: 'cancelled', reason: cancelled.reason ?? 'stopped', playedMs, startedAt };
  if (first('completed')) return { status: 'played', reason: null, playedMs, startedAt };
  const missed = first('missed');
  if (missed) return { status: 'missed', reason: missed.reason ?? 'the gateway could not play it', playedMs, startedAt };
  const failed = first('failed')!;
  return { status: 'missed', reason: `agent error: ${failed.reason ?? 'unknown'}`, playedMs, startedAt };
}

/**
 * Without a report: missed, with the reason the system can know — or null to wait, because a gateway
 * that is offline plays from its cache and its reports arrive when it returns.
 */
export function fromSilence(p: { startAt: number; endAt: number }, g: GatewayFacts, now: number, graceMs: number): Settlement | null {
  const missed = (reason: string): Settlement => ({ status: 'missed', reason, playedMs: 0, startedAt: null });
  if (!g.onlineNow && now - p.endAt < OFFLINE_WAIT_MS) return null;
  if (g.onlineNow && g.backOnlineAt !== null && now - g.backOnlineAt < graceMs) return null;
  if (!g.onlineAtStart) return missed(g.offlineSince !== null ? `gateway offline since ${iso(g.offlineSince)}` : 'gateway offline');
  if (g.lagSince !== null && g.lagSince <= p.startAt) return missed(`the gateway had not received the latest schedule (since ${iso(g.lagSince)})`);
  if (g.diskFreeMb !== null && g.diskFreeMb < DISK_FULL_MB) return missed(`disk full (${g.diskFreeMb} MB free)`);
  if (g.clockOffsetMs !== null && Math.abs(g.clockOffsetMs) > CLOCK_WRONG_MS) return missed(`clock wrong by ${Math.round(g.clockOffsetMs / 1000)} s`);
  return missed('no report from the gateway');
}

/** A reason's kind, to group missed plays into one incident per gateway and kind. */
export function reasonKind(reason: string | null): string {
  const r = reason ?? '';
  if (/offline|not running/i.test(r)) return 'offline';
  if (/latest schedule/i.test(r)) return 'not-received';
  if (/asset|verification|download/i.test(r)) return 'asset';
  if (/disk/i.test(r)) return 'disk';
  if (/clock/i.test(r)) return 'clock';
  if (/late|held/i.test(r)) return 'late';
  if (/agent error/i.test(r)) return 'agent';
  return 'unknown';
}
