/**
 * The schedule form as a person fills it in ("every Monday at 07:00", "the 15th of every lunar month")
 * and the API's rules (RRULE text, lunar, holidays), both ways, and a rule said back in Vietnamese.
 * Pure: the schedule pages use it, and its tests need no server.
 */
import { HOLIDAY_NAMES, HOLIDAYS, type HolidayId } from '../server/domain/holidays.js';
import type { Rule } from '../server/domain/rules.js';
import { localParts, localToUtc, toZonedIso } from '../server/domain/time.js';
import { formatDate, lunarDayName, lunarMonthName } from './format.js';

export const KINDS = ['once', 'daily', 'weekly', 'monthly-date', 'monthly-nth', 'lunar-yearly', 'lunar-monthly', 'holidays'] as const;
export type Kind = (typeof KINDS)[number] | 'custom';
export const KIND_NAMES: Record<Kind, string> = {
  once: 'Một lần', daily: 'Hằng ngày', weekly: 'Hằng tuần', 'monthly-date': 'Hằng tháng, theo ngày', 'monthly-nth': 'Hằng tháng, theo thứ',
  'lunar-yearly': 'Hằng năm, theo âm lịch', 'lunar-monthly': 'Hằng tháng, theo âm lịch', holidays: 'Các ngày lễ', custom: 'Quy tắc riêng',
};
export const WEEKDAYS = ['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'] as const;
export type Weekday = (typeof WEEKDAYS)[number];
export const WEEKDAY_TEXT: Record<Weekday, string> = { MO: 'thứ Hai', TU: 'thứ Ba', WE: 'thứ Tư', TH: 'thứ Năm', FR: 'thứ Sáu', SA: 'thứ Bảy', SU: 'Chủ nhật' };
export const NTH_TEXT: Record<string, string> = { '1': 'đầu tiên', '2': 'thứ hai', '3': 'thứ ba', '4': 'thứ tư', '-1': 'cuối cùng' };

/** The fields of the form, as strings, the way the browser sends them. */
export interface RuleFields {
  kind: Kind;
  date: string;
  time: string;
  interval: string;
  weekdays: Weekday[];
  monthDay: string;
  nth: string;
  nthWeekday: Weekday;
  lunarMonth: string;
  lunarDay: string;
  leap: boolean;
  holidays: (HolidayId | 'all')[];
  /** A rule the form cannot express (made through the API), kept as it was. */
  custom?: Rule;
}

export class FormProblem extends Error {
  constructor(readonly field: string, message: string) {
    super(message);
  }
}

const DATE = /^\d{4}-\d\d-\d\d$/;
const TIME = /^([01]\d|2[0-3]):[0-5]\d$/;
const int = (s: string, field: string, min: number, max: number, what: string) => {
  const n = Number(s);
  if (!Number.isInteger(n) || n < min || n > max) throw new FormProblem(field, `${what} là số từ ${min} đến ${max}.`);
  return n;
};

/** The instant a date and time on the commune's clock stand for, as the API's ISO string. */
export function localIso(date: string, time: string, tz: string): string {
  const [y, m, d] = date.split('-').map(Number);
  return toZonedIso(localToUtc({ year: y, month: m, day: d }, Number(time.slice(0, 2)), Number(time.slice(3, 5)), tz), tz);
}

/** The API's rule for what the form says; a FormProblem names the field that is missing or wrong. */
export function ruleOf(f: RuleFields, tz: string): Rule {
  if (f.kind === 'custom') {
    if (!f.custom) throw new FormProblem('kind', 'Chọn cách lặp lại.');
    return f.custom;
  }
  if (!TIME.test(f.time)) throw new FormProblem('time', 'Chọn giờ phát (giờ:phút).');
  const needDate = () => {
    if (!DATE.test(f.date)) throw new FormProblem('date', f.kind === 'once' ? 'Chọn ngày phát.' : 'Chọn ngày bắt đầu.');
    return localIso(f.date, f.time, tz);
  };
  const interval = () => (f.interval ? int(f.interval, 'interval', 1, 52, 'Khoảng lặp') : 1);
  const every = (n: number) => (n > 1 ? `;INTERVAL=${n}` : '');
  switch (f.kind) {
    case 'once':
      return { type: 'once', at: needDate() };
    case 'daily':
      return { type: 'rrule', dtstart: needDate(), rrule: `FREQ=DAILY${every(interval())}` };
    case 'weekly': {
      if (!f.weekdays.length) throw new FormProblem('weekdays', 'Chọn ít nhất một thứ trong tuần.');
      return { type: 'rrule', dtstart: needDate(), rrule: `FREQ=WEEKLY${every(interval())};BYDAY=${f.weekdays.join(',')}` };
    }
    case 'monthly-date':
      return { type: 'rrule', dtstart: needDate(), rrule: `FREQ=MONTHLY;BYMONTHDAY=${int(f.monthDay, 'monthDay', 1, 31, 'Ngày trong tháng')}` };
    case 'monthly-nth': {
      if (!NTH_TEXT[f.nth]) throw new FormProblem('nth', 'Chọn tuần trong tháng.');
      return { type: 'rrule', dtstart: needDate(), rrule: `FREQ=MONTHLY;BYDAY=${f.nth}${f.nthWeekday}` };
    }
    case 'lunar-yearly':
      return { type: 'lunar', month: int(f.lunarMonth, 'lunarMonth', 1, 12, 'Tháng âm lịch'), day: int(f.lunarDay, 'lunarDay', 1, 30, 'Ngày âm lịch'), time: f.time, ...(f.leap ? { leap: true } : {}) };
    case 'lunar-monthly':
      return { type: 'lunar', day: int(f.lunarDay, 'lunarDay', 1, 30, 'Ngày âm lịch'), time: f.time, ...(f.leap ? { leap: true } : {}) };
    case 'holidays': {
      if (!f.holidays.length) throw new FormProblem('holidays', 'Chọn ít nhất một ngày lễ.');
      return { type: 'holidays', holidays: f.holidays.includes('all') ? 'all' : (f.holidays as HolidayId[]), time: f.time };
    }
  }
}

