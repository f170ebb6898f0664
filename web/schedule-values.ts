import { PRIORITIES } from '../devices/protocol/index.js';
import type { HolidayId } from '../server/domain/holidays.js';
import type { Schedule } from '../server/schedules/service.js';
import { localIso, emptyFields, fieldsOf, ruleOf, WEEKDAYS, type Kind, type RuleFields, type Weekday } from './schedule-rule.js';
import type { ScheduleValues } from './views/schedule-form.js';
import { localParts } from '../server/domain/time.js';

type Form = { one: (k: string) => string; many: (k: string) => string[]; has: (k: string) => boolean };

export const todayOf = (now: number, tz: string) => {
  const p = localParts(now, tz);
  return `${p.year}-${String(p.month).padStart(2, '0')}-${String(p.day).padStart(2, '0')}`;
};

/** What the form holds, as it was typed. */
export function valuesOf(f: Form): ScheduleValues {
  const custom = f.one('customRule');
  const rule: RuleFields = {
    kind: (f.one('kind') || 'weekly') as Kind, date: f.one('date'), time: f.one('time'), interval: f.one('interval'),
    weekdays: f.many('weekdays').filter((w): w is Weekday => (WEEKDAYS as readonly string[]).includes(w)),
    monthDay: f.one('monthDay'), nth: f.one('nth'), nthWeekday: (f.one('nthWeekday') || 'MO') as Weekday,
    lunarMonth: f.one('lunarMonth'), lunarDay: f.one('lunarDay'), leap: f.has('leap'),
    holidays: f.many('holidays') as (HolidayId | 'all')[],
    ...(custom ? { custom: JSON.parse(custom) } : {}),
  };
  const zones = f.many('zoneIds');
  return {
    programId: f.one('programId'), series: f.many('series'), zoneIds: zones.includes('all') ? 'all' : zones, rule,
    priority: (PRIORITIES as readonly string[]).includes(f.one('priority')) ? (f.one('priority') as ScheduleValues['priority']) : 'normal',
    repeatTimes: f.one('repeatTimes'), repeatGap: f.one('repeatGap'), volume: f.one('volume'), validUntil: f.one('validUntil'), skipHolidays: f.has('skipHolidays'),
  };
}

/** A new schedule's form: weekly on today's weekday at 07:00, from today. */
export const defaultValues = (today: string, programId = ''): ScheduleValues => ({
  programId, series: [], zoneIds: 'all', rule: { ...emptyFields(today), weekdays: [WEEKDAYS[(new Date(`${today}T00:00:00Z`).getUTCDay() + 6) % 7]] }, priority: 'normal', repeatTimes: '1', repeatGap: '0', volume: '', validUntil: '', skipHolidays: false,
});

export function valuesOfSchedule(s: Schedule, tz: string, today: string): ScheduleValues {
  const endOfDay = s.validUntil != null ? todayOf(s.validUntil - 1, tz) : '';
  return {
    programId: s.programIds[0], series: s.programIds.length > 1 ? s.programIds : [], zoneIds: s.zoneIds, rule: fieldsOf(s.rule, tz, today),
    priority: s.priority, repeatTimes: String(s.repeat?.times ?? 1), repeatGap: String(s.repeat?.gapMinutes ?? 0),
    volume: s.volume != null ? String(s.volume) : '', validUntil: endOfDay, skipHolidays: !!s.skipHolidays,
  };
}

export class ValueProblem extends Error {
  constructor(readonly field: string, message: string) {
    super(message);
  }
}

/** The API's schedule body for the form (a ValueProblem or FormProblem names the field at fault). */
export function bodyOf(v: ScheduleValues, tz: string) {
  const rule = ruleOf(v.rule, tz);
  if (v.series.length === 1) throw new ValueProblem('programId', 'Một chuỗi cần ít nhất hai tập; bỏ chọn chuỗi để phát một chương trình.');
  if (!v.series.length && !v.programId) throw new ValueProblem('programId', 'Chọn chương trình.');
  if (v.zoneIds !== 'all' && !v.zoneIds.length) throw new ValueProblem('zoneIds', 'Chọn ít nhất một thôn.');
  const times = Number(v.repeatTimes || 1);
  const gap = Number(v.repeatGap || 0);
  if (!Number.isInteger(times) || times < 1 || times > 20) throw new ValueProblem('repeatTimes', 'Số lần phát là số từ 1 đến 20.');
  if (!(gap >= 0 && gap <= 720)) throw new ValueProblem('repeatGap', 'Khoảng nghỉ là số phút từ 0 đến 720.');
  const volume = v.volume === '' ? null : Number(v.volume);
  if (volume !== null && !(Number.isInteger(volume) && volume >= 0 && volume <= 100)) throw new ValueProblem('volume', 'Âm lượng là số từ 0 đến 100.');
  if (v.validUntil && !/^\d{4}-\d\d-\d\d$/.test(v.validUntil)) throw new ValueProblem('validUntil', 'Chọn ngày hết hiệu lực.');
  return {
    ...(v.series.length ? { programIds: v.series } : { programId: v.programId }),
    zoneIds: v.zoneIds, rule, priority: v.priority, volume,
    repeat: times > 1 ? { times, gapMinutes: gap } : null,
    // Valid through the whole of that day.
    validUntil: v.validUntil ? localIso(v.validUntil, '23:59', tz).replace(':00+', ':59+') : null,
    skipHolidays: v.skipHolidays,
  };
}
