import type { ManifestItem } from '../protocol/index.js';
import type { InFlight } from './in-flight.js';
import { playRepetitions, type PlayEnd, type PlayHooks } from './repetitions.js';
import type { EventBody } from './reporter.js';
import { PlayStop, stopOf, type AudioSink } from './sinks.js';
import { missedReason } from './start-rule.js';
import type { AgentState } from './state.js';
import type { Timers } from './timers.js';
import { PRIORITY_RANK, Waiting, type Entry } from './waiting.js';

export type { PlayEnd, PlayHooks } from './repetitions.js';

export interface Playing {
  item: ManifestItem;
  /** Server time. */
  startedAt: number;
  abort: AbortController;
  done: Promise<void>;
}

interface Current extends Playing { freed: Promise<void>; held: boolean }

/**
 * Starts what is due, one start at a time: pre-emption by priority, a queue for what must wait (held
 * by an emergency, or behind an equal priority), repetitions, and a `played` report for every
 * repetition, missed play and cut. Its clock reads server time.
 */
export class Player {
  private current?: Current;
  private readonly waiting = new Waiting();
  /** Occurrences handed over and not started yet (in the start queue or waiting): a second hand-over of one is ignored. */
  private readonly queued = new Map<string, Entry>();
  private startChain: Promise<unknown> = Promise.resolve();
  private stopped = false;