const RRULE_SHAPES: [RegExp, (m: RegExpMatchArray) => Partial<RuleFields>][] = [
  [/^FREQ=DAILY(?:;INTERVAL=(\d+))?$/, (m) => ({ kind: 'daily', interval: m[1] ?? '1' })],
  [/^FREQ=WEEKLY(?:;INTERVAL=(\d+))?;BYDAY=((?:MO|TU|WE|TH|FR|SA|SU)(?:,(?:MO|TU|WE|TH|FR|SA|SU))*)$/, (m) => ({ kind: 'weekly', interval: m[1] ?? '1', weekdays: m[2].split(',') as Weekday[] })],
  [/^FREQ=MONTHLY;BYMONTHDAY=(\d+)$/, (m) => ({ kind: 'monthly-date', monthDay: m[1] })],
  [/^FREQ=MONTHLY;BYDAY=(-1|[1-4])(MO|TU|WE|TH|FR|SA|SU)$/, (m) => ({ kind: 'monthly-nth', nth: m[1], nthWeekday: m[2] as Weekday })],
];

export const emptyFields = (today: string): RuleFields => ({
  kind: 'weekly', date: today, time: '07:00', interval: '1', weekdays: [], monthDay: '1', nth: '1', nthWeekday: 'MO',
  lunarMonth: '1', lunarDay: '15', leap: false, holidays: ['all'],
});

/** The form's fields for a rule, so a schedule can be edited as it was written; others stay "custom". */
export function fieldsOf(rule: Rule, tz: string, today: string): RuleFields {
  const base = emptyFields(today);
  const at = (iso: string) => {
    const p = localParts(Date.parse(iso), tz);
    return { date: `${p.year}-${String(p.month).padStart(2, '0')}-${String(p.day).padStart(2, '0')}`, time: `${String(p.hour).padStart(2, '0')}:${String(p.minute).padStart(2, '0')}` };
  };
  switch (rule.type) {
    case 'once':
      return { ...base, kind: 'once', ...at(rule.at) };
    case 'lunar':
      return { ...base, kind: rule.month ? 'lunar-yearly' : 'lunar-monthly', lunarMonth: String(rule.month ?? 1), lunarDay: String(rule.day), time: rule.time, leap: !!rule.leap };
    case 'holidays':
      return { ...base, kind: 'holidays', holidays: rule.holidays === 'all' ? ['all'] : rule.holidays, time: rule.time };
    case 'rrule': {
      const body = rule.rrule.trim().replace(/^RRULE:/i, '').toUpperCase();
      for (const [re, to] of RRULE_SHAPES) {
        const m = body.match(re);
        if (m) return { ...base, ...at(rule.dtstart), ...to(m) };
      }
      return { ...base, kind: 'custom', custom: rule, ...at(rule.dtstart) };
    }
  }
}

const joinAnd = (xs: string[]) => (xs.length <= 1 ? xs.join('') : `${xs.slice(0, -1).join(', ')} và ${xs.at(-1)}`);
const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** The rule said as a person says it: "Thứ Hai hằng tuần lúc 07:00", "Rằm hằng tháng lúc 19:00". */
export function describeRule(rule: Rule, tz: string): string {
  const f = fieldsOf(rule, tz, '2000-01-01');
  const at = ` lúc ${f.time}`;
  const n = Number(f.interval);
  switch (f.kind) {
    case 'once':
      return `Một lần${at}, ${formatDate(Date.parse((rule as { at: string }).at), tz)}`;
    case 'daily':
      return `${n > 1 ? `${n} ngày một lần` : 'Hằng ngày'}${at}`;
    case 'weekly':
      return `${cap(joinAnd(f.weekdays.map((w) => WEEKDAY_TEXT[w])))} ${n > 1 ? `${n} tuần một lần` : 'hằng tuần'}${at}`;
    case 'monthly-date':
      return `Ngày ${f.monthDay} hằng tháng${at}`;
    case 'monthly-nth':
      return `${cap(WEEKDAY_TEXT[f.nthWeekday])} ${NTH_TEXT[f.nth]} của tháng, hằng tháng${at}`;
    case 'lunar-yearly': {
      const day = Number(f.lunarDay);
      const tet = Number(f.lunarMonth) === 1 && day === 1 && !f.leap ? ' (Tết Nguyên Đán)' : '';
      return `${cap(lunarDayName(day))} ${lunarMonthName(Number(f.lunarMonth), f.leap)} âm lịch hằng năm${tet}${at}`;
    }
    case 'lunar-monthly':
      return `${cap(lunarDayName(Number(f.lunarDay)))} hằng tháng âm lịch${f.leap ? ' (chỉ tháng nhuận)' : ''}${at}`;
    case 'holidays':
      return `${f.holidays.includes('all') ? 'Các ngày lễ, Tết' : joinAnd(f.holidays.map((h) => HOLIDAY_NAMES[h as HolidayId]))}${at}`;
    case 'custom':
      return `Theo quy tắc lặp riêng (${(rule as { rrule: string }).rrule})`;
  }
}

export { HOLIDAYS, HOLIDAY_NAMES };
