import type { Manifest } from '../protocol/index.js';
import type { Arming } from './arming.js';
import type { AssetCache } from './cache.js';
import { passed, plan } from './plan.js';
import type { Player } from './player.js';
import type { EventBody } from './reporter.js';
import { PlayStop } from './sinks.js';
import type { AgentState } from './state.js';
import type { Timers } from './timers.js';

/** A new clock estimate this far from the one the plan was armed with re-arms it. */
export const REARM_MS = 50;

/**
 * The plays of the manifest in force: arms them by server time (again when the clock estimate
 * moves), stops a play whose item a newer manifest removed, and reports once, as missed, each item
 * whose time passed before the gateway could play it.
 */
export class Schedule {
  private manifest?: Manifest;
  private armedOffset = 0;
  private sweepDue = false;

  constructor(private readonly o: {
    /** Server time. */
    timers: Timers;
    state: AgentState;
    arming: Pick<Arming, 'arm'>;
    player: Pick<Player, 'playing' | 'withdraw'>;
    cache: Pick<AssetCache, 'prune'>;
    event: (e: EventBody) => Promise<void>;
    budgetBytes: number;
    /** The offset server time follows now. */
    offset: () => number;
    /** Server time can be trusted to say what has passed (the clock was measured, or is trusted as it is). */
    trusted: () => boolean;
    /** When this run of the agent began, by the gateway's own clock. */
    runStartedAt: () => number;
  }) {}

  apply(m: Manifest) {
    const before = this.manifest;
    this.manifest = m;
    if (before) {
      const now = new Set(m.items.map((i) => i.occurrenceId));
      const removed = new Set(before.items.map((i) => i.occurrenceId).filter((id) => !now.has(id)));
      // Its schedule was deleted or changed: what it no longer lists must not go on playing.
      if (removed.size) this.o.player.withdraw((id) => removed.has(id), new PlayStop('cancelled', 'removed from the schedule'));
    }
    this.arm();
  }

  /** The clock was measured again: re-arm if server time moved, and report what passed if that waited for it. */
  clockMeasured() {
    if (this.manifest && (this.sweepDue || Math.abs(this.o.offset() - this.armedOffset) > REARM_MS)) this.arm();
  }

  private arm() {
    const { timers, state } = this.o;
    const m = this.manifest!;
    const now = timers.now();
    this.armedOffset = this.o.offset();
    const { arm, kept } = plan(m.items, state.played, now, this.o.budgetBytes);
    this.o.arming.arm(arm);
    void this.o.cache.prune(kept, (sha256) => this.o.player.playing?.item.asset.sha256 === sha256);
    state.forgetOldPlays(now, new Set(m.items.map((i) => i.occurrenceId)));
    // Before the clock is measured, a fast clock would call "passed" what is still to come.
    this.sweepDue = !this.o.trusted();
    if (!this.sweepDue) this.reportPassed(now);
  }

  private reportPassed(now: number) {
    const { state } = this.o;
    const gone = passed(this.manifest!.items, state.played, now);
    if (!gone.length) return;
    for (const i of gone) state.markPlayed(i.occurrenceId, i.startAt);
    void state.save().catch(() => {});
    const runStartedAt = this.o.runStartedAt() + this.o.offset();
    for (const i of gone) {
      const reason = i.startAt + i.asset.durationMs <= runStartedAt ? 'gateway was not running at the time' : 'the schedule reached the gateway after its time';
      void this.o.event({ type: 'played', occurrenceId: i.occurrenceId, programId: i.programId, startAt: i.startAt, startedAt: now, endedAt: now, result: 'missed', reason });
    }
  }
}
