import { createHash } from 'node:crypto';
import type { ManifestItem, Priority } from '../../devices/protocol/index.js';

/** Epoch ms of a time of day on Wednesday 2 September 2026 (National Day) in Vietnam: `at('07:00')`. */
export const at = (time: string) => Date.parse(`2026-09-02T${time}+07:00`);

export const MB = 1048576;

/** A stand-in sha256 per asset name. */
export const sha = (name: string) => createHash('sha256').update(name).digest('hex');

/** A manifest item playing asset `asset` (a name) at `startAt`. */
export function item(id: string, startAt: number, o: { priority?: Priority; durationS?: number; bytes?: number; asset?: string; repeat?: ManifestItem['repeat'] } = {}): ManifestItem {
  const name = o.asset ?? id;
  return {
    occurrenceId: id, programId: `pg_${id}`, title: id, priority: o.priority ?? 'normal', startAt,
    asset: { sha256: sha(name), bytes: o.bytes ?? 1000, durationMs: (o.durationS ?? 60) * 1000, url: `/media/${sha(name)}.opus` },
    ...(o.repeat ? { repeat: o.repeat } : {}),
  };
}
