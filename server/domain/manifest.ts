import { createHash } from 'node:crypto';
import type { Manifest, ManifestItem } from '../../devices/protocol/index.js';
import type { Occurrence } from './occurrences.js';

export interface AssetRef { title: string; sha256: string; bytes: number; durationMs: number; url: string }

/** Turns one device's occurrences into manifest items (sorted as the occurrences are). */
export function manifestItems(occurrences: Occurrence[], assets: Map<string, AssetRef>): ManifestItem[] {
  return occurrences.flatMap((o) => {
    const a = assets.get(o.programId);
    if (!a) return [];
    const item: ManifestItem = {
      occurrenceId: o.occurrenceId, programId: o.programId, title: a.title, priority: o.priority, startAt: o.startAt,
      asset: { sha256: a.sha256, bytes: a.bytes, durationMs: a.durationMs, url: a.url },
    };
    if (o.volume !== undefined) item.volume = o.volume;
    if (o.repeat) item.repeat = o.repeat;
    return [item];
  });
}

export const itemsHash = (items: ManifestItem[], quietHours?: Manifest['quietHours']) =>
  createHash('sha256').update(JSON.stringify({ items, quietHours })).digest('hex');

/**
 * Decides whether a device needs a new manifest: only when its items (or quiet hours) changed.
 * The version is monotonic per device; the agent refuses anything not newer than what it holds.
 */
export function nextManifest(
  previous: { version: number; itemsHash: string } | undefined,
  input: { deviceId: string; items: ManifestItem[]; quietHours?: Manifest['quietHours']; now: number; horizonMs: number },
): { manifest: Manifest; itemsHash: string } | null {
  const hash = itemsHash(input.items, input.quietHours);
  if (previous && previous.itemsHash === hash) return null;
  return {
    itemsHash: hash,
    manifest: {
      deviceId: input.deviceId,
      version: (previous?.version ?? 0) + 1,
      issuedAt: input.now,
      validUntil: input.now + input.horizonMs,
      items: input.items,
      ...(input.quietHours ? { quietHours: input.quietHours } : {}),
    },
  };
}
