/**
 * The Vietnamese lunar calendar (âm lịch), after Hồ Ngọc Đức's algorithm: astronomical new moons
 * (Meeus, "Astronomical Algorithms") and solar terms computed at UTC+7, the meridian Vietnam has used
 * since 1968. At UTC+8 the same method gives the Chinese calendar, which is how the two differ in
 * some years (Tết 1985: 21 January in Vietnam, 20 February in China; Tết 2007: 17 vs 18 February).
 * Valid for 1900–2100. Pure: no clock, no I/O.
 */
export const VIETNAM_TZ_HOURS = 7;

export interface LunarDate { day: number; month: number; year: number; leap: boolean }
export interface SolarDate { day: number; month: number; year: number }

const floor = Math.floor;
const DR = Math.PI / 180;
const SYNODIC = 29.530588853;
const K0 = 2415021.076998695;

/** Julian day number of a proleptic Gregorian (after 1582: Gregorian) date. */
export function jdFromDate(dd: number, mm: number, yy: number): number {
  const a = floor((14 - mm) / 12);
  const y = yy + 4800 - a;
  const m = mm + 12 * a - 3;
  let jd = dd + floor((153 * m + 2) / 5) + 365 * y + floor(y / 4) - floor(y / 100) + floor(y / 400) - 32045;
  if (jd < 2299161) jd = dd + floor((153 * m + 2) / 5) + 365 * y + floor(y / 4) - 32083;
  return jd;
}

export function jdToDate(jd: number): SolarDate {
  let b: number;
  let c: number;
  if (jd > 2299160) {
    const a = jd + 32044;
    b = floor((4 * a + 3) / 146097);
    c = a - floor((b * 146097) / 4);
  } else {
    b = 0;
    c = jd + 32082;
  }
  const d = floor((4 * c + 3) / 1461);
  const e = c - floor((1461 * d) / 4);
  const m = floor((5 * e + 2) / 153);
  return { day: e - floor((153 * m + 2) / 5) + 1, month: m + 3 - 12 * floor(m / 10), year: b * 100 + d - 4800 + floor(m / 10) };
}

/** Julian date (TT corrected to UT) of the k-th new moon after 1900-01-01 (Meeus ch. 49, abridged). */
function newMoon(k: number): number {
  const T = k / 1236.85;
  const T2 = T * T;
  const T3 = T2 * T;
  let jd1 = 2415020.75933 + 29.53058868 * k + 0.0001178 * T2 - 0.000000155 * T3;
  jd1 += 0.00033 * Math.sin((166.56 + 132.87 * T - 0.009173 * T2) * DR);
  const M = 359.2242 + 29.10535608 * k - 0.0000333 * T2 - 0.00000347 * T3;
  const Mpr = 306.0253 + 385.81691806 * k + 0.0107306 * T2 + 0.00001236 * T3;
  const F = 21.2964 + 390.67050646 * k - 0.0016528 * T2 - 0.00000239 * T3;
  let c1 = (0.1734 - 0.000393 * T) * Math.sin(M * DR) + 0.0021 * Math.sin(2 * DR * M);
  c1 = c1 - 0.4068 * Math.sin(Mpr * DR) + 0.0161 * Math.sin(DR * 2 * Mpr);
  c1 -= 0.0004 * Math.sin(DR * 3 * Mpr);
  c1 = c1 + 0.0104 * Math.sin(DR * 2 * F) - 0.0051 * Math.sin(DR * (M + Mpr));
  c1 = c1 - 0.0074 * Math.sin(DR * (M - Mpr)) + 0.0004 * Math.sin(DR * (2 * F + M));
  c1 = c1 - 0.0004 * Math.sin(DR * (2 * F - M)) - 0.0006 * Math.sin(DR * (2 * F + Mpr));
  c1 = c1 + 0.001 * Math.sin(DR * (2 * F - Mpr)) + 0.0005 * Math.sin(DR * (2 * Mpr + M));
  const deltaT = T < -11
    ? 0.001 + 0.000839 * T + 0.0002261 * T2 - 0.00000845 * T3 - 0.000000081 * T * T3
    : -0.000278 + 0.000265 * T + 0.000262 * T2;
  return jd1 + c1 - deltaT;
}

/** Apparent solar longitude in radians [0, 2π) at Julian date `jdn` (Meeus ch. 25, low precision). */
function sunLongitude(jdn: number): number {
  const T = (jdn - 2451545.0) / 36525;
  const T2 = T * T;
  const M = 357.5291 + 35999.0503 * T - 0.0001559 * T2 - 0.00000048 * T * T2;
  const L0 = 280.46645 + 36000.76983 * T + 0.0003032 * T2;
  let DL = (1.9146 - 0.004817 * T - 0.000014 * T2) * Math.sin(DR * M);
  DL += (0.019993 - 0.000101 * T) * Math.sin(DR * 2 * M) + 0.00029 * Math.sin(DR * 3 * M);
  let L = (L0 + DL) * DR;
  L -= Math.PI * 2 * floor(L / (Math.PI * 2));
  return L;
}

