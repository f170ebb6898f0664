/** Offset of `timeZone` from UTC at instant `ms`, in minutes (Asia/Ho_Chi_Minh: +420). */
const formatters = new Map<string, Intl.DateTimeFormat>();
// Building an Intl.DateTimeFormat costs far more than using one: keep one per zone.
const formatter = (timeZone: string) => {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
    });
    formatters.set(timeZone, f);
  }
  return f;
};

function exactOffsetMinutes(ms: number, timeZone: string): number {
  const parts = formatter(timeZone).formatToParts(new Date(ms));
  const get = (t: string) => Number(parts.find((p) => p.type === t)?.value);
  const asUtc = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  return Math.round((asUtc - Math.floor(ms / 1000) * 1000) / 60_000);
}

const BUCKET_MS = 86400_000;
const offsets = new Map<string, Map<number, number | null>>();

/**
 * Offset of `timeZone` from UTC at instant `ms`, in minutes (Asia/Ho_Chi_Minh: +420). Asking Intl
 * costs microseconds and a year of a busy commune's schedules asks half a million times, so the offset
 * is remembered per UTC day: when both ends of a day agree, the whole of it has that
 * offset (zones change offset at most a few times a year); otherwise the exact answer is computed.
 */
export function zoneOffsetMinutes(ms: number, timeZone: string): number {
  let cache = offsets.get(timeZone);
  if (!cache) offsets.set(timeZone, (cache = new Map()));
  const bucket = Math.floor(ms / BUCKET_MS);
  let known = cache.get(bucket);
  if (known === undefined) {
    const start = exactOffsetMinutes(bucket * BUCKET_MS, timeZone);
    known = start === exactOffsetMinutes((bucket + 1) * BUCKET_MS - 1, timeZone) ? start : null;
    if (cache.size > 200_000) cache.clear();
    cache.set(bucket, known);
  }
  return known ?? exactOffsetMinutes(ms, timeZone);
}

/** ISO 8601 with the commune's offset, as the HTTP API speaks: `2026-12-31T20:00:00+07:00`. */
export function toZonedIso(ms: number, timeZone: string): string {
  const off = zoneOffsetMinutes(ms, timeZone);
  const local = new Date(ms + off * 60_000).toISOString().slice(0, 19);
  const sign = off >= 0 ? '+' : '-';
  const abs = Math.abs(off);
  return `${local}${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

/** Accepts only ISO 8601 with an explicit offset or Z, so an instant is never guessed. */
export const ISO_WITH_OFFSET = /^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:\d\d)$/;

const ISO_PARTS = /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d)(?::(\d\d)(?:\.\d+)?)?(Z|([+-])(\d\d):(\d\d))$/;

/**
 * The instant an ISO 8601 time with an offset names, or null when it names none: `2027-02-31` and
 * `+99:99` are refused (Date.parse would roll the first into March and is lenient about others).
 */
export function strictInstant(text: string): number | null {
  const m = ISO_PARTS.exec(text);
  if (!m) return null;
  const [year, month, day, hour, minute] = m.slice(1, 6).map(Number);
  const second = Number(m[6] ?? 0);
  if (month < 1 || month > 12 || day < 1 || day > new Date(Date.UTC(year, month, 0)).getUTCDate()) return null;
  if (hour > 23 || minute > 59 || second > 59) return null;
  if (m[7] !== 'Z' && (Number(m[9]) > 14 || Number(m[10]) > 59 || (Number(m[9]) === 14 && Number(m[10]) > 0))) return null;
  const ms = Date.parse(text);
  return Number.isFinite(ms) ? ms : null;
}

export interface LocalDate { year: number; month: number; day: number }

/** Wall-clock fields of instant `ms` in `timeZone`. */
export function localParts(ms: number, timeZone: string): LocalDate & { hour: number; minute: number; second: number } {
  const shifted = new Date(ms + zoneOffsetMinutes(ms, timeZone) * 60_000);
  return {
    year: shifted.getUTCFullYear(), month: shifted.getUTCMonth() + 1, day: shifted.getUTCDate(),
    hour: shifted.getUTCHours(), minute: shifted.getUTCMinutes(), second: shifted.getUTCSeconds(),
  };
}

/** The instant a wall-clock time in `timeZone` denotes (two refinements settle DST edges). */
export function localToUtc(d: LocalDate, hour: number, minute: number, timeZone: string, second = 0): number {
  const naive = Date.UTC(d.year, d.month - 1, d.day, hour, minute, second);
  let ms = naive - zoneOffsetMinutes(naive, timeZone) * 60_000;
  ms = naive - zoneOffsetMinutes(ms, timeZone) * 60_000;
  return ms;
}

/** Minutes since local midnight of an "HH:MM" string. */
export const minutesOf = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/** Each local date from the one holding `from` to the one holding `to`, inclusive. */
export function* localDates(from: number, to: number, timeZone: string): Generator<LocalDate> {
  const first = localParts(from, timeZone);
  const last = localParts(to, timeZone);
  const end = Date.UTC(last.year, last.month - 1, last.day);
  for (let t = Date.UTC(first.year, first.month - 1, first.day); t <= end; t += 86400_000) {
    const d = new Date(t);
    yield { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
  }
}

export const dateKey = (d: LocalDate) => `${d.year}-${String(d.month).padStart(2, '0')}-${String(d.day).padStart(2, '0')}`;
