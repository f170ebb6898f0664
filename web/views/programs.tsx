import { CATEGORY_LABELS, type Category } from '../../server/domain/categories.js';
import type { JobView } from '../../server/jobs/service.js';
import type { ProgramView } from '../../server/programs/service.js';
import type { Template } from '../../server/tts/templates.js';
import { formatDateTime, formatDuration } from '../format.js';
import { Empty, Field, FormError, type Errors } from './components.js';
import { JobsList } from './jobs.js';
import { Layout, type Viewer } from './layout.js';

export const STATUS_NAMES: Record<ProgramView['status'], string> = { draft: 'Bản nháp', pending: 'Chờ duyệt', approved: 'Đã duyệt', rejected: 'Bị từ chối' };
export const SOURCE_NAMES = { upload: 'tệp tải lên', recording: 'ghi âm', tts: 'đọc văn bản' } as const;

export const CategorySelect = ({ selected }: { selected?: Category }) => (
  <select name="category">{Object.entries(CATEGORY_LABELS).map(([v, label]) => <option value={v} selected={v === selected}>{label}</option>)}</select>
);

/** The name a user id stands for (display name, else user name). */
export type Names = (userId: string | null) => string;

export function SubmitButton({ p }: { p: ProgramView }) {
  return (
    <button type="button" hx-post={`/chuong-trinh/${p.id}/gui-duyet`} hx-target="closest [data-program-id]" hx-swap="outerHTML" data-action="submit">Gửi duyệt</button>
  );
}

/** One program in the list: what it is, where it stands, and what this user may do next. */
export function ProgramItem({ p, names, tz, canEdit, error }: { p: ProgramView; names: Names; tz: string; canEdit: boolean; error?: string }) {
  const latest = p.latest;
  return (
    <li class="program" data-program-id={p.id} data-status={p.status}>
      <div class="program-head">
        <a href={`/chuong-trinh/${p.id}`}><strong>{p.title}</strong></a>
        <span data-field="status"><span class={`badge ${p.status}`}>{STATUS_NAMES[p.status]}</span></span>
        {p.archived && <span class="badge draft">Đã lưu trữ</span>}
      </div>
      <span class="muted">
        {CATEGORY_LABELS[p.category]} · phiên bản {p.latestVersion} · {SOURCE_NAMES[latest.source]} · {formatDuration(latest.asset.durationMs)}
        {p.airingVersion && p.airingVersion !== p.latestVersion ? ` · đang phát bản ${p.airingVersion}` : ''}
      </span>
      <span class="muted">
        {latest.submittedAt ? `Gửi duyệt: ${names(latest.submittedBy)}, ${formatDateTime(latest.submittedAt, tz)}` : `Tạo: ${names(latest.createdBy)}, ${formatDateTime(latest.createdAt, tz)}`}
      </span>
      {p.status === 'rejected' && latest.reason && <p class="form-error">Lý do từ chối: {latest.reason}</p>}
      {error && <p class="form-error" role="alert">{error}</p>}
      {canEdit && (p.status === 'draft' || p.status === 'rejected') && <div><SubmitButton p={p} /></div>}
    </li>
  );
}

export function ProgramList({ programs, names, tz, canEdit, archived }: { programs: ProgramView[]; names: Names; tz: string; canEdit: boolean; archived: boolean }) {
  const shown = programs.filter((p) => p.archived === archived);
  return (
    <div id="program-list" hx-get={`/chuong-trinh${archived ? '?luu-tru=1' : ''}`} hx-select="#program-list" hx-disinherit="*" hx-swap="outerHTML"
      hx-trigger="sse:program, programs-changed from:body, live-restored from:body">
      {shown.length ? <ul class="programs" id="programs">{shown.map((p) => <ProgramItem p={p} names={names} tz={tz} canEdit={canEdit} />)}</ul>
        : <Empty>{archived ? 'Chưa lưu trữ chương trình nào.' : 'Chưa có chương trình nào.'}</Empty>}
    </div>
  );
}

export interface TtsValues { title?: string; category?: Category; templateId?: string; text?: string; fields?: Record<string, string> }

