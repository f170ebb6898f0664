import type { ManifestItem } from '../protocol/index.js';

/** The cached file is re-verified this long before startAt, so hashing never delays the start. */
export const PREPARE_MS = 500;
/** An asset left out of the cache by the disk budget is fetched this long before it plays. */
export const JUST_IN_TIME_MS = 15 * 60_000;

/** The three moments armed for one item. */
export interface Arm {
  item: ManifestItem;
  /** `'now'` for an asset the budget keeps cached; otherwise the just-in-time fetch. */
  fetchAt: number | 'now';
  prepareAt: number;
  dueAt: number;
}

export interface Plan {
  arm: Arm[];
  /** sha256 of the assets the cache keeps; any other cached file may be pruned. */
  kept: Set<string>;
}

/**
 * What a manifest asks of the gateway at `now`: every item neither played nor over. One that began
 * before `now` and has not ended (the agent restarted during it) is still armed; the player then
 * decides whether it is too late.
 */
export function plan(items: readonly ManifestItem[], played: Readonly<Record<string, number>>, now: number, budgetBytes: number): Plan {
  const upcoming = items.filter((i) => played[i.occurrenceId] === undefined && i.startAt + i.asset.durationMs > now);
  const kept = withinBudget(upcoming, budgetBytes);
  const arm = upcoming.map((item): Arm => ({
    item,
    fetchAt: kept.has(item.asset.sha256) ? 'now' : item.startAt - JUST_IN_TIME_MS,
    prepareAt: item.startAt - PREPARE_MS,
    dueAt: item.startAt,
  }));
  return { arm, kept };
}

/**
 * The items of a manifest that are over at `now` and never started: the gateway was not running at
 * their time, or the manifest came too late. Each is reported missed once (then remembered as played).
 */
export function passed(items: readonly ManifestItem[], played: Readonly<Record<string, number>>, now: number): ManifestItem[] {
  return items.filter((i) => played[i.occurrenceId] === undefined && i.startAt + i.asset.durationMs <= now);
}

/** The assets to keep cached: those needed soonest, while they fit in the budget (an asset counts once). */
export function withinBudget(items: readonly ManifestItem[], budgetBytes: number): Set<string> {
  const kept = new Set<string>();
  let used = 0;
  for (const i of [...items].sort((a, b) => a.startAt - b.startAt)) {
    if (kept.has(i.asset.sha256)) continue;
    // A later, smaller asset may still fit where a large one did not.
    if (used + i.asset.bytes > budgetBytes) continue;
    used += i.asset.bytes;
    kept.add(i.asset.sha256);
  }
  return kept;
}
