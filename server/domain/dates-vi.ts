import { zoneOffsetMinutes } from './time.js';

const WEEKDAYS = ['Chủ nhật', 'thứ Hai', 'thứ Ba', 'thứ Tư', 'thứ Năm', 'thứ Sáu', 'thứ Bảy'];
const pad = (n: number) => String(n).padStart(2, '0');

/** A date as Vietnamese write it, in the commune's time zone: `thứ Hai, 07/12/2026`. */
export function vietnameseDate(ms: number, timeZone: string): string {
  const local = new Date(ms + zoneOffsetMinutes(ms, timeZone) * 60_000);
  return `${WEEKDAYS[local.getUTCDay()]}, ${pad(local.getUTCDate())}/${pad(local.getUTCMonth() + 1)}/${local.getUTCFullYear()}`;
}

/** A length as a player shows it: `3:05`, `1:02:09`. */
export function clockDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  const [h, m, sec] = [Math.floor(s / 3600), Math.floor((s % 3600) / 60), s % 60];
  return h ? `${h}:${pad(m)}:${pad(sec)}` : `${m}:${pad(sec)}`;
}
