import { localParts, localToUtc } from '../domain/time.js';

export type Preset = 'month' | 'quarter' | 'review-year';

/**
 * The usual review periods in the commune's time: this month, this quarter, and the review year of
 * the "Chính quyền thân thiện" model (15 May to 15 May: the latest one that has begun).
 */
export function presetPeriod(preset: Preset, now: number, tz: string): { from: number; to: number } {
  const p = localParts(now, tz);
  const at = (year: number, month: number, day = 1) => {
    const y = year + Math.floor((month - 1) / 12);
    const m = ((month - 1) % 12 + 12) % 12 + 1;
    return localToUtc({ year: y, month: m, day }, 0, 0, tz);
  };
  if (preset === 'month') return { from: at(p.year, p.month), to: at(p.year, p.month + 1) };
  if (preset === 'quarter') {
    const first = Math.floor((p.month - 1) / 3) * 3 + 1;
    return { from: at(p.year, first), to: at(p.year, first + 3) };
  }
  const started = p.month > 5 || (p.month === 5 && p.day >= 15) ? p.year : p.year - 1;
  return { from: at(started, 5, 15), to: at(started + 1, 5, 15) };
}