/** Which of the 12 major solar-term sectors (0–11) the sun is in at the start of local day `dayNumber`. */
const sunSector = (dayNumber: number, tz: number) => floor((sunLongitude(dayNumber - 0.5 - tz / 24) / Math.PI) * 6);
/** Julian day number of the local day holding the k-th new moon. */
const newMoonDay = (k: number, tz: number) => floor(newMoon(k) + 0.5 + tz / 24);

/** Start of lunar month 11 (the month holding the winter solstice) of solar year `yy`. */
function lunarMonth11(yy: number, tz: number): number {
  const off = jdFromDate(31, 12, yy) - 2415021;
  const k = floor(off / SYNODIC);
  const nm = newMoonDay(k, tz);
  return sunSector(nm, tz) >= 9 ? newMoonDay(k - 1, tz) : nm;
}

/** Index (after month 11) of the leap month: the first month with no major solar term. */
function leapMonthOffset(a11: number, tz: number): number {
  const k = floor((a11 - K0) / SYNODIC + 0.5);
  let last: number;
  let i = 1;
  let arc = sunSector(newMoonDay(k + i, tz), tz);
  do {
    last = arc;
    i++;
    arc = sunSector(newMoonDay(k + i, tz), tz);
  } while (arc !== last && i < 14);
  return i - 1;
}

export function solarToLunar({ day, month, year }: SolarDate, tz = VIETNAM_TZ_HOURS): LunarDate {
  const dayNumber = jdFromDate(day, month, year);
  // The mean-lunation estimate can be off by one near perigee (e.g. 2054-05-07): step back until
  // the new moon is on or before the day.
  let k = floor((dayNumber - K0) / SYNODIC) + 1;
  let monthStart = newMoonDay(k, tz);
  while (monthStart > dayNumber) monthStart = newMoonDay(--k, tz);
  let a11 = lunarMonth11(year, tz);
  let b11 = a11;
  let lunarYear: number;
  if (a11 >= monthStart) {
    lunarYear = year;
    a11 = lunarMonth11(year - 1, tz);
  } else {
    lunarYear = year + 1;
    b11 = lunarMonth11(year + 1, tz);
  }
  const lunarDay = dayNumber - monthStart + 1;
  const diff = floor((monthStart - a11) / 29);
  let leap = false;
  let lunarMonth = diff + 11;
  if (b11 - a11 > 365) {
    const leapDiff = leapMonthOffset(a11, tz);
    if (diff >= leapDiff) {
      lunarMonth = diff + 10;
      if (diff === leapDiff) leap = true;
    }
  }
  if (lunarMonth > 12) lunarMonth -= 12;
  if (lunarMonth >= 11 && diff < 4) lunarYear -= 1;
  return { day: lunarDay, month: lunarMonth, year: lunarYear, leap };
}

/** The solar date of a lunar date, or null when it does not exist (a leap month that year lacks, day 30 of a 29-day month). */
export function lunarToSolar({ day, month, year, leap }: LunarDate, tz = VIETNAM_TZ_HOURS): SolarDate | null {
  let a11: number;
  let b11: number;
  if (month < 11) {
    a11 = lunarMonth11(year - 1, tz);
    b11 = lunarMonth11(year, tz);
  } else {
    a11 = lunarMonth11(year, tz);
    b11 = lunarMonth11(year + 1, tz);
  }
  const k = floor(0.5 + (a11 - K0) / SYNODIC);
  let off = month - 11;
  if (off < 0) off += 12;
  if (b11 - a11 > 365) {
    const leapOff = leapMonthOffset(a11, tz);
    let leapMonth = leapOff - 2;
    if (leapMonth < 0) leapMonth += 12;
    if (leap && month !== leapMonth) return null;
    if (leap || off >= leapOff) off += 1;
  } else if (leap) {
    return null;
  }
  const monthStart = newMoonDay(k + off, tz);
  const nextStart = newMoonDay(k + off + 1, tz);
  if (day < 1 || monthStart + day - 1 >= nextStart) return null;
  return jdToDate(monthStart + day - 1);
}

/** The leap month of lunar year `year` (1–12), or 0 when the year has none. */
export function leapMonthOf(year: number, tz = VIETNAM_TZ_HOURS): number {
  const a11 = lunarMonth11(year - 1, tz);
  const b11 = lunarMonth11(year, tz);
  if (b11 - a11 <= 365) return 0;
  const m = leapMonthOffset(a11, tz) - 2;
  return m < 0 ? m + 12 : m;
}
