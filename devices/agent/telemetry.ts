import { statfs } from 'node:fs/promises';
import { topics, type ManifestItem, type Telemetry } from '../protocol/index.js';
import type { ClockOffset } from './clock-offset.js';
import type { Link } from './link.js';
import { at, type Timers } from './timers.js';

/** Each clock measurement is an HTTP round trip, so one per ten minutes at most; a clock drifts little in that time. */
const REMEASURE_MS = 600_000;

/** What telemetry reports beside the disk and the clock. */
export interface Snapshot {
  volume: number;
  manifestVersion: number;
  playing?: { item: ManifestItem; startedAt: number };
}

/** Telemetry on an interval by the injected clock, and at once when something changed (a play, the volume, the link). */
export class TelemetrySender {
  private cancel?: () => void;
  private stopped = false;

  constructor(private readonly o: {
    id: string;
    /** Free space is measured on this disk. */
    cacheDir: string;
    /** The interval, and the age of the clock estimate, run on the gateway's own clock. */
    timers: Timers;
    /** Server time, for `at`; default the timers' clock. */
    now?: () => number;
    everyMs: number;
    link: Pick<Link, 'connected' | 'publish'>;
    clock: Pick<ClockOffset, 'offsetMs' | 'measuredAt' | 'measure'>;
    snapshot: () => Snapshot;
  }) {}

  start() {
    this.stopped = false;
    this.schedule();
  }

  stop() {
    this.stopped = true;
    this.cancel?.();
  }

  async build(): Promise<Telemetry> {
    const fs = await statfs(this.o.cacheDir).catch(() => null);
    const { volume, manifestVersion, playing: p } = this.o.snapshot();
    const offset = this.o.clock.offsetMs;
    return {
      at: (this.o.now ?? this.o.timers.now)(), volume, manifestVersion,
      diskFreeMb: fs ? Math.floor((fs.bavail * fs.bsize) / 1048576) : 0,
      ...(offset !== undefined ? { clockOffsetMs: offset } : {}),
      // Idle telemetry is the gateway's steady data cost: say "nothing playing" by leaving the field out.
      ...(p ? { playing: { occurrenceId: p.item.occurrenceId, programId: p.item.programId, title: p.item.title, startedAt: p.startedAt } } : {}),
    };
  }

  send() {
    if (!this.o.link.connected) return;
    void this.build().then((t) => this.o.link.publish(topics.telemetry(this.o.id), JSON.stringify(t), { qos: 0 }));
  }

  /** The gateway just said online: the server wants its clock offset and state at once. */
  afterOnline() {
    void this.o.clock.measure().finally(() => this.send());
  }

  private schedule() {
    this.cancel = at(this.o.timers, this.o.timers.now() + this.o.everyMs, () => {
      if (this.o.link.connected && this.o.timers.now() - this.o.clock.measuredAt > REMEASURE_MS) this.afterOnline();
      else this.send();
      if (!this.stopped) this.schedule();
    });
  }
}
