import type { Occurrence } from '../domain/occurrences.js';

/** RFC 5545 §3.3.11 TEXT escaping. */
const text = (s: string) => s.replace(/\\/g, '\\\\').replace(/;/g, '\\;').replace(/,/g, '\\,').replace(/\r?\n/g, '\\n');
/** RFC 5545 §3.3.5 UTC form: 20261231T130000Z. */
const utc = (ms: number) => new Date(ms).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');

/** RFC 5545 §3.1: lines longer than 75 octets are folded with CRLF + space, never inside a UTF-8 sequence. */
function fold(line: string): string {
  const out: string[] = [];
  let cur = '';
  let bytes = 0;
  for (const ch of line) {
    const n = Buffer.byteLength(ch);
    if (bytes + n > (out.length ? 74 : 75)) {
      out.push(cur);
      cur = '';
      bytes = 0;
    }
    cur += ch;
    bytes += n;
  }
  out.push(cur);
  return out.join('\r\n ');
}

/**
 * One VEVENT per schedule instant in the zone (the zone's gateways play it together), as an
 * iCalendar a phone or a desktop calendar can subscribe to.
 */
export function zoneCalendar(zone: { id: string; name: string }, occurrences: Occurrence[], titles: Map<string, string>, now: number): string {
  const seen = new Set<string>();
  const lines = ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//Loa Lang//Lich phat//VI', 'CALSCALE:GREGORIAN', `X-WR-CALNAME:${text(`Lịch phát ${zone.name}`)}`];
  for (const o of occurrences) {
    const key = `${o.scheduleId}|${o.startAt}`;
    if (seen.has(key)) continue;
    seen.add(key);
    lines.push(
      'BEGIN:VEVENT',
      `UID:${o.scheduleId}-${o.startAt}@${zone.id}.loalang`,
      `DTSTAMP:${utc(now)}`,
      `DTSTART:${utc(o.startAt)}`,
      `DTEND:${utc(o.endAt)}`,
      `SUMMARY:${text(titles.get(o.programId) ?? o.programId)}`,
      `CATEGORIES:${o.priority.toUpperCase()}`,
      `DESCRIPTION:${text(`Chương trình ${o.programId}, lịch ${o.scheduleId}, mức ưu tiên ${o.priority}`)}`,
      'END:VEVENT',
    );
  }
  lines.push('END:VCALENDAR');
  return lines.map(fold).join('\r\n') + '\r\n';
}
