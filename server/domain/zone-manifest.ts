import { createHash } from 'node:crypto';
import type { Manifest, ManifestItem } from '../../devices/protocol/index.js';
import type { AssetRef } from './manifest.js';
import { deviceTag, occurrenceBase, type Play, type ScheduleDef } from './occurrences.js';

/** A manifest item without its device: what every gateway of a hamlet plays. */
export interface ZoneItem { base: string; item: Omit<ManifestItem, 'occurrenceId'> }

/**
 * A hamlet's items once: each schedule's plays (computed once per rebuild, whatever the number of
 * hamlets it targets) turned into items, sorted by start then id, cut to `maxItems` (the soonest).
 */
export function zoneItems(schedules: ScheduleDef[], playsOf: (s: ScheduleDef) => Play[], assets: Map<string, AssetRef>, maxItems = Infinity): ZoneItem[] {
  const out: ZoneItem[] = [];
  for (const s of schedules) {
    for (const p of playsOf(s)) {
      const a = assets.get(p.programId);
      if (!a) continue;
      const item: ZoneItem['item'] = {
        programId: p.programId, title: a.title, priority: s.priority, startAt: p.startAt,
        asset: { sha256: a.sha256, bytes: a.bytes, durationMs: a.durationMs, url: a.url },
      };
      if (s.volume != null) item.volume = s.volume;
      if (s.repeat && s.repeat.times > 1) item.repeat = s.repeat;
      out.push({ base: occurrenceBase(s.id, p.startAt), item });
    }
  }
  out.sort((a, b) => a.item.startAt - b.item.startAt || (a.base < b.base ? -1 : a.base > b.base ? 1 : 0));
  return out.length > maxItems ? out.slice(0, maxItems) : out;
}

/** A hamlet's items as JSON text cut around each device's part of the occurrence ids, and their hash. */
export interface ZoneTemplate {
  /** sha256 of what every gateway of the hamlet is given (items and quiet hours). */
  hash: string;
  /** Joined with a device's tag, these make the device's `items` array (without the brackets). */
  segments: string[];
  quietHours?: Manifest['quietHours'];
  count: number;
}

/**
 * The hamlet's items serialised once. Each item is `{"occurrenceId":"oc_<base><tag>",…}`: the text is
 * split where the tag goes, so a device's items are `segments.join(tag)` — no per-device objects,
 * no per-device JSON.stringify, and byte for byte what JSON.stringify would write.
 */
export function zoneTemplate(items: ZoneItem[], quietHours?: Manifest['quietHours']): ZoneTemplate {
  const segments: string[] = [];
  let open = '';
  for (const z of items) {
    // `{"occurrenceId":"oc_<base>` + tag + `","programId":…}`: the item's own JSON after its first brace.
    segments.push(`${open}{"occurrenceId":"oc_${z.base}`);
    open = `",${JSON.stringify(z.item).slice(1)},`;
  }
  if (items.length) segments.push(open.slice(0, -1));
  const hash = createHash('sha256');
  for (const part of segments) hash.update(part).update('\0');
  hash.update(JSON.stringify(quietHours ?? null));
  return { hash: hash.digest('hex'), segments, quietHours, count: items.length };
}

/** Whether a device needs a new manifest: its items are its hamlet's, so their hash is the hamlet's and the device's. */
export const deviceItemsHash = (t: ZoneTemplate, deviceId: string) => createHash('sha256').update(`${t.hash}|${deviceId}`).digest('hex');

/** One device's manifest as the exact JSON text that is signed. */
export function devicePayload(t: ZoneTemplate, m: { deviceId: string; version: number; issuedAt: number; validUntil: number }): string {
  const items = t.count ? t.segments.join(deviceTag(m.deviceId)) : '';
  const quiet = t.quietHours ? `,"quietHours":${JSON.stringify(t.quietHours)}` : '';
  return `{"deviceId":${JSON.stringify(m.deviceId)},"version":${m.version},"issuedAt":${m.issuedAt},"validUntil":${m.validUntil},"items":[${items}]${quiet}}`;
}

/**
 * The version a device's next manifest gets, or null when it needs none: only when its items (or
 * quiet hours) changed, or when it holds a version we never published (`floor`: a restored backup).
 * Monotonic per device; the agent refuses anything not newer than what it holds.
 */
export function nextVersion(previous: { version: number; itemsHash: string } | undefined, hash: string, floor?: number): number | null {
  if (floor === undefined && previous?.itemsHash === hash) return null;
  return Math.max(previous?.version ?? 0, floor ?? 0) + 1;
}
