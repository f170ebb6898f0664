import { breather } from '../domain/breathe.js';
import type { AssetRef } from '../domain/manifest.js';
import { schedulePlays, type DeviceRef, type Play, type ProgramRef, type ScheduleDef, type Window } from '../domain/occurrences.js';
import { zoneItems, zoneTemplate, type ZoneTemplate } from '../domain/zone-manifest.js';

export interface ZonePlanInput {
  zoneIds: Iterable<string>;
  schedules: ScheduleDef[];
  refs: Map<string, ProgramRef>;
  assets: Map<string, AssetRef>;
  quietHours: Map<string, { start: string; end: string }>;
  window: Window;
  tz: string;
  maxItems: number;
  /** Told of a hamlet whose items were cut to maxItems. */
  onCut?: (zoneId: string, items: number) => void;
}

/**
 * Every gateway of a hamlet plays the same: the manifest is planned once per hamlet (each schedule's
 * plays once per rebuild, whatever the number of hamlets it targets) and each device's derived from it.
 */
export async function planZones(i: ZonePlanInput): Promise<Map<string, ZoneTemplate>> {
  // A full rebuild plans every hamlet: the event loop gets a turn every few milliseconds meanwhile.
  const breathe = breather();
  const plays = new Map<string, Play[]>();
  const playsOf = (s: ScheduleDef) => {
    let p = plays.get(s.id);
    if (!p) plays.set(s.id, (p = schedulePlays(s, i.refs, i.window, i.tz)));
    return p;
  };
  // Each schedule's plays first, one schedule per turn at most: the first hamlet would otherwise expand
  // every schedule for "all" hamlets in one go (tens of milliseconds for lunar and holiday rules).
  for (const s of i.schedules) {
    await breathe();
    playsOf(s);
  }
  const out = new Map<string, ZoneTemplate>();
  for (const zoneId of i.zoneIds) {
    await breathe();
    const targeting = i.schedules.filter((s) => s.zoneIds === 'all' || s.zoneIds.includes(zoneId));
    const all = zoneItems(targeting, playsOf, i.assets);
    if (all.length > i.maxItems) i.onCut?.(zoneId, all.length);
    out.set(zoneId, zoneTemplate(all.length > i.maxItems ? all.slice(0, i.maxItems) : all, i.quietHours.get(zoneId)));
  }
  return out;
}

/** The hamlets of some devices, each once. */
export const zonesOf = (devices: DeviceRef[]) => new Set(devices.map((d) => d.zoneId));
