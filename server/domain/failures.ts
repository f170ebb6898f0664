/**
 * Failed attempts per key within a sliding window, in a map that cannot grow without bound: at most
 * `maxKeys` keys are kept, the least recently failed forgotten first, and keys are capped in length so
 * a megabyte-long user name costs what a short one does. Pure: the time is a parameter.
 */
export function failureTracker({ windowMs, maxKeys = 10_000, maxKeyLength = 200 }: { windowMs: number; maxKeys?: number; maxKeyLength?: number }) {
  // A Map keeps insertion order: deleting and re-inserting a key makes it the newest.
  const failures = new Map<string, number[]>();
  const norm = (key: string) => (key.length > maxKeyLength ? key.slice(0, maxKeyLength) : key);
  const recent = (key: string, now: number) => {
    const k = norm(key);
    const list = failures.get(k);
    if (!list) return [];
    const kept = list.filter((t) => t > now - windowMs);
    if (kept.length) failures.set(k, kept);
    else failures.delete(k);
    return kept;
  };
  return {
    /** Failures of `key` within the window ending at `now`. */
    count: (key: string, now: number) => recent(key, now).length,
    /** Records one failure now; returns how many there are within the window, this one included. */
    add(key: string, now: number): number {
      const k = norm(key);
      const list = [...recent(k, now), now];
      failures.delete(k);
      failures.set(k, list);
      while (failures.size > maxKeys) failures.delete(failures.keys().next().value!);
      return list.length;
    },
    /** Takes back one failure (an attempt reserved as failed turned out right). */
    remove(key: string, at: number) {
      const k = norm(key);
      const list = failures.get(k);
      if (!list) return;
      const i = list.lastIndexOf(at);
      if (i >= 0) list.splice(i, 1);
      if (!list.length) failures.delete(k);
    },
    clear: (key: string) => void failures.delete(norm(key)),
    get size() {
      return failures.size;
    },
  };
}
export type FailureTracker = ReturnType<typeof failureTracker>;
