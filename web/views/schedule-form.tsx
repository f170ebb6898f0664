import { PRIORITIES } from '../../devices/protocol/index.js';
import type { ProgramView } from '../../server/programs/service.js';
import type { Zone } from '../../server/zones/service.js';
import { LUNAR_MONTHS } from '../format.js';
import { HOLIDAY_NAMES, HOLIDAYS, KIND_NAMES, KINDS, NTH_TEXT, WEEKDAY_TEXT, WEEKDAYS, type RuleFields } from '../schedule-rule.js';
import { Field, FormError, type Errors } from './components.js';

export const PRIORITY_NAMES: Record<(typeof PRIORITIES)[number], string> = { normal: 'Thông thường', priority: 'Ưu tiên', emergency: 'Khẩn cấp' };

export interface ScheduleValues {
  programId: string;
  series: string[];
  zoneIds: string[] | 'all';
  rule: RuleFields;
  priority: (typeof PRIORITIES)[number];
  repeatTimes: string;
  repeatGap: string;
  volume: string;
  validUntil: string;
  skipHolidays: boolean;
}

/** Where an error of one field shows; the dry run refills every slot (htmx out-of-band swap). */
export const SLOT_FIELDS = ['programId', 'zoneIds', 'time', 'date', 'interval', 'weekdays', 'monthDay', 'nth', 'lunarMonth', 'lunarDay', 'holidays', 'repeatTimes', 'repeatGap', 'volume', 'validUntil'] as const;
export const Slot = ({ name, message, oob }: { name: string; message?: string; oob?: boolean }) => (
  <p id={`slot-${name}`} class="field-error" role={message ? 'alert' : undefined} hidden={!message} hx-swap-oob={oob ? 'true' : undefined} data-slot={name}>{message}</p>
);

const only = (...kinds: string[]) => ({ 'data-kinds': kinds.join(' ') });

