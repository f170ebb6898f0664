import { readFile } from 'node:fs/promises';
import type { AlertStatus } from '../protocol/index.js';
import { writeFileAtomic } from './files.js';

/** What the agent remembers of an emergency broadcast: the highest revision seen and how it went. */
export interface AlertRecord {
  revision: number;
  /** `received` or `playing` until it ends; then its final status. */
  status: AlertStatus;
  expiresAt: number;
}

interface Persisted {
  session: number;
  /** Highest command seq accepted: a replayed or reordered command is refused. */
  lastCommandSeq?: number;
  volume?: number;
  /** occurrenceId → startAt of everything already started, so nothing plays twice (even after a restart). */
  played: Record<string, number>;
  /** broadcastId → its record, so a retained alert delivered again is not played again. */
  alerts?: Record<string, AlertRecord>;
}

/** No play lasts two days, so an occurrence older than that can never be due again and need not be remembered. */
const PLAYED_KEPT_MS = 2 * 86400_000;
/**
 * A broadcast is remembered this long after it expired: a retained alert the server has not cleared
 * yet is then still recognised; an older one is ignored without a word (see alerts.ts).
 */
export const ALERT_KEPT_MS = 3 * 86400_000;

/**
 * What the agent must remember across a restart, in `state.json`. Changes are made in memory and
 * written with `save()`, whose writes are queued: an older snapshot can never land after a newer one.
 */
export class AgentState {
  private data: Persisted = { session: 0, played: {} };
  private chain: Promise<unknown> = Promise.resolve();

  constructor(private readonly file: string, private readonly defaultVolume: number) {}

  /** Reads what the last process left and counts this one as a new session. */
  async open() {
    this.data = await readFile(this.file, 'utf8').then(JSON.parse, () => ({ session: 0, played: {} }));
    this.data.session += 1;
    await this.save();
  }

  /** Tells the server one run of the agent from the next, so a late will of an older run is ignored. */
  get session() {
    return this.data.session;
  }

  get lastCommandSeq() {
    return this.data.lastCommandSeq ?? 0;
  }
  set lastCommandSeq(seq: number) {
    this.data.lastCommandSeq = seq;
  }

  /** Set by command; until then the configured volume. */
  get volume() {
    return this.data.volume ?? this.defaultVolume;
  }
  set volume(volume: number) {
    this.data.volume = volume;
  }

  get played(): Readonly<Record<string, number>> {
    return this.data.played;
  }
  hasPlayed(occurrenceId: string) {
    return this.data.played[occurrenceId] !== undefined;
  }
  markPlayed(occurrenceId: string, startAt: number) {
    this.data.played[occurrenceId] = startAt;
  }
  /** Forgets plays over two days old, except those `keep` names (still in the manifest: a missed one must not be reported twice). */
  forgetOldPlays(now: number, keep?: ReadonlySet<string>) {
    const horizon = now - PLAYED_KEPT_MS;
    for (const [id, startAt] of Object.entries(this.data.played)) if (startAt < horizon && !keep?.has(id)) delete this.data.played[id];
  }

  alert(broadcastId: string): AlertRecord | undefined {
    return this.data.alerts?.[broadcastId];
  }
  noteAlert(broadcastId: string, record: AlertRecord) {
    (this.data.alerts ??= {})[broadcastId] = record;
  }
  forgetOldAlerts(now: number) {
    for (const [id, a] of Object.entries(this.data.alerts ?? {})) if (a.expiresAt < now - ALERT_KEPT_MS) delete this.data.alerts![id];
  }

  save(): Promise<void> {
    const next = this.chain.then(() => writeFileAtomic(this.file, JSON.stringify(this.data)));
    this.chain = next.catch(() => {});
    return next;
  }
}
