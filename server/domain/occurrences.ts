import { createHash } from 'node:crypto';
import type { Priority } from '../../devices/protocol/index.js';

/** The rule kinds a schedule can carry. Recurrence, lunar dates and holidays extend this union. */
export type Rule = { type: 'once'; at: string };

export interface ScheduleDef {
  id: string;
  programId: string;
  zoneIds: string[] | 'all';
  rule: Rule;
  priority: Priority;
  volume?: number | null;
}
export interface DeviceRef { id: string; zoneId: string }
export interface ProgramRef { id: string; durationMs: number }
export interface Window { from: number; to: number }

export interface Occurrence {
  occurrenceId: string;
  scheduleId: string;
  programId: string;
  zoneId: string;
  deviceId: string;
  startAt: number;
  endAt: number;
  priority: Priority;
  volume?: number;
}

/** Instants (epoch ms) a rule fires at that start within [from, to). */
export function ruleInstants(rule: Rule, w: Window): number[] {
  switch (rule.type) {
    case 'once': {
      const at = Date.parse(rule.at);
      return at >= w.from && at < w.to ? [at] : [];
    }
  }
}

/** Same schedule, device and instant → same id, so a rebuilt manifest never makes a gateway play twice. */
export const occurrenceId = (scheduleId: string, deviceId: string, startAt: number) =>
  'oc_' + createHash('sha256').update(`${scheduleId}|${deviceId}|${startAt}`).digest('base64url').slice(0, 22);

/**
 * Expands schedules into per-device occurrences in a window, sorted by start then id.
 * `window.from` is compared with the END of a play, so a play already under way is kept.
 */
export function expandOccurrences(schedules: ScheduleDef[], devices: DeviceRef[], programs: Map<string, ProgramRef>, w: Window): Occurrence[] {
  const out: Occurrence[] = [];
  for (const s of schedules) {
    const program = programs.get(s.programId);
    if (!program) continue;
    const targets = s.zoneIds === 'all' ? devices : devices.filter((d) => (s.zoneIds as string[]).includes(d.zoneId));
    if (!targets.length) continue;
    for (const startAt of ruleInstants(s.rule, { from: w.from - program.durationMs, to: w.to })) {
      const endAt = startAt + program.durationMs;
      if (endAt <= w.from) continue;
      for (const d of targets) {
        out.push({
          occurrenceId: occurrenceId(s.id, d.id, startAt), scheduleId: s.id, programId: s.programId, zoneId: d.zoneId,
          deviceId: d.id, startAt, endAt, priority: s.priority, ...(s.volume != null ? { volume: s.volume } : {}),
        });
      }
    }
  }
  return out.sort((a, b) => a.startAt - b.startAt || a.occurrenceId.localeCompare(b.occurrenceId));
}
