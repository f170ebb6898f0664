import { describe, expect, it } from 'vitest';
import { ruleInstants } from '../server/domain/rules.js';
import { explain, fieldErrors } from '../web/errors.js';
import { formatDate, formatDuration, formatRelative, lunarOf, lunarText } from '../web/format.js';
import { describeRule, emptyFields, fieldsOf, FormProblem, ruleOf, type RuleFields } from '../web/schedule-rule.js';

const TZ = 'Asia/Ho_Chi_Minh';
const fields = (over: Partial<RuleFields>): RuleFields => ({ ...emptyFields('2026-03-02'), ...over });

describe('the schedule form, as a person fills it in', () => {
  const cases: [string, Partial<RuleFields>, string][] = [
    ['once', { kind: 'once', date: '2026-12-31', time: '20:00' }, 'Một lần lúc 20:00, thứ Năm, 31/12/2026'],
    ['daily', { kind: 'daily', time: '06:00' }, 'Hằng ngày lúc 06:00'],
    ['every other day', { kind: 'daily', interval: '2', time: '06:00' }, '2 ngày một lần lúc 06:00'],
    ['weekly on Monday', { kind: 'weekly', weekdays: ['MO'], time: '07:00' }, 'Thứ Hai hằng tuần lúc 07:00'],
    ['every second week', { kind: 'weekly', interval: '2', weekdays: ['MO', 'TH'], time: '07:00' }, 'Thứ Hai và thứ Năm 2 tuần một lần lúc 07:00'],
    ['monthly by date', { kind: 'monthly-date', monthDay: '15', time: '08:00' }, 'Ngày 15 hằng tháng lúc 08:00'],
    ['last Friday', { kind: 'monthly-nth', nth: '-1', nthWeekday: 'FR', time: '16:00' }, 'Thứ Sáu cuối cùng của tháng, hằng tháng lúc 16:00'],
    ['Tết', { kind: 'lunar-yearly', lunarMonth: '1', lunarDay: '1', time: '07:00' }, 'Mùng 1 tháng Giêng âm lịch hằng năm (Tết Nguyên Đán) lúc 07:00'],
    ['rằm tháng Giêng', { kind: 'lunar-yearly', lunarMonth: '1', lunarDay: '15', time: '19:00' }, 'Rằm tháng Giêng âm lịch hằng năm lúc 19:00'],
    ['rằm every month', { kind: 'lunar-monthly', lunarDay: '15', time: '19:00' }, 'Rằm hằng tháng âm lịch lúc 19:00'],
    ['national holidays', { kind: 'holidays', holidays: ['national', 'tet'], time: '07:00' }, 'Quốc khánh và Tết Nguyên Đán lúc 07:00'],
  ];
  for (const [name, form, said] of cases) {
    it(`says "${said}" for ${name}, and reads the rule back into the same form`, () => {
      const rule = ruleOf(fields(form), TZ);
      expect(describeRule(rule, TZ)).toBe(said);
      const back = fieldsOf(rule, TZ, '2026-03-02');
      expect(ruleOf(back, TZ)).toEqual(rule);
    });
  }

  it('writes RFC 5545 rules with DTSTART on the commune clock [RFC 5545 3.3.10]', () => {
    expect(ruleOf(fields({ kind: 'weekly', interval: '2', weekdays: ['MO', 'TH'], date: '2026-01-05', time: '07:00' }), TZ))
      .toEqual({ type: 'rrule', dtstart: '2026-01-05T07:00:00+07:00', rrule: 'FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH' });
    expect(ruleOf(fields({ kind: 'monthly-nth', nth: '1', nthWeekday: 'MO', date: '2026-01-05', time: '07:00' }), TZ).type).toBe('rrule');
  });

  it('names the field at fault when something is missing', () => {
    expect(() => ruleOf(fields({ kind: 'weekly', weekdays: [] }), TZ)).toThrow(FormProblem);
    try {
      ruleOf(fields({ kind: 'once', date: '', time: '07:00' }), TZ);
    } catch (err) {
      expect((err as FormProblem).field).toBe('date');
    }
    expect(() => ruleOf(fields({ kind: 'lunar-monthly', lunarDay: '31' }), TZ)).toThrow('Ngày âm lịch là số từ 1 đến 30.');
  });

  it('keeps an RRULE the form cannot express as it was', () => {
    const rule = { type: 'rrule' as const, dtstart: '2026-01-05T07:00:00+07:00', rrule: 'FREQ=YEARLY;BYMONTH=3;BYMONTHDAY=8' };
    const f = fieldsOf(rule, TZ, '2026-03-02');
    expect(f.kind).toBe('custom');
    expect(ruleOf(f, TZ)).toEqual(rule);
  });

  it('skips a lunar play named in exdates, as an RRULE does [RFC 5545 3.8.5.1]', () => {
    const w = { from: Date.parse('2026-01-01T00:00:00+07:00'), to: Date.parse('2026-04-01T00:00:00+07:00') };
    const all = ruleInstants({ type: 'lunar', day: 15, time: '19:00' }, w, TZ);
    const skipped = new Date(all[1]).toISOString();
    const rest = ruleInstants({ type: 'lunar', day: 15, time: '19:00', exdates: [skipped] }, w, TZ);
    expect(rest).toEqual(all.filter((t) => t !== all[1]));
  });
});

describe('Vietnamese dates, durations and errors', () => {
  it('writes dates with the weekday and a four-digit year, durations in words', () => {
    expect(formatDate(Date.parse('2026-12-07T07:00:00+07:00'), TZ)).toBe('thứ Hai, 07/12/2026');
    expect(formatDuration(85_000)).toBe('1 phút 25 giây');
    expect(formatDuration(3_900_000)).toBe('1 giờ 5 phút');
    expect(formatRelative(0, 12 * 60_000)).toBe('12 phút trước');
    expect(lunarText(lunarOf(Date.parse('2026-03-03T19:00:00+07:00'), TZ))).toBe('rằm tháng Giêng');
  });

  it('explains every code in Vietnamese, and still says something useful for an unknown one', () => {
    expect(explain({ code: 'unauthenticated' })).toBe('Phiên đăng nhập đã hết. Hãy đăng nhập lại.');
    expect(explain({ code: 'quiet_hours', details: { hits: [{ zoneName: 'Thôn Đông', window: '22:00–05:30', startAt: '' }] } })).toContain('Thôn Đông đang trong giờ yên tĩnh 22:00–05:30');
    expect(explain({ code: 'zone_has_schedules', details: { schedules: [{ id: 'sc_1', title: 'Bản tin' }] } })).toContain('Bản tin');
    expect(explain({ code: 'something_new', status: 418, message: 'I am a teapot' })).toBe('Không thực hiện được (mã lỗi something_new, 418). Chi tiết: I am a teapot');
  });

  it('places the API\'s field problems beside the form\'s fields', () => {
    const e = { code: 'invalid_request', details: [{ path: 'username', message: 'bad' }, { path: 'other', message: 'x' }] };
    expect(fieldErrors(e, { username: 'Tên đăng nhập sai.' })).toEqual({ username: 'Tên đăng nhập sai.', _: explain(e) });
    expect(fieldErrors({ code: 'username_taken' }, {}, { username_taken: 'username' })).toEqual({ username: explain({ code: 'username_taken' }) });
  });
});
