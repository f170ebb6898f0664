import type { Zone } from '../../server/zones/service.js';
import { Empty, Field, FormError, type Errors } from './components.js';
import { Layout, type Viewer } from './layout.js';

export interface ZoneValues { name?: string; quietStart?: string; quietEnd?: string; noQuiet?: boolean }

function QuietFields({ values, errors }: { values: ZoneValues; errors?: Errors }) {
  return (
    <fieldset class="quiet">
      <legend>Giờ yên tĩnh (chỉ tin khẩn cấp được phát)</legend>
      <div class="row wrap">
        <Field label="Từ" name="quietStart" errors={errors}><input type="time" name="quietStart" value={values.quietStart ?? '22:00'} /></Field>
        <Field label="Đến" name="quietEnd" errors={errors}><input type="time" name="quietEnd" value={values.quietEnd ?? '05:30'} /></Field>
      </div>
      <label class="check"><input type="checkbox" name="noQuiet" value="1" checked={values.noQuiet} /> Không có giờ yên tĩnh</label>
    </fieldset>
  );
}

export function NewZoneForm({ values = {}, errors, created }: { values?: ZoneValues; errors?: Errors; created?: string }) {
  return (
    <form id="new-zone" class="stack" hx-post="/thon" hx-swap="outerHTML">
      {created && <p class="ok" role="status">Đã tạo {created}.</p>}
      <FormError errors={errors} />
      <Field label="Tên thôn, tổ dân phố" name="name" errors={errors}><input name="name" value={values.name} required maxlength={100} placeholder="Thôn Đông" /></Field>
      <QuietFields values={values} errors={errors} />
      <button type="submit">Tạo thôn</button>
    </form>
  );
}

export interface ZoneRowData { z: Zone; devices: number; schedules: { id: string; title: string }[] }

export function ZoneRow({ row, canEdit, canDelete, errors, saved, confirmRelease }: {
  row: ZoneRowData; canEdit: boolean; canDelete: boolean; errors?: Errors; saved?: string; confirmRelease?: boolean;
}) {
  const { z } = row;
  const post = (path: string) => ({ 'hx-post': `/thon/${z.id}${path}`, 'hx-target': 'closest li', 'hx-swap': 'outerHTML' });
  const noQuiet = z.quietStart === z.quietEnd;
  return (
    <li class="zone-row" data-zone-id={z.id} data-zone={z.name}>
      <div class="user-head">
        <strong>{z.name}</strong>
        <span class="muted">{noQuiet ? 'Không có giờ yên tĩnh' : `Giờ yên tĩnh ${z.quietStart}–${z.quietEnd}`} · {row.devices} cụm loa · {row.schedules.length} lịch phát</span>
      </div>
      {saved && <p class="ok" role="status">{saved}</p>}
      <FormError errors={errors} />
      {confirmRelease && (
        <form {...post('/xoa')} hx-confirm={`Xoá ${z.name} và bỏ thôn khỏi ${row.schedules.length} lịch phát? Lịch chỉ phát cho thôn này sẽ bị xoá.`}>
          <input type="hidden" name="withSchedules" value="true" />
          <button type="submit" class="danger">Xoá thôn và bỏ khỏi các lịch</button>
        </form>
      )}
      {canEdit && (
        <details open={!!errors && !confirmRelease}>
          <summary>Sửa {z.name}</summary>
          <form class="stack" {...post('')}>
            <Field label="Tên" name="name" errors={errors}><input name="name" value={z.name} required maxlength={100} /></Field>
            <QuietFields values={{ quietStart: noQuiet ? '22:00' : z.quietStart, quietEnd: noQuiet ? '05:30' : z.quietEnd, noQuiet }} errors={errors} />
            <button type="submit">Lưu</button>
          </form>
          {canDelete && (
            <form {...post('/xoa')} hx-confirm={`Xoá ${z.name}?`}>
              <button type="submit" class="danger">Xoá thôn</button>
            </form>
          )}
        </details>
      )}
    </li>
  );
}

export function HamletsPage({ viewer, rows }: { viewer: Viewer; rows: ZoneRowData[] }) {
  const canEdit = viewer.can.includes('zones.edit');
  const canDelete = viewer.can.includes('zones.delete');
  return (
    <Layout title="Thôn" viewer={viewer} section="/thon">
      <h1>Thôn, tổ dân phố</h1>
      {canEdit && (
        <section class="card">
          <h2>Tạo thôn</h2>
          <NewZoneForm />
        </section>
      )}
      <section class="card">
        <h2>Các thôn</h2>
        <ul id="zones" class="users" hx-get="/thon" hx-select="#zones" hx-disinherit="*" hx-swap="outerHTML" hx-trigger="zone-created from:body">
          {rows.length ? rows.map((row) => <ZoneRow row={row} canEdit={canEdit} canDelete={canDelete} />) : <li><Empty>Chưa có thôn nào.</Empty></li>}
        </ul>
      </section>
    </Layout>
  );
}
