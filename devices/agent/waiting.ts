import type { ManifestItem } from '../protocol/index.js';
import type { PlayHooks } from './repetitions.js';

export const PRIORITY_RANK = { normal: 0, priority: 1, emergency: 2 } as const;

/** A play handed to the player and not started yet. */
export interface Entry {
  item: ManifestItem;
  hooks: PlayHooks;
  /** It came due while an emergency played (or while a play held by one did): it follows, within a limit. */
  held?: boolean;
}

/** The plays waiting for the one under way: the highest priority goes first; among equals, the one due first. */
export class Waiting {
  private entries: Entry[] = [];

  push(entry: Entry) {
    this.entries.push(entry);
  }

  /** The next to start, taken out. */
  take(): Entry | undefined {
    if (!this.entries.length) return undefined;
    const best = this.entries.reduce((a, b) => (PRIORITY_RANK[b.item.priority] > PRIORITY_RANK[a.item.priority] ? b : a));
    this.remove(best);
    return best;
  }

  /** Takes one out; false if it was not waiting. */
  remove(entry: Entry): boolean {
    const at = this.entries.indexOf(entry);
    if (at >= 0) this.entries.splice(at, 1);
    return at >= 0;
  }

  /** Takes out those `which` selects. */
  drop(which: (occurrenceId: string) => boolean): Entry[] {
    const dropped = this.entries.filter((e) => which(e.item.occurrenceId));
    this.entries = this.entries.filter((e) => !dropped.includes(e));
    return dropped;
  }

  /** An emergency started: whatever waits now follows it. */
  holdAll() {
    for (const e of this.entries) e.held = true;
  }
}
