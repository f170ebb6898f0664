import type { ManifestItem } from '../protocol/index.js';
import type { InFlight } from './in-flight.js';
import type { EventBody } from './reporter.js';
import type { AudioSink } from './sinks.js';
import type { AgentState } from './state.js';
import { sleep, type Timers } from './timers.js';

const PRIORITY_RANK = { normal: 0, priority: 1, emergency: 2 } as const;

export interface Playing {
  item: ManifestItem;
  startedAt: number;
  abort: AbortController;
  done: Promise<void>;
}

/**
 * Starts what is due, one start at a time: pre-emption by priority, a queue for what must wait,
 * repetitions by the clock, and a `played` event for every repetition, missed play and cut.
 */
export class Player {
  private current?: Playing;
  private waiting: ManifestItem[] = [];
  private startChain: Promise<unknown> = Promise.resolve();
  private stopped = false;

  constructor(private readonly o: {
    timers: Timers;
    sink: AudioSink;
    inFlight: InFlight;
    state: AgentState;
    /** A play that could not start within this many ms of its startAt is logged as missed. */
    lateToleranceMs: number;
    /** The verified file to play, or null when it cannot be had. */
    file: (item: ManifestItem) => Promise<string | null>;
    /** The item reached the start queue. */
    release: (occurrenceId: string) => void;
    event: (e: EventBody) => Promise<void>;
    /** A play began or ended. */
    changed: () => void;
  }) {}

  get playing(): Playing | undefined {
    return this.current;
  }

  start() {
    this.stopped = false;
  }

  /** Starts nothing more. */
  stop() {
    this.stopped = true;
  }

  /** Ends the play under way, if any; it is reported interrupted. */
  interrupt() {
    this.current?.abort.abort();
  }

  /** The `stop` command: ends the play under way and drops what waited for it. */
  silence() {
    this.waiting = [];
    this.interrupt();
  }

  /**
   * An item is due. Starts go through one queue, each finishing only once its play has begun, so a
   * pre-emption never races another start: whoever comes next sees the right `playing`.
   */
  due(item: ManifestItem): Promise<void> {
    const run = () => this.tryStart(item);
    const next = this.startChain.then(run, run);
    this.startChain = next;
    return this.o.inFlight.track(next);
  }

  private async tryStart(item: ManifestItem) {
    this.o.release(item.occurrenceId);
    if (this.stopped || this.o.state.hasPlayed(item.occurrenceId)) return;
    const current = this.current;
    if (current) {
      // Circular 39/2020: a higher priority pre-empts; equal or lower never cuts a play that has started.
      if (PRIORITY_RANK[item.priority] > PRIORITY_RANK[current.item.priority]) {
        current.abort.abort();
        await current.done;
      } else {
        this.waiting.push(item);
        return;
      }
    }
    await new Promise<void>((started) => void this.play(item, started));
  }

  /** Plays an item to its end (or until cut); `started` is called once the play has begun or been logged as missed. */
  private async play(item: ManifestItem, started: () => void) {
    const { timers, state } = this.o;
    const file = await this.o.inFlight.track(this.o.file(item));
    const now = timers.now();
    state.markPlayed(item.occurrenceId, item.startAt);
    // Persisted while the play starts rather than before: the fsync must not delay the start.
    const saving = state.save();
    const base = { type: 'played' as const, occurrenceId: item.occurrenceId, programId: item.programId };
    if (!file || now - item.startAt > this.o.lateToleranceMs) {
      await saving;
      const reason = !file ? 'asset not available or failed verification' : `started ${now - item.startAt} ms late`;
      await this.o.event({ ...base, startAt: item.startAt, startedAt: now, endedAt: now, result: 'missed', reason });
      started();
      return this.next();
    }
    const abort = new AbortController();
    let finish!: () => void;
    const done = new Promise<void>((r) => (finish = r));
    this.current = { item, startedAt: now, abort, done };
    started();
    this.o.changed();
    const times = item.repeat?.times ?? 1;
    const gapMs = (item.repeat?.gapMinutes ?? 0) * 60_000;
    for (let i = 0; i < times && !abort.signal.aborted; i++) {
      // Repetition i is due at startAt + i × (duration + gap), by the clock, not by when the last one ended.
      const dueAt = item.startAt + i * (item.asset.durationMs + gapMs);
      if (i > 0 && !(await sleep(timers, Math.max(0, dueAt - timers.now()), abort.signal))) break;
      const startedAt = timers.now();
      const outcome = await this.o.sink
        .play({ occurrenceId: item.occurrenceId, programId: item.programId, startAt: dueAt, durationMs: item.asset.durationMs, file, volume: item.volume ?? state.volume }, abort.signal)
        .catch((err) => ({ result: 'failed' as const, reason: String(err) }));
      await this.o.event({
        ...base, startAt: dueAt, startedAt, endedAt: timers.now(), result: outcome.result,
        ...('reason' in outcome && outcome.reason ? { reason: outcome.reason } : {}),
      });
    }
    await saving;
    this.current = undefined;
    this.o.changed();
    finish();
    this.next();
  }

  private next() {
    const item = this.waiting.shift();
    if (item) void this.due(item);
  }
}