  constructor(private readonly o: {
    timers: Timers;
    sink: AudioSink;
    inFlight: InFlight;
    state: AgentState;
    /** A play that could not start within this many ms of its startAt is logged as missed. */
    lateToleranceMs: number;
    /** A play held by an emergency longer than this is logged as missed. Default 30 minutes. */
    maxHoldMs?: number;
    /** The verified file to play, or null when it cannot be had. */
    file: (item: ManifestItem) => Promise<string | null>;
    /** Why an item's audio cannot be had, when known. */
    missingReason?: (item: ManifestItem) => string | undefined;
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
  interrupt(reason?: string) {
    this.current?.abort.abort(new PlayStop('interrupted', reason));
  }

  /** The `stop` command: ends the play under way and drops what waited for it. */
  silence() {
    const reason = 'stopped by a stop command';
    this.drop(() => true, { result: 'interrupted', reason, completed: 0, of: 1 });
    this.interrupt(reason);
  }

  /** Withdraws the plays `which` selects: cut with `stop` if under way, dropped if not started yet. */
  withdraw(which: (occurrenceId: string) => boolean, stop: PlayStop) {
    this.drop(which, { ...stop.end, completed: 0, of: 1 });
    if (this.current && which(this.current.item.occurrenceId)) this.current.abort.abort(stop);
  }

  /** Takes out the plays not started yet that `which` selects, waiting or in the start queue. */
  private drop(which: (occurrenceId: string) => boolean, end: PlayEnd) {
    this.waiting.drop(which);
    for (const [id, entry] of [...this.queued]) {
      if (!which(id)) continue;
      this.queued.delete(id);
      this.ended(entry, end);
    }
  }

  /**
   * An item is due. Starts go through one queue, each finishing only once its play has begun, so a
   * pre-emption never races another start: whoever comes next sees the right `playing`.
   */
  due(item: ManifestItem, hooks: PlayHooks = {}): Promise<void> {
    const id = item.occurrenceId;
    if (this.queued.has(id) || this.current?.item.occurrenceId === id) return Promise.resolve();
    const entry = { item, hooks };
    this.queued.set(id, entry);
    hooks.signal?.addEventListener('abort', () => this.cancelWaiting(entry), { once: true });
    return this.enqueue(entry);
  }

  private enqueue(entry: Entry): Promise<void> {
    const run = () => this.tryStart(entry);
    const next = this.startChain.then(run, run);
    this.startChain = next;
    return this.o.inFlight.track(next);
  }

  private async tryStart(entry: Entry) {
    const { item, hooks } = entry;
    this.o.release(item.occurrenceId);
    // Dropped while it waited its turn: that was reported then.
    if (this.queued.get(item.occurrenceId) !== entry) return;
    if (this.stopped || this.o.state.hasPlayed(item.occurrenceId) || hooks.signal?.aborted) {
      this.queued.delete(item.occurrenceId);
      const why = hooks.signal?.aborted ? stopOf(hooks.signal) : { result: 'missed' as const, reason: this.stopped ? 'agent stopped' : 'already played' };
      this.ended(entry, { ...why, completed: 0, of: 1 });
      if (!this.current) this.next();
      return;
    }
    const current = this.current;
    if (current) {
      // Circular 39/2020: a higher priority pre-empts; equal or lower never cuts a play that has started.
      if (PRIORITY_RANK[item.priority] <= PRIORITY_RANK[current.item.priority]) {
        entry.held ||= current.item.priority === 'emergency' || current.held;
        this.waiting.push(entry);
        return;
      }
      current.abort.abort(new PlayStop('interrupted'));
      // Only until the sink let go: the cut play's reports are written while this one plays.
      await current.freed;
    }
    await new Promise<void>((started) => void this.play(entry, started));
  }

  /** Plays an item to its end (or until cut); `started` is called once the play has begun or been logged as missed. */
  private async play(entry: Entry, started: () => void) {
    const { item, hooks } = entry;
    const { timers, state } = this.o;
    const file = hooks.file !== undefined ? hooks.file : await this.o.inFlight.track(this.o.file(item));
    const now = timers.now();
    this.queued.delete(item.occurrenceId);
    state.markPlayed(item.occurrenceId, item.startAt);
    // Persisted while the play starts rather than before: the fsync must not delay the start.
    const saving = state.save();
    const held = !!entry.held;
    const missed = missedReason(item, {
      now, file, missingReason: this.o.missingReason?.(item), lateToleranceMs: this.o.lateToleranceMs,
      held, maxHoldMs: this.o.maxHoldMs ?? 30 * 60_000, expiresAt: hooks.expiresAt,
    });
    if (missed || !file) {
      await saving.catch(() => {});
      await this.o.event({ type: 'played', occurrenceId: item.occurrenceId, programId: item.programId, startAt: item.startAt, startedAt: now, endedAt: now, result: 'missed', reason: missed!.reason });
      started();
      this.ended(entry, { result: 'missed', ...missed!, completed: 0, of: item.repeat?.times ?? 1 });
      if (!this.current) this.next();
      return;
    }
    const abort = new AbortController();
    const cancel = () => abort.abort(hooks.signal!.reason);
    if (hooks.signal?.aborted) cancel();
    else hooks.signal?.addEventListener('abort', cancel, { once: true });
    let free!: () => void;
    let finish!: () => void;
    const me: Current = { item, startedAt: now, abort, held, freed: new Promise<void>((r) => (free = r)), done: new Promise<void>((r) => (finish = r)) };
    this.current = me;
    // Once cut, what is left (the sink letting go, the reports) is work a simulated clock waits for.
    abort.signal.addEventListener('abort', () => void this.o.inFlight.track(me.done), { once: true });
    if (item.priority === 'emergency') this.waiting.holdAll();
    started();
    this.o.changed();
    const end = await playRepetitions({
      item, file, volume: item.volume ?? state.volume, timers, sink: this.o.sink, abort, shiftMs: held || hooks.expiresAt !== undefined ? now - item.startAt : 0,
      expiresAt: hooks.expiresAt, onStart: hooks.onStart, freed: free, event: this.o.event, track: (p) => this.o.inFlight.track(p),
    });
    free();
    await this.o.inFlight.track(saving.catch(() => {}));
    const wasCurrent = this.current === me;
    if (wasCurrent) this.current = undefined;
    this.o.changed();
    finish();
    this.ended(entry, end);
    // A play that was cut leaves the queue to the one that cut in, which starts the next when it ends.
    if (wasCurrent) this.next();
  }

  /** An alert withdrawn while it waited: it leaves the queue at once. */
  private cancelWaiting(entry: Entry) {
    if (!this.waiting.remove(entry)) return;
    this.queued.delete(entry.item.occurrenceId);
    this.ended(entry, { ...stopOf(entry.hooks.signal!), completed: 0, of: entry.item.repeat?.times ?? 1 });
  }

  private ended(entry: Entry, end: PlayEnd) {
    entry.hooks.onEnd?.(end);
  }

  private next() {
    const entry = this.waiting.take();
    if (entry) void this.enqueue(entry);
  }
}