/** Text read aloud: free text or a template's blanks; the preview shows the sentence the engine will say. */
export function TtsForm({ templates, values = {}, errors, created }: { templates: Template[]; values?: TtsValues; errors?: Errors; created?: string }) {
  return (
    <form id="tts" class="card stack" hx-post="/chuong-trinh/doc" hx-swap="outerHTML">
      <h2>Đọc văn bản</h2>
      {created && <p class="ok" role="status">Đang tạo giọng đọc cho “{created}”; xem tiến độ bên dưới.</p>}
      <FormError errors={errors} />
      <Field label="Tiêu đề" name="title" errors={errors}><input name="title" value={values.title} maxlength={200} placeholder="Thông báo lịch tiếp công dân" /></Field>
      <Field label="Loại" name="category" errors={errors}><CategorySelect selected={values.category} /></Field>
      <Field label="Mẫu" name="templateId" errors={errors}>
        <select name="templateId" data-template-select>
          <option value="">— Tự soạn —</option>
          {templates.map((t) => <option value={t.id} selected={t.id === values.templateId} data-category={t.category} data-title={t.title}>{t.title}</option>)}
        </select>
      </Field>
      {templates.map((t) => (
        <fieldset data-template={t.id} hidden={values.templateId !== t.id}>
          <legend>{t.title}</legend>
          {t.fields.map((f) => (
            <Field label={`${f.label}${f.required ? '' : ' (không bắt buộc)'}`} name={`f-${t.id}-${f.name}`} errors={errors}>
              <input name={`f-${t.id}-${f.name}`} value={values.templateId === t.id ? values.fields?.[f.name] : undefined} placeholder={f.example} />
            </Field>
          ))}
        </fieldset>
      ))}
      <div class="free-text" hidden={!!values.templateId}>
        <Field label="Nội dung" name="text" errors={errors}>
          <textarea name="text" rows={5} placeholder="UBND xã thông báo…">{values.text}</textarea>
        </Field>
      </div>
      <div class="row wrap">
        <button type="button" class="secondary" hx-post="/chuong-trinh/doc-thu" hx-include="closest form" hx-target="#spoken" hx-swap="innerHTML">Xem câu sẽ đọc</button>
        <button type="submit">Tạo giọng đọc</button>
      </div>
      <div id="spoken" aria-live="polite"></div>
    </form>
  );
}

export interface ProgramsPageData {
  viewer: Viewer;
  programs: ProgramView[];
  jobs: JobView[];
  templates: Template[];
  names: Names;
  tz: string;
  now: number;
  maxUploadMb: number;
  archived: boolean;
}

export function ProgramsPage({ data }: { data: ProgramsPageData }) {
  const canEdit = data.viewer.can.includes('programs.edit');
  return (
    <Layout title="Chương trình" viewer={data.viewer} section="/chuong-trinh" scripts={canEdit ? ['programs.js'] : []}>
      <h1>Chương trình phát thanh</h1>
      {canEdit && (
        <div class="ways" id="programs-app" data-max-upload-mb={data.maxUploadMb}>
          <form id="record" class="card stack" data-recording="no">
            <h2>Ghi âm</h2>
            <Field label="Tiêu đề" name="title"><input name="title" maxlength={200} placeholder="Lời chào của Chủ tịch UBND xã" /></Field>
            <Field label="Loại" name="category"><CategorySelect selected="greeting" /></Field>
            <div class="row wrap">
              <button type="button" data-action="record-start">● Bắt đầu ghi</button>
              <button type="button" class="secondary" data-action="record-stop" disabled>■ Dừng</button>
              <span data-field="elapsed" aria-live="off">0:00</span>
            </div>
            <audio controls data-field="preview" hidden></audio>
            <button type="submit" data-action="record-upload" disabled>Tải bản ghi lên</button>
            <p class="form-error" role="alert" data-error hidden></p>
          </form>
          <form id="upload" class="card stack">
            <h2>Tải tệp âm thanh</h2>
            <Field label="Tiêu đề" name="title"><input name="title" maxlength={200} placeholder="Phổ biến Luật Thực hiện dân chủ ở cơ sở" /></Field>
            <Field label="Loại" name="category"><CategorySelect selected="law" /></Field>
            <Field label={`Tệp âm thanh (mp3, wav, m4a, ogg, webm, amr, flac; tối đa ${data.maxUploadMb} MB)`} name="file">
              <input type="file" name="file" accept="audio/*,video/webm,.amr,.3gp,.flac" />
            </Field>
            <progress data-field="upload-progress" max={1} value={0} hidden aria-label="Tiến độ tải lên"></progress>
            <button type="submit" data-action="upload">Tải lên</button>
            <p class="form-error" role="alert" data-error hidden></p>
          </form>
          <TtsForm templates={data.templates} />
        </div>
      )}
      <section class="card">
        <h2>Đang xử lý</h2>
        <div hx-get="/chuong-trinh/viec" hx-trigger="programs-changed from:body, live-restored from:body" hx-target="#jobs" hx-swap="outerHTML"></div>
        <JobsList jobs={data.jobs} now={data.now} />
      </section>
      <section class="card">
        <h2>{data.archived ? 'Đã lưu trữ' : 'Danh sách'}</h2>
        <p><a href={data.archived ? '/chuong-trinh' : '/chuong-trinh?luu-tru=1'}>{data.archived ? 'Xem chương trình đang dùng' : 'Xem chương trình đã lưu trữ'}</a></p>
        <ProgramList programs={data.programs} names={data.names} tz={data.tz} canEdit={canEdit} archived={data.archived} />
      </section>
    </Layout>
  );
}
