import { describe, expect, it } from 'vitest';
import { leapMonthOf, lunarToSolar, solarToLunar } from '../server/domain/lunar.js';

const iso = (d: { day: number; month: number; year: number } | null) =>
  d && `${d.year}-${String(d.month).padStart(2, '0')}-${String(d.day).padStart(2, '0')}`;

// Tết Nguyên Đán (lunar 1/1) as published in Vietnam.
const TET: [number, string][] = [
  [1968, '1968-01-29'], [1985, '1985-01-21'], [1990, '1990-01-27'], [2000, '2000-02-05'], [2007, '2007-02-17'],
  [2015, '2015-02-19'], [2016, '2016-02-08'], [2017, '2017-01-28'], [2018, '2018-02-16'], [2019, '2019-02-05'],
  [2020, '2020-01-25'], [2021, '2021-02-12'], [2022, '2022-02-01'], [2023, '2023-01-22'], [2024, '2024-02-10'],
  [2025, '2025-01-29'], [2026, '2026-02-17'], [2027, '2027-02-06'], [2028, '2028-01-26'], [2029, '2029-02-13'],
  [2030, '2030-02-02'],
];

describe('the Vietnamese lunar calendar (UTC+7)', () => {
  it.each(TET)('puts Tết %i on %s', (year, date) => {
    expect(iso(lunarToSolar({ day: 1, month: 1, year, leap: false }))).toBe(date);
    const [y, m, d] = date.split('-').map(Number);
    expect(solarToLunar({ day: d, month: m, year: y })).toEqual({ day: 1, month: 1, year, leap: false });
  });

  it('differs from the Chinese calendar (UTC+8) where Vietnam and China celebrate Tết on other days', () => {
    expect(iso(lunarToSolar({ day: 1, month: 1, year: 1985, leap: false }, 8))).toBe('1985-02-20');
    expect(iso(lunarToSolar({ day: 1, month: 1, year: 2007, leap: false }, 8))).toBe('2007-02-18');
    expect(iso(lunarToSolar({ day: 1, month: 1, year: 2030, leap: false }, 8))).toBe('2030-02-03');
  });

  it.each([
    [2024, '2024-04-18'], [2025, '2025-04-07'], [2026, '2026-04-26'],
  ])('puts Giỗ Tổ Hùng Vương (10/3) of %i on %s', (year, date) => {
    expect(iso(lunarToSolar({ day: 10, month: 3, year, leap: false }))).toBe(date);
  });

  it('knows the leap months: 6 in 2025, 2 in 2023, 4 in 2020, none in 2024', () => {
    expect(leapMonthOf(2025)).toBe(6);
    expect(leapMonthOf(2023)).toBe(2);
    expect(leapMonthOf(2020)).toBe(4);
    expect(leapMonthOf(2024)).toBe(0);
    const leap6 = lunarToSolar({ day: 1, month: 6, year: 2025, leap: true })!;
    expect(solarToLunar(leap6)).toEqual({ day: 1, month: 6, year: 2025, leap: true });
    expect(lunarToSolar({ day: 1, month: 5, year: 2025, leap: true })).toBeNull();
  });

  it('round-trips every day from 1900 to 2100', () => {
    let jd = Date.UTC(1900, 1, 1);
    const end = Date.UTC(2100, 11, 1);
    for (; jd < end; jd += 86400_000) {
      const d = new Date(jd);
      const solar = { day: d.getUTCDate(), month: d.getUTCMonth() + 1, year: d.getUTCFullYear() };
      const lunar = solarToLunar(solar);
      expect(lunar.day).toBeGreaterThanOrEqual(1);
      expect(lunar.day).toBeLessThanOrEqual(30);
      expect(lunarToSolar(lunar)).toEqual(solar);
    }
  });
});
