import { breather } from '../domain/breathe.js';
import { busiestDay, inQuietHours, overlappingPlays } from '../domain/checks.js';
import { groupBy } from '../domain/group.js';
import { occurrenceOf, schedulePlays, type DeviceRef, type Occurrence, type Play, type ProgramRef, type ScheduleDef } from '../domain/occurrences.js';
import { playsPerDayBound, ruleEnd } from '../domain/rules.js';
import { toZonedIso } from '../domain/time.js';
import { ApiError } from '../http/errors.js';

export interface ZoneInfo { id: string; name: string; quietStart: string; quietEnd: string }

export interface PlanInput {
  candidate: ScheduleDef;
  /** Every other schedule (the one being edited left out). */
  others: ScheduleDef[];
  programs: Map<string, ProgramRef & { title: string }>;
  zones: ZoneInfo[];
  devices: DeviceRef[];
  now: number;
  /** How far ahead quiet hours and conflicts are checked for open-ended rules. */
  checkMs: number;
  /** The manifest horizon, over which a gateway's items are counted. */
  horizonMs: number;
  maxPlaysPerDay: number;
  maxManifestItems: number;
  tz: string;
}

export interface QuietHit { zoneId: string; zoneName: string; window: string; startAt: string; endAt: string }
export interface ConflictView {
  deviceId: string; zoneId: string; zoneName: string; startAt: string; endAt: string;
  scheduleId: string; otherTitle: string; otherStartAt: string; otherEndAt: string; otherPriority: string;
}

const zonesOf = (s: { zoneIds: string[] | 'all' }, all: ZoneInfo[]) => (s.zoneIds === 'all' ? all.map((z) => z.id) : s.zoneIds);

/**
 * What a schedule would do, worked out per schedule and per zone rather than per gateway: every
 * gateway of a hamlet plays the same, so one schedule's plays are expanded once, quiet hours are
 * checked once per hamlet, and conflicts are one sweep per other schedule sharing a hamlet. Dense
 * rules are refused before anything is expanded, and the loop over other schedules yields to the
 * event loop, so /healthz and the gateways are answered while a year of a busy commune is checked.
 */
export async function planSchedule(i: PlanInput) {
  const breathe = breather();
  const { candidate: c, tz } = i;
  const iso = (ms: number) => toZonedIso(ms, tz);
  const bound = playsPerDayBound(c.rule);
  if (bound > i.maxPlaysPerDay) throw tooManyPlays(bound, i.maxPlaysPerDay);
  const to = Math.min(i.now + i.checkMs, ruleEnd(c.rule) + 1);
  const w = { from: i.now, to: Math.max(to, i.now + 1) };
  const plays = schedulePlays(c, i.programs, w, tz);
  const busiest = busiestDay(plays, tz);
  if (busiest && busiest.plays > i.maxPlaysPerDay) throw tooManyPlays(busiest.plays, i.maxPlaysPerDay, busiest.day);

  const zoneById = new Map(i.zones.map((z) => [z.id, z]));
  const targetZones = zonesOf(c, i.zones).flatMap((id) => zoneById.get(id) ?? []);
  const devicesByZone = groupBy(i.devices, (d) => d.zoneId);

  const quietHits: QuietHit[] = [];
  if (c.priority !== 'emergency') {
    for (const z of targetZones) {
      const hit = plays.find((p) => inQuietHours(p.startAt, p.endAt, { start: z.quietStart, end: z.quietEnd }, tz));
      if (hit) quietHits.push({ zoneId: z.id, zoneName: z.name, window: `${z.quietStart}–${z.quietEnd}`, startAt: iso(hit.startAt), endAt: iso(hit.endAt) });
    }
  }

  // Conflicts are between gateways, so only hamlets with gateways can have them.
  const occupied = new Set(targetZones.filter((z) => devicesByZone.has(z.id)).map((z) => z.id));
  const itemsByZone = new Map<string, number>(targetZones.map((z) => [z.id, plays.filter((p) => p.startAt < i.now + i.horizonMs).length]));
  const conflicts: ConflictView[] = [];
  for (const s of i.others) {
    await breathe();
    const shared = zonesOf(s, i.zones).filter((z) => itemsByZone.has(z));
    if (!shared.length) continue;
    const theirs = schedulePlays(s, i.programs, w, tz);
    const inHorizon = theirs.filter((p) => p.startAt < i.now + i.horizonMs).length;
    for (const z of shared) itemsByZone.set(z, itemsByZone.get(z)! + inHorizon);
    const withGateways = shared.filter((z) => occupied.has(z));
    if (conflicts.length >= 50 || !withGateways.length) continue;
    for (const [a, b] of overlappingPlays(plays, theirs, 50 - conflicts.length)) {
      for (const zoneId of withGateways) {
        if (conflicts.length >= 50) break;
        conflicts.push({
          deviceId: devicesByZone.get(zoneId)![0].id, zoneId, zoneName: zoneById.get(zoneId)!.name, startAt: iso(a.startAt), endAt: iso(a.endAt),
          scheduleId: s.id, otherTitle: i.programs.get(b.programId)?.title ?? b.programId, otherStartAt: iso(b.startAt), otherEndAt: iso(b.endAt),
          otherPriority: s.priority,
        });
      }
    }
  }
  await breathe();
  for (const [zoneId, items] of itemsByZone) {
    if (items > i.maxManifestItems) {
      const z = zoneById.get(zoneId)!;
      throw new ApiError(422, 'manifest_too_large',
        `${z.name} would have ${items} broadcasts in the next ${Math.round(i.horizonMs / 86400_000)} days, over the limit of ${i.maxManifestItems} a gateway holds; play less often`,
        { zoneId, zoneName: z.name, items, limit: i.maxManifestItems });
    }
  }

  const targetDevices = targetZones.flatMap((z) => devicesByZone.get(z.id) ?? []);
  return {
    plays,
    quietHits,
    conflicts,
    instants: plays.length,
    occurrenceCount: plays.length * targetDevices.length,
    /** The first `limit` occurrences, in order of start then gateway. */
    occurrences(limit: number): Occurrence[] {
      const out: Occurrence[] = [];
      for (const p of plays) {
        for (const d of targetDevices) {
          if (out.length >= limit) return out;
          out.push(occurrenceOf(c, p, d));
        }
      }
      return out;
    },
  };
}
export type SchedulePlan = Awaited<ReturnType<typeof planSchedule>>;
export type { Play };

export function tooManyPlays(plays: number, limit: number, day?: string) {
  return new ApiError(422, 'too_many_plays',
    `This schedule plays ${plays} times ${day ? `on ${day}` : 'a day'}; at most ${limit} plays a day are allowed for one schedule`,
    { playsPerDay: plays, limit, ...(day ? { day } : {}) });
}
