/**
 * CAP 1.2 §3.3.2: "2002-05-24T16:49:00-07:00"; the offset is required, "Z" and other letters are
 * not allowed (UTC is written -00:00), and the schema's pattern has no fractional seconds.
 */
const CAP_DATETIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})([+-])(\d{2}):(\d{2})$/;

/** Epoch milliseconds, or a sentence saying what is wrong with the value. */
export function parseCapTime(text: string): { ok: true; at: number } | { ok: false; reason: string } {
  const m = CAP_DATETIME.exec(text);
  if (!m) {
    if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/i.test(text)) {
      return { ok: false, reason: 'uses "Z"; CAP 1.2 §3.3.2 requires a numeric offset (UTC is written -00:00)' };
    }
    if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d+/.test(text)) {
      return { ok: false, reason: 'has fractional seconds, which the CAP 1.2 dateTime pattern does not allow' };
    }
    if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/.test(text)) {
      return { ok: false, reason: 'has no offset from UTC; CAP 1.2 §3.3.2 requires one, e.g. +07:00' };
    }
    return { ok: false, reason: 'is not a CAP dateTime such as 2026-10-10T08:00:00+07:00' };
  }
  const [y, mo, d, h, mi, s, oh, om] = [m[1], m[2], m[3], m[4], m[5], m[6], m[8], m[9]].map(Number);
  const sign = m[7];
  if (y < 1900) return { ok: false, reason: 'is before 1900' };
  const daysInMonth = new Date(Date.UTC(y, mo, 0)).getUTCDate();
  if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth) return { ok: false, reason: 'is not a date of the calendar' };
  if (h > 23 || mi > 59 || s > 59) return { ok: false, reason: 'is not a time of day' };
  if (oh > 14 || om > 59 || (oh === 14 && om > 0)) return { ok: false, reason: 'has an offset beyond ±14:00' };
  const offsetMs = (sign === '-' ? -1 : 1) * (oh * 60 + om) * 60_000;
  return { ok: true, at: Date.UTC(y, mo - 1, d, h, mi, s) - offsetMs };
}
