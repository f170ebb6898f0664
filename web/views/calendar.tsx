import { CATEGORY_LABELS, type Category } from '../../server/domain/categories.js';
import type { Zone } from '../../server/zones/service.js';
import { CATEGORY_COLORS } from '../calendar-events.js';
import { formatDateTime, formatDuration, lunarOf, lunarText } from '../format.js';
import { Field } from './components.js';
import { Layout, type Viewer } from './layout.js';
import { PRIORITY_NAMES } from './schedule-form.js';

export interface CalendarData { viewer: Viewer; zones: Zone[]; zoneId: string; date: string; view: string; offsetMinutes: number }

/** What plays where, week or month (FullCalendar, in calendar.ts); each play opens its own details. */
export function CalendarPage({ data }: { data: CalendarData }) {
  const canEdit = data.viewer.can.includes('schedules.edit');
  return (
    <Layout title="Lịch phát" viewer={data.viewer} section="/lich" scripts={['calendar.js']}>
      <h1>Lịch phát</h1>
      <div class="row wrap">
        {canEdit && <a class="button" href="/lich/moi">Lập lịch phát</a>}
        <a href="/lich/danh-sach">Các lịch phát</a>
      </div>
      <section class="card calendar-wrap">
        <Field label="Thôn" name="zone">
          <select name="zone" id="calendar-zone">
            <option value="">Tất cả các thôn</option>
            {data.zones.map((z) => <option value={z.id} selected={z.id === data.zoneId}>{z.name}</option>)}
          </select>
        </Field>
        <p class="legend" aria-label="Màu theo loại chương trình">
          {(Object.keys(CATEGORY_COLORS) as Category[]).map((c) => <span style={`--c:${CATEGORY_COLORS[c]}`}>{CATEGORY_LABELS[c]}</span>)}
          <span style="--c:#fff;outline:3px solid #f9a825">Ưu tiên</span>
          <span style="--c:#fff;outline:3px solid #000">Khẩn cấp</span>
        </p>
        <div id="calendar" data-date={data.date} data-view={data.view} data-offset={data.offsetMinutes} data-editable={canEdit ? 'yes' : 'no'}></div>
      </section>
      <dialog id="occurrence" aria-labelledby="occurrence-title">
        <div id="occurrence-body"></div>
        <form method="dialog"><button class="secondary">Đóng</button></form>
      </dialog>
    </Layout>
  );
}

export interface OccurrenceData {
  scheduleId: string;
  at: number;
  title: string;
  programId: string;
  category: Category;
  durationMs: number;
  priority: keyof typeof PRIORITY_NAMES;
  zones: string;
  rule: string;
  canSkip: boolean;
  tz: string;
}

export function OccurrenceDetails({ o, skipped, error }: { o: OccurrenceData; skipped?: boolean; error?: string }) {
  return (
    <div class="occurrence" id="occurrence-details">
      <h2 id="occurrence-title">{o.title}</h2>
      <dl>
        <dt>Lúc</dt><dd>{formatDateTime(o.at, o.tz)}</dd>
        <dt>Âm lịch</dt><dd>{lunarText(lunarOf(o.at, o.tz))}</dd>
        <dt>Ở</dt><dd>{o.zones}</dd>
        <dt>Loại</dt><dd>{CATEGORY_LABELS[o.category]} · {PRIORITY_NAMES[o.priority]}</dd>
        <dt>Dài</dt><dd>{formatDuration(o.durationMs)}</dd>
        <dt>Lịch</dt><dd>{o.rule}</dd>
      </dl>
      {skipped && <p class="ok" role="status">Đã bỏ lượt này; các lượt khác vẫn phát.</p>}
      {error && <p class="form-error" role="alert">{error}</p>}
      <div class="row wrap">
        {o.canSkip && !skipped && (
          <button type="button" class="danger" hx-post={`/lich/${o.scheduleId}/bo-luot`} hx-vals={JSON.stringify({ at: new Date(o.at).toISOString() })}
            hx-target="#occurrence-details" hx-swap="outerHTML" hx-confirm="Bỏ riêng lượt phát này?" data-action="skip">Bỏ lượt này</button>
        )}
        <a class="button secondary" href={`/lich/${o.scheduleId}`}>Mở lịch phát</a>
        <a href={`/chuong-trinh/${o.programId}`}>Xem chương trình</a>
      </div>
    </div>
  );
}
