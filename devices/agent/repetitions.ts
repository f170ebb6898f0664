import type { ManifestItem } from '../protocol/index.js';
import type { EventBody } from './reporter.js';
import { stopOf, type AudioSink, type PlayResult } from './sinks.js';
import { sleep, type Timers } from './timers.js';

/** What a caller other than the schedule (an alert) asks of one play. */
export interface PlayHooks {
  /** The verified audio, when the caller already has it. */
  file?: string | null;
  /**
   * An alert's expiry (server time): it plays when it arrives however late, its repetitions spaced
   * from then (its reports keep the times it was issued for), and none starts at or after this.
   */
  expiresAt?: number;
  /** Aborting it withdraws the play, waiting or under way; its PlayStop says how it is reported. */
  signal?: AbortSignal;
  onStart?: (repetition: number) => void;
  /** Once, however the play ended or did not start. */
  onEnd?: (end: PlayEnd) => void;
}

/** How a play ended, for whoever asked for it (an alert reports its final status from it). */
export interface PlayEnd {
  /** `completed` when every repetition that started completed. */
  result: PlayResult | 'missed';
  reason?: string;
  /** The play never started because its alert expired first. */
  expired?: true;
  /** Repetitions played to their end, of how many. */
  completed: number;
  of: number;
}

/**
 * Plays an item's repetitions on the sink: repetition i at startAt + shift + i × (duration + gap), by
 * the clock, not by when the last one ended, each reported `played` with its scheduled time. Ends at
 * the abort (its PlayStop says how) or, for an alert, at `expiresAt`: a repetition due then never starts.
 */
export async function playRepetitions(o: {
  item: ManifestItem;
  file: string;
  volume: number;
  timers: Timers;
  sink: AudioSink;
  abort: AbortController;
  /** A held play (or an alert) starts late; its repetitions keep their spacing from that start. */
  shiftMs: number;
  expiresAt?: number;
  onStart?: (repetition: number) => void;
  /** The sink let go of the speaker after an abort: whoever cut in may start. */
  freed: () => void;
  event: (e: EventBody) => Promise<void>;
  /** Work a simulated clock waits for (the reports written once the sink let go). */
  track: <T>(p: Promise<T>) => Promise<T>;
}): Promise<PlayEnd> {
  const { item, timers, abort } = o;
  const signal = abort.signal;
  const of = item.repeat?.times ?? 1;
  const gapMs = (item.repeat?.gapMinutes ?? 0) * 60_000;
  const end: PlayEnd = { result: 'completed', completed: 0, of };
  for (let i = 0; i < of && !signal.aborted; i++) {
    const dueAt = item.startAt + i * (item.asset.durationMs + gapMs);
    if (i > 0 && !(await sleep(timers, Math.max(0, dueAt + o.shiftMs - timers.now()), signal))) break;
    if (o.expiresAt !== undefined && timers.now() >= o.expiresAt) {
      end.reason = `repetitions ${i + 1} to ${of} not started: expired`;
      break;
    }
    o.onStart?.(i + 1);
    const startedAt = timers.now();
    const outcome = await o.sink
      .play({ occurrenceId: item.occurrenceId, programId: item.programId, startAt: dueAt, durationMs: item.asset.durationMs, file: o.file, volume: o.volume }, signal)
      .catch((err) => ({ result: 'failed' as const, reason: String(err) }));
    if (signal.aborted) o.freed();
    const r: { result: PlayResult; reason?: string } = signal.aborted && outcome.result !== 'completed' ? stopOf(signal) : outcome;
    await o.track(o.event({
      type: 'played', occurrenceId: item.occurrenceId, programId: item.programId, startAt: dueAt, startedAt, endedAt: timers.now(),
      result: r.result, ...(r.reason ? { reason: r.reason } : {}),
    }));
    if (r.result === 'completed') end.completed++;
    else Object.assign(end, { result: r.result }, r.reason ? { reason: r.reason } : {});
  }
  // Cut between two repetitions: nothing was playing, and what remained never starts.
  if (signal.aborted && end.result === 'completed') Object.assign(end, stopOf(signal));
  return end;
}