/** Every rule the API has, as a person thinks of it; the preview below it is the server's dry run. */
export function ScheduleForm({ v, programs, zones, errors, action, scheduleId }: {
  v: ScheduleValues; programs: ProgramView[]; zones: Zone[]; errors?: Errors; action: string; scheduleId?: string;
}) {
  const r = v.rule;
  const kinds = r.kind === 'custom' ? [...KINDS, 'custom' as const] : KINDS;
  const checkedZone = (id: string) => v.zoneIds !== 'all' && v.zoneIds.includes(id);
  return (
    <form id="schedule-form" class="stack" hx-post={action} hx-target="#preview" hx-swap="innerHTML" data-schedule-id={scheduleId}>
      <FormError errors={errors} />
      <section class="card stack">
        <h2>Phát chương trình nào</h2>
        <Field label="Chương trình (đã duyệt)" name="programId" errors={errors}>
          <select name="programId" required>
            <option value="">— Chọn chương trình —</option>
            {programs.map((p) => <option value={p.id} selected={p.id === v.programId}>{p.title}</option>)}
          </select>
        </Field><Slot name="programId" />
        <details open={v.series.length > 0}>
          <summary>Phát thành chuỗi tập (mỗi lượt một tập, lần lượt)</summary>
          <fieldset class="weekdays" data-field="series">
            <legend>Các tập, theo thứ tự trong danh sách</legend>
            {programs.map((p) => <label class="check"><input type="checkbox" name="series" value={p.id} checked={v.series.includes(p.id)} /> {p.title}</label>)}
          </fieldset>
        </details>
      </section>
      <section class="card stack">
        <h2>Ở đâu</h2>
        <fieldset class="weekdays" data-field="zoneIds">
          <legend>Thôn, tổ dân phố</legend>
          <label class="check"><input type="checkbox" name="zoneIds" value="all" checked={v.zoneIds === 'all'} /> Tất cả các thôn</label>
          {zones.map((z) => <label class="check"><input type="checkbox" name="zoneIds" value={z.id} checked={checkedZone(z.id)} /> {z.name}</label>)}
        </fieldset>
        <Slot name="zoneIds" message={errors?.zoneIds} />
      </section>
      <section class="card stack kind-form">
        <h2>Khi nào</h2>
        <fieldset class="weekdays">
          <legend>Lặp lại</legend>
          {kinds.map((k) => <label class="check"><input type="radio" name="kind" value={k} checked={r.kind === k} /> {KIND_NAMES[k]}</label>)}
        </fieldset>
        <div class="grid2 kind-fields">
          <Field label="Giờ phát" name="time" errors={errors}><input type="time" name="time" value={r.time} required /></Field><Slot name="time" />
          <div {...only('once', 'daily', 'weekly', 'monthly-date', 'monthly-nth')}>
            <Field label="Ngày phát (một lần) hoặc bắt đầu từ ngày" name="date" errors={errors}><input type="date" name="date" value={r.date} /></Field><Slot name="date" />
          </div>
          <div {...only('daily', 'weekly')}>
            <Field label="Cách mấy ngày / tuần một lần" name="interval" errors={errors} hint="1 là mỗi ngày, mỗi tuần; 2 là cách một.">
              <input type="number" name="interval" min={1} max={52} value={r.interval} />
            </Field><Slot name="interval" />
          </div>
          <fieldset class="weekdays" {...only('weekly')} data-field="weekdays">
            <legend>Vào các thứ</legend>
            {WEEKDAYS.map((w) => <label class="check"><input type="checkbox" name="weekdays" value={w} checked={r.weekdays.includes(w)} /> {WEEKDAY_TEXT[w]}</label>)}
            <Slot name="weekdays" message={errors?.weekdays} />
          </fieldset>
          <div {...only('monthly-date')}>
            <Field label="Ngày trong tháng" name="monthDay" errors={errors}><input type="number" name="monthDay" min={1} max={31} value={r.monthDay} /></Field><Slot name="monthDay" />
          </div>
          <div class="row" {...only('monthly-nth')}>
            <Field label="Tuần" name="nth" errors={errors}>
              <select name="nth">{Object.entries(NTH_TEXT).map(([k, t]) => <option value={k} selected={r.nth === k}>{t}</option>)}</select>
            </Field>
            <Field label="Thứ" name="nthWeekday" errors={errors}>
              <select name="nthWeekday">{WEEKDAYS.map((w) => <option value={w} selected={r.nthWeekday === w}>{WEEKDAY_TEXT[w]}</option>)}</select>
            </Field>
            <Slot name="nth" />
          </div>
          <div {...only('lunar-yearly')}>
            <Field label="Tháng âm lịch" name="lunarMonth" errors={errors}>
              <select name="lunarMonth">{LUNAR_MONTHS.map((m, i) => <option value={String(i + 1)} selected={r.lunarMonth === String(i + 1)}>tháng {m}</option>)}</select>
            </Field><Slot name="lunarMonth" />
          </div>
          <div {...only('lunar-yearly', 'lunar-monthly')}>
            <Field label="Ngày âm lịch" name="lunarDay" errors={errors} hint="1 là mùng 1, 15 là rằm.">
              <select name="lunarDay">{Array.from({ length: 30 }, (_, i) => String(i + 1)).map((dd) => <option value={dd} selected={r.lunarDay === dd}>{dd === '15' ? 'rằm (15)' : Number(dd) <= 10 ? `mùng ${dd}` : dd}</option>)}</select>
            </Field><Slot name="lunarDay" />
            <label class="check"><input type="checkbox" name="leap" value="1" checked={r.leap} /> Chỉ tháng nhuận</label>
          </div>
          <fieldset class="weekdays" {...only('holidays')} data-field="holidays">
            <legend>Ngày lễ</legend>
            <label class="check"><input type="checkbox" name="holidays" value="all" checked={r.holidays.includes('all')} /> Tất cả ngày lễ, Tết</label>
            {HOLIDAYS.map((h) => <label class="check"><input type="checkbox" name="holidays" value={h} checked={r.holidays.includes(h)} /> {HOLIDAY_NAMES[h]}</label>)}
            <Slot name="holidays" message={errors?.holidays} />
          </fieldset>
        </div>
        {r.custom && <input type="hidden" name="customRule" value={JSON.stringify(r.custom)} />}
      </section>
      <section class="card stack">
        <h2>Tuỳ chọn</h2>
        <div class="grid2">
          <Field label="Mức ưu tiên" name="priority" errors={errors}>
            <select name="priority">{PRIORITIES.map((p) => <option value={p} selected={v.priority === p}>{PRIORITY_NAMES[p]}</option>)}</select>
          </Field>
          <Field label="Âm lượng (%)" name="volume" errors={errors} hint="Để trống: giữ âm lượng của cụm loa.">
            <input type="number" name="volume" min={0} max={100} value={v.volume} />
          </Field><Slot name="volume" />
          <Field label="Phát mấy lần mỗi lượt" name="repeatTimes" errors={errors}><input type="number" name="repeatTimes" min={1} max={20} value={v.repeatTimes} /></Field><Slot name="repeatTimes" />
          <Field label="Nghỉ giữa các lần (phút)" name="repeatGap" errors={errors}><input type="number" name="repeatGap" min={0} max={720} value={v.repeatGap} /></Field><Slot name="repeatGap" />
          <Field label="Hết hiệu lực sau ngày (không bắt buộc)" name="validUntil" errors={errors}><input type="date" name="validUntil" value={v.validUntil} /></Field><Slot name="validUntil" />
        </div>
        <label class="check"><input type="checkbox" name="skipHolidays" value="1" checked={v.skipHolidays} /> Không phát vào ngày lễ, Tết</label>
      </section>
      <section class="card">
        <h2>Xem trước</h2>
        <div id="preview" aria-live="polite" hx-post={`${action}/thu`} hx-include="#schedule-form" hx-swap="innerHTML"
          hx-trigger="load, change from:#schedule-form, input changed delay:700ms from:#schedule-form">
          <p class="muted">Đang tính các lượt phát…</p>
        </div>
        <p><button type="submit" data-action="save-schedule">Lưu lịch phát</button></p>
      </section>
    </form>
  );
}
