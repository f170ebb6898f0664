import type { ProgramView } from '../../server/programs/service.js';
import type { Schedule } from '../../server/schedules/service.js';
import type { Zone } from '../../server/zones/service.js';
import { formatDate } from '../format.js';
import { describeRule } from '../schedule-rule.js';
import { Empty } from './components.js';
import { Layout, type Viewer } from './layout.js';
import { PRIORITY_NAMES, ScheduleForm, type ScheduleValues } from './schedule-form.js';

export interface ScheduleEditData { viewer: Viewer; v: ScheduleValues; programs: ProgramView[]; zones: Zone[]; scheduleId?: string; title?: string }

export function ScheduleEditPage({ data }: { data: ScheduleEditData }) {
  const id = data.scheduleId;
  const canEdit = data.viewer.can.includes('schedules.edit');
  return (
    <Layout title={id ? 'Lịch phát' : 'Lập lịch phát'} viewer={data.viewer} section="/lich">
      <p><a href="/lich">← Lịch phát</a> · <a href="/lich/danh-sach">Các lịch phát</a></p>
      <h1>{id ? data.title : 'Lập lịch phát'}</h1>
      {data.programs.length === 0 && !id && <Empty>Chưa có chương trình nào được duyệt. <a href="/chuong-trinh">Tạo chương trình</a> và gửi duyệt trước.</Empty>}
      {canEdit ? <ScheduleForm v={data.v} programs={data.programs} zones={data.zones} action={id ? `/lich/${id}` : '/lich/moi'} scheduleId={id} />
        : <p class="muted">Bạn chỉ xem được lịch này.</p>}
      {id && canEdit && (
        <section class="card">
          <h2>Xoá lịch</h2>
          <button type="button" class="danger" hx-post={`/lich/${id}/xoa`} hx-confirm="Xoá lịch phát này? Các cụm loa sẽ không phát nó nữa.">Xoá lịch phát</button>
        </section>
      )}
    </Layout>
  );
}

export function SchedulesListPage({ viewer, schedules, titles, zones, tz }: {
  viewer: Viewer; schedules: Schedule[]; titles: Map<string, string>; zones: Map<string, string>; tz: string;
}) {
  return (
    <Layout title="Các lịch phát" viewer={viewer} section="/lich">
      <p><a href="/lich">← Lịch phát</a></p>
      <h1>Các lịch phát</h1>
      {viewer.can.includes('schedules.edit') && <p><a class="button" href="/lich/moi">Lập lịch phát</a></p>}
      {schedules.length === 0 ? <Empty>Chưa có lịch phát nào.</Empty> : (
        <ul class="programs" id="schedules">
          {schedules.map((s) => (
            <li class="program" data-schedule-id={s.id}>
              <a href={`/lich/${s.id}`}><strong>{s.programIds.map((p) => titles.get(p) ?? 'chương trình đã xoá').join(' → ')}</strong></a>
              <span>{describeRule(s.rule, tz)}</span>
              <span class="muted">
                {s.zoneIds === 'all' ? 'Tất cả các thôn' : s.zoneIds.map((z) => zones.get(z) ?? z).join(', ')} · {PRIORITY_NAMES[s.priority]}
                {s.validUntil ? ` · đến ${formatDate(s.validUntil - 1, tz)}` : ''}{s.skipHolidays ? ' · trừ ngày lễ' : ''}
              </span>
            </li>
          ))}
        </ul>
      )}
    </Layout>
  );
}
