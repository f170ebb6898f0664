/**
 * How the panel writes dates, times and durations, in Vietnamese: `thứ Hai, 07/12/2026`, `07:00`,
 * `1 phút 25 giây`, `12 phút trước`, and lunar dates (`rằm tháng Giêng`). Pure: the server's views
 * and the browser's islands both import it, so a date is written one way everywhere.
 */
import { solarToLunar, type LunarDate } from '../server/domain/lunar.js';
import { localParts, type LocalDate } from '../server/domain/time.js';

export const WEEKDAY_NAMES = ['Chủ nhật', 'thứ Hai', 'thứ Ba', 'thứ Tư', 'thứ Năm', 'thứ Sáu', 'thứ Bảy'] as const;
export const LUNAR_MONTHS = ['Giêng', 'Hai', 'Ba', 'Tư', 'Năm', 'Sáu', 'Bảy', 'Tám', 'Chín', 'Mười', 'Mười một', 'Chạp'] as const;

const two = (n: number) => String(n).padStart(2, '0');
const weekdayOf = (d: LocalDate) => new Date(Date.UTC(d.year, d.month - 1, d.day)).getUTCDay();

/** `thứ Hai, 07/12/2026` */
export const dayText = (d: LocalDate) => `${WEEKDAY_NAMES[weekdayOf(d)]}, ${two(d.day)}/${two(d.month)}/${d.year}`;
export const formatDate = (ms: number, tz: string) => dayText(localParts(ms, tz));
/** `07:00` */
export const formatTime = (ms: number, tz: string) => {
  const p = localParts(ms, tz);
  return `${two(p.hour)}:${two(p.minute)}`;
};
/** `07:00, thứ Hai, 07/12/2026` */
export const formatDateTime = (ms: number, tz: string) => `${formatTime(ms, tz)}, ${formatDate(ms, tz)}`;

/** `1 giờ 5 phút`, `1 phút 25 giây`, `3 giây` */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} giây`;
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (h) return m ? `${h} giờ ${m} phút` : `${h} giờ`;
  return s % 60 ? `${m} phút ${s % 60} giây` : `${m} phút`;
}

/** The coarse length of a wait: `12 phút`, `3 giờ`, `2 ngày`. */
export function formatSpan(ms: number): string {
  const m = Math.max(0, Math.floor(ms / 60_000));
  if (m < 1) return 'dưới 1 phút';
  if (m < 60) return `${m} phút`;
  if (m < 48 * 60) return `${Math.floor(m / 60)} giờ`;
  return `${Math.floor(m / 1440)} ngày`;
}

/** `vừa xong`, `12 phút trước`, `sau 5 phút` */
export function formatRelative(ms: number, now: number): string {
  const diff = now - ms;
  if (Math.abs(diff) < 45_000) return 'vừa xong';
  return diff > 0 ? `${formatSpan(diff)} trước` : `sau ${formatSpan(-diff)}`;
}

export const lunarDayName = (day: number) => (day === 15 ? 'rằm' : day <= 10 ? `mùng ${day}` : `ngày ${day}`);
export const lunarMonthName = (month: number, leap = false) => `tháng ${LUNAR_MONTHS[month - 1]}${leap ? ' nhuận' : ''}`;
/** `rằm tháng Giêng`, `mùng 1 tháng Chạp nhuận` */
export const lunarText = (l: LunarDate) => `${lunarDayName(l.day)} ${lunarMonthName(l.month, l.leap)}`;
export const lunarOf = (ms: number, tz: string) => solarToLunar(localParts(ms, tz));
/** What a calendar cell shows beside the solar date: `1/2` on the first of a lunar month, else the day. */
export const lunarCell = (d: LocalDate) => {
  const l = solarToLunar(d);
  return l.day === 1 ? `${l.day}/${l.month}${l.leap ? 'N' : ''}` : String(l.day);
};

export const formatPercent = (n: number) => `${Math.round(n)}%`;
export const formatNumber = (n: number) => new Intl.NumberFormat('vi-VN').format(n);
