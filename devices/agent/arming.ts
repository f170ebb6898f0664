import type { ManifestItem } from '../protocol/index.js';
import type { AssetCache } from './cache.js';
import type { InFlight } from './in-flight.js';
import type { Arm } from './plan.js';
import { at, type Timers } from './timers.js';

/**
 * Turns a plan into timers on the injected clock: fetch the audio, re-check the file just before the
 * start, hand the item to the player when it is due. A new plan cancels what the last one armed.
 */
export class Arming {
  private readonly cancels = new Map<string, () => void>();
  /** occurrenceId → the file check made at prepare time, for the play to pick up. */
  private readonly prepared = new Map<string, Promise<string | null>>();

  constructor(private readonly o: {
    timers: Timers;
    inFlight: InFlight;
    cache: Pick<AssetCache, 'fetch' | 'verifiedFile'>;
    due: (item: ManifestItem) => void;
  }) {}

  arm(arms: readonly Arm[]) {
    this.cancelAll();
    this.cancels.clear();
    const { timers, cache } = this.o;
    for (const { item, fetchAt, prepareAt, dueAt } of arms) {
      const id = item.occurrenceId;
      const cancels: (() => void)[] = [];
      if (fetchAt === 'now') cache.fetch(item.asset).catch(() => {});
      else cancels.push(at(timers, fetchAt, () => void cache.fetch(item.asset)));
      cancels.push(at(timers, prepareAt, () => {
        this.prepared.set(id, this.o.inFlight.track(cache.verifiedFile(item.asset)));
      }));
      cancels.push(at(timers, dueAt, () => this.o.due(item)));
      this.cancels.set(id, () => {
        cancels.forEach((c) => c());
        this.prepared.delete(id);
      });
    }
  }

  /** The file an item plays: the one checked at prepare time, or one checked now. */
  take(item: ManifestItem): Promise<string | null> {
    const file = this.prepared.get(item.occurrenceId) ?? this.o.cache.verifiedFile(item.asset);
    this.prepared.delete(item.occurrenceId);
    return file;
  }

  /** The item reached the player: a new plan no longer cancels it. */
  release(occurrenceId: string) {
    this.cancels.delete(occurrenceId);
  }

  cancelAll() {
    for (const cancel of this.cancels.values()) cancel();
  }
}
