import { createHash } from 'node:crypto';
import type { Priority } from '../../devices/protocol/index.js';
import { groupBy } from './group.js';
import { onHoliday, ruleInstants, type Rule, type Window } from './rules.js';

export type { Rule, Window } from './rules.js';

export interface Repeat { times: number; gapMinutes: number }

export interface ScheduleDef {
  id: string;
  /** One program, or an ordered series rotated one per occurrence. */
  programIds: string[];
  zoneIds: string[] | 'all';
  rule: Rule;
  priority: Priority;
  volume?: number | null;
  repeat?: Repeat | null;
  /** No occurrence starts at or after this instant. */
  validUntil?: number | null;
  skipHolidays?: boolean;
  /** Series position: the occurrence at or after `seriesAnchor` plays programIds[seriesOffset]. */
  seriesOffset?: number;
  seriesAnchor?: number;
}
export interface DeviceRef { id: string; zoneId: string }
export interface ProgramRef { id: string; durationMs: number }

export interface Occurrence {
  occurrenceId: string;
  scheduleId: string;
  programId: string;
  zoneId: string;
  deviceId: string;
  startAt: number;
  /** End of the last repetition. */
  endAt: number;
  priority: Priority;
  volume?: number;
  repeat?: Repeat;
}

/**
 * Same schedule, instant and device → same id, so a rebuilt manifest never makes a gateway play twice.
 * The id is the play's part (schedule and instant: the same for every gateway of a hamlet) followed
 * by the device's part, so a hamlet's manifest is planned once and each gateway's derived from it.
 */
export const occurrenceBase = (scheduleId: string, startAt: number) =>
  createHash('sha256').update(`${scheduleId}|${startAt}`).digest('base64url').slice(0, 16);

const tags = new Map<string, string>();
/** Six characters that tell one gateway's occurrences from another's (remembered per device id). */
export function deviceTag(deviceId: string): string {
  let tag = tags.get(deviceId);
  if (!tag) {
    tag = createHash('sha256').update(deviceId).digest('base64url').slice(0, 6);
    if (tags.size > 100_000) tags.clear();
    tags.set(deviceId, tag);
  }
  return tag;
}

export const occurrenceId = (scheduleId: string, deviceId: string, startAt: number) =>
  `oc_${occurrenceBase(scheduleId, startAt)}${deviceTag(deviceId)}`;

/** How long an occurrence holds its gateway: every repetition and the gaps between them. */
export const spanMs = (durationMs: number, repeat?: Repeat | null) =>
  repeat ? durationMs * repeat.times + repeat.gapMinutes * 60_000 * (repeat.times - 1) : durationMs;

/** The instants a schedule actually plays at: its rule, less holidays if asked, before validUntil. */
export function scheduleInstants(s: ScheduleDef, w: Window, tz: string): number[] {
  const to = s.validUntil != null ? Math.min(w.to, s.validUntil) : w.to;
  const all = ruleInstants(s.rule, { from: w.from, to }, tz);
  return s.skipHolidays ? all.filter((t) => !onHoliday(t, tz)) : all;
}

/** Which program of a series plays at the n-th instant counted from the schedule's anchor. */
function seriesPicker(s: ScheduleDef, firstInstant: number, tz: string) {
  if (s.programIds.length === 1) return () => s.programIds[0];
  // The service always sets an anchor; without one, an RRULE counts from its DTSTART.
  const anchor = s.seriesAnchor ?? (s.rule.type === 'rrule' ? Date.parse(s.rule.dtstart) : firstInstant);
  let n = firstInstant > anchor ? scheduleInstants(s, { from: anchor, to: firstInstant }, tz).length : 0;
  const offset = s.seriesOffset ?? 0;
  return () => s.programIds[(offset + n++) % s.programIds.length];
}

/** One play of a schedule: when it starts, when its last repetition ends, and which program. */
export interface Play { startAt: number; endAt: number; programId: string }

/**
 * A schedule's plays in a window, the same for every gateway it targets: its instants, the series
 * resolved, each with its span. `window.from` is compared with the END of a play, so a play already
 * under way is kept.
 */
export function schedulePlays(s: ScheduleDef, programs: Map<string, ProgramRef>, w: Window, tz: string): Play[] {
  const longest = Math.max(0, ...s.programIds.map((id) => spanMs(programs.get(id)?.durationMs ?? 0, s.repeat)));
  const instants = scheduleInstants(s, { from: w.from - longest, to: w.to }, tz);
  if (!instants.length) return [];
  const pick = seriesPicker(s, instants[0], tz);
  const out: Play[] = [];
  for (const startAt of instants) {
    const program = programs.get(pick());
    if (!program) continue;
    const endAt = startAt + spanMs(program.durationMs, s.repeat);
    if (endAt > w.from) out.push({ startAt, endAt, programId: program.id });
  }
  return out;
}

/** The occurrence of a play on one gateway. */
export function occurrenceOf(s: ScheduleDef, p: Play, d: DeviceRef): Occurrence {
  return {
    occurrenceId: occurrenceId(s.id, d.id, p.startAt), scheduleId: s.id, programId: p.programId, zoneId: d.zoneId,
    deviceId: d.id, startAt: p.startAt, endAt: p.endAt, priority: s.priority,
    ...(s.volume != null ? { volume: s.volume } : {}),
    ...(s.repeat && s.repeat.times > 1 ? { repeat: s.repeat } : {}),
  };
}

/** Expands schedules into per-device occurrences in a window, sorted by start then id. */
export function expandOccurrences(
  schedules: ScheduleDef[], devices: DeviceRef[], programs: Map<string, ProgramRef>, w: Window, tz = 'Asia/Ho_Chi_Minh',
): Occurrence[] {
  const out: Occurrence[] = [];
  const byZone = groupBy(devices, (d) => d.zoneId);
  for (const s of schedules) {
    const targets = s.zoneIds === 'all' ? devices : s.zoneIds.flatMap((z) => byZone.get(z) ?? []);
    if (!targets.length) continue;
    for (const p of schedulePlays(s, programs, w, tz)) for (const d of targets) out.push(occurrenceOf(s, p, d));
  }
  return out.sort((a, b) => a.startAt - b.startAt || a.occurrenceId.localeCompare(b.occurrenceId));
}
