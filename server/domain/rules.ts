import * as rrulePkg from 'rrule';
import { holidaysOn, type HolidayId } from './holidays.js';
import { solarToLunar } from './lunar.js';
import { localDates, localParts, localToUtc, minutesOf, type LocalDate } from './time.js';

// rrule ships CommonJS (Node) and ESM (bundlers) builds; take RRule from whichever loaded.
const RRule = ((rrulePkg as unknown as { RRule?: typeof rrulePkg.RRule }).RRule ??
  (rrulePkg as unknown as { default: typeof rrulePkg }).default.RRule) as typeof rrulePkg.RRule;

/** The rule kinds a schedule can carry (see docs/architecture.md, "Schedule rules"). */
export type Rule =
  | { type: 'once'; at: string }
  | { type: 'rrule'; dtstart: string; rrule: string; exdates?: string[] }
  | { type: 'lunar'; month?: number; day: number; time: string; leap?: boolean; exdates?: string[] }
  | { type: 'holidays'; holidays: 'all' | HolidayId[]; time: string; exdates?: string[] };

export interface Window { from: number; to: number }

export class RuleError extends Error {}

const atTime = (d: LocalDate, hhmm: string, tz: string) => localToUtc(d, Math.floor(minutesOf(hhmm) / 60), minutesOf(hhmm) % 60, tz);

/** rrule.js works in "floating" time: local wall-clock fields carried in a UTC Date. */
const toFloating = (ms: number, tz: string) => {
  const p = localParts(ms, tz);
  return new Date(Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second));
};
const fromFloating = (d: Date, tz: string) =>
  localToUtc({ year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() }, d.getUTCHours(), d.getUTCMinutes(), tz, d.getUTCSeconds());

/** Parses an RFC 5545 RRULE value (with or without the `RRULE:` prefix); DTSTART comes from the rule object. */
export function parseRrule(text: string) {
  const body = text.trim().replace(/^RRULE:/i, '');
  if (/DTSTART|\n/i.test(body)) throw new RuleError('Give DTSTART as rule.dtstart, not inside the RRULE');
  let options;
  try {
    options = RRule.parseString(body);
  } catch (err) {
    throw new RuleError(`RRULE is not valid RFC 5545: ${(err as Error).message}`);
  }
  if (options.freq === undefined) throw new RuleError('RRULE needs FREQ (e.g. FREQ=WEEKLY;BYDAY=MO)');
  if (options.freq > RRule.DAILY) throw new RuleError('RRULE FREQ finer than DAILY is not allowed for broadcasts');
  return options;
}

const rruleCache = new Map<string, InstanceType<typeof RRule>>();

const DAY_MS = 86400_000;

/**
 * The most plays a rule can make in one local day: BYHOUR × BYMINUTE × BYSECOND for an RRULE (each
 * absent part counts 1), 1 for the others. Known before anything is expanded, so a rule asking for
 * 840 plays a day is refused without costing the server anything.
 */
export function playsPerDayBound(rule: Rule): number {
  if (rule.type !== 'rrule') return 1;
  const o = parseRrule(rule.rrule);
  const n = (v: number | number[] | null | undefined) => (v == null ? 1 : Array.isArray(v) ? v.length : 1);
  return n(o.byhour) * n(o.byminute) * n(o.bysecond);
}

/**
 * A DTSTART far in the past costs nothing: without COUNT, a daily or weekly rule repeats every
 * INTERVAL days or weeks from DTSTART, so moving DTSTART forward by whole periods (in wall-clock
 * time) to just before the window gives the same instants. (With COUNT the rule counts from DTSTART,
 * and COUNT itself bounds the work.)
 */
function shiftedStart(o: ReturnType<typeof parseRrule>, dtstart: Date, from: Date): Date {
  if (o.count != null || (o.freq !== RRule.DAILY && o.freq !== RRule.WEEKLY)) return dtstart;
  const period = (o.interval ?? 1) * (o.freq === RRule.WEEKLY ? 7 : 1) * DAY_MS;
  const periods = Math.floor((from.getTime() - dtstart.getTime()) / period) - 1;
  return periods > 0 ? new Date(dtstart.getTime() + periods * period) : dtstart;
}

/**
 * Instants (epoch ms, sorted) at which a rule fires within [from, to), for a commune in `tz`.
 * RRULE recurrences are expanded in the commune's wall-clock time (RFC 5545 §3.3.10 with a
 * DTSTART bound to a time zone), so "07:00 every Monday" stays 07:00 across any DST.
 */
export function ruleInstants(rule: Rule, w: Window, tz: string): number[] {
  if (w.to <= w.from) return [];
  // EXDATE (RFC 5545 §3.8.5.1): lunar and holiday rules skip single plays the same way RRULEs do.
  if ((rule.type === 'lunar' || rule.type === 'holidays') && rule.exdates?.length) {
    const ex = new Set(rule.exdates.map((e) => Date.parse(e)));
    return ruleInstants({ ...rule, exdates: undefined }, w, tz).filter((t) => !ex.has(t));
  }
  switch (rule.type) {
    case 'once': {
      const at = Date.parse(rule.at);
      return at >= w.from && at < w.to ? [at] : [];
    }
    case 'rrule': {
      // Floating bounds widened by a day: the zone offset moves wall-clock against UTC.
      const after = new Date(toFloating(w.from, tz).getTime() - DAY_MS);
      const options = parseRrule(rule.rrule);
      const dtstart = shiftedStart(options, toFloating(Date.parse(rule.dtstart), tz), after);
      const key = `${tz}|${dtstart.getTime()}|${rule.rrule}`;
      let rr = rruleCache.get(key);
      if (!rr) {
        rr = new RRule({ ...options, dtstart });
        if (rruleCache.size > 5000) rruleCache.clear();
        rruleCache.set(key, rr);
      }
      const ex = new Set((rule.exdates ?? []).map((e) => Date.parse(e)));
      const found = rr.between(after, new Date(toFloating(w.to, tz).getTime() + DAY_MS), true);
      return found.map((d) => fromFloating(d, tz)).filter((t) => t >= w.from && t < w.to && !ex.has(t));
    }
    case 'lunar': {
      const out: number[] = [];
      for (const d of localDates(w.from, w.to, tz)) {
        const l = solarToLunar(d);
        if (l.day !== rule.day) continue;
        if (rule.month !== undefined && (l.month !== rule.month || l.leap !== (rule.leap ?? false))) continue;
        if (rule.month === undefined && rule.leap && !l.leap) continue;
        const t = atTime(d, rule.time, tz);
        if (t >= w.from && t < w.to) out.push(t);
      }
      return out;
    }
    case 'holidays': {
      const want = rule.holidays === 'all' ? null : new Set(rule.holidays);
      const out: number[] = [];
      for (const d of localDates(w.from, w.to, tz)) {
        if (!holidaysOn(d).some((h) => !want || want.has(h))) continue;
        const t = atTime(d, rule.time, tz);
        if (t >= w.from && t < w.to) out.push(t);
      }
      return out;
    }
  }
}

/** True when the instant falls on a public holiday in the commune (for "skip holidays"). */
export const onHoliday = (ms: number, tz: string) => holidaysOn(localParts(ms, tz)).length > 0;

/** The last instant a rule can fire, or Infinity (used to bound checks of open-ended rules). */
export function ruleEnd(rule: Rule): number {
  if (rule.type === 'once') return Date.parse(rule.at);
  if (rule.type === 'rrule') {
    const o = parseRrule(rule.rrule);
    if (o.until) return o.until.getTime() + 14 * 3600_000;
  }
  return Infinity;
}
