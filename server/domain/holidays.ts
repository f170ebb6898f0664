import { solarToLunar } from './lunar.js';
import type { LocalDate } from './time.js';

/**
 * Vietnam's public holidays (Labour Code 2019, art. 112) as broadcast targets and exceptions.
 * Solar: New Year 1/1, Reunification 30/4, Labour Day 1/5, National Day 2/9.
 * Lunar: Tết (the first three days of the lunar year) and Giỗ Tổ Hùng Vương (10/3).
 */
export const HOLIDAYS = ['new-year', 'tet', 'hung-kings', 'reunification', 'labour', 'national'] as const;
export type HolidayId = (typeof HOLIDAYS)[number];

export const HOLIDAY_NAMES: Record<HolidayId, string> = {
  'new-year': 'Tết Dương lịch',
  tet: 'Tết Nguyên Đán',
  'hung-kings': 'Giỗ Tổ Hùng Vương',
  reunification: 'Ngày Giải phóng miền Nam, thống nhất đất nước',
  labour: 'Ngày Quốc tế Lao động',
  national: 'Quốc khánh',
};

const SOLAR: Record<string, HolidayId> = { '1-1': 'new-year', '4-30': 'reunification', '5-1': 'labour', '9-2': 'national' };

/** The holidays falling on a local (Vietnamese) date; usually none. */
export function holidaysOn(d: LocalDate): HolidayId[] {
  const out: HolidayId[] = [];
  const solar = SOLAR[`${d.month}-${d.day}`];
  if (solar) out.push(solar);
  const lunar = solarToLunar(d);
  if (!lunar.leap && lunar.month === 1 && lunar.day <= 3) out.push('tet');
  if (!lunar.leap && lunar.month === 3 && lunar.day === 10) out.push('hung-kings');
  return out;
}
