import { CATEGORY_LABELS } from '../../server/domain/categories.js';
import type { ProgramView, VersionView } from '../../server/programs/service.js';
import { formatDateTime, formatDuration } from '../format.js';
import { Field, FormError, Waveform, type Errors } from './components.js';
import { Layout, type Viewer } from './layout.js';
import { CategorySelect, SOURCE_NAMES, STATUS_NAMES, SubmitButton, type Names } from './programs.js';

/** Listen: the MP3 in the browser's player, and the waveform drawn by the server. */
export function Listen({ v, title }: { v: VersionView; title: string }) {
  return (
    <div class="listen">
      {v.asset.mp3Url && <audio controls preload="none" src={v.asset.mp3Url} aria-label={`Nghe ${title}, phiên bản ${v.version}`}></audio>}
      <Waveform peaks={v.asset.peaks ?? []} label={`Dạng sóng của ${title}, phiên bản ${v.version}`} />
    </div>
  );
}

function VersionItem({ v, p, names, tz }: { v: VersionView; p: ProgramView; names: Names; tz: string }) {
  return (
    <li class="program" data-version={v.version} data-status={v.status}>
      <div class="program-head">
        <strong>Phiên bản {v.version}</strong>
        <span class={`badge ${v.status}`}>{STATUS_NAMES[v.status]}</span>
        {p.airingVersion === v.version && <span class="badge on">Đang phát</span>}
      </div>
      <span class="muted">{SOURCE_NAMES[v.source]}{v.originalName ? ` (${v.originalName})` : ''} · {formatDuration(v.asset.durationMs)} · {v.asset.loudnessLufs.toFixed(1).replace('.', ',')} LUFS</span>
      <span class="muted">Tạo: {names(v.createdBy)}, {formatDateTime(v.createdAt, tz)}</span>
      {v.submittedAt && <span class="muted">Gửi duyệt: {names(v.submittedBy)}, {formatDateTime(v.submittedAt, tz)}</span>}
      {v.decidedAt && <span class="muted">{v.status === 'rejected' ? 'Từ chối' : 'Duyệt'}: {names(v.decidedBy)}, {formatDateTime(v.decidedAt, tz)}</span>}
      {v.reason && <p class="form-error">Lý do từ chối: {v.reason}</p>}
      {v.text && <div class="spoken" data-field="text"><strong>Văn bản được đọc:</strong>{'\n'}{v.text}</div>}
      <Listen v={v} title={p.title} />
    </li>
  );
}

export function ProgramSettings({ p, errors, saved }: { p: ProgramView; errors?: Errors; saved?: string }) {
  return (
    <form id="program-settings" class="stack" hx-post={`/chuong-trinh/${p.id}/sua`} hx-swap="outerHTML">
      {saved && <p class="ok" role="status">{saved}</p>}
      <FormError errors={errors} />
      <div class="grid2">
        <Field label="Tiêu đề" name="title" errors={errors}><input name="title" value={p.title} required maxlength={200} /></Field>
        <Field label="Loại" name="category" errors={errors}><CategorySelect selected={p.category} /></Field>
      </div>
      <label class="check">
        <input type="checkbox" name="public" value="true" checked={p.public} />
        <span>Cho bà con nghe lại trên trang <a href="/nghe-lai" target="_blank">“Nghe lại”</a> (chỉ phiên bản đã duyệt)</span>
      </label>
      <button type="submit">Lưu</button>
    </form>
  );
}

export interface ProgramPageData { viewer: Viewer; p: ProgramView; names: Names; tz: string; error?: string }

export function ProgramPage({ data }: { data: ProgramPageData }) {
  const { p, viewer } = data;
  const canEdit = viewer.can.includes('programs.edit');
  return (
    <Layout title={p.title} viewer={viewer} section="/chuong-trinh">
      <p><a href="/chuong-trinh">← Chương trình</a></p>
      <div id="program" data-program-id={p.id} data-status={p.status} hx-get={`/chuong-trinh/${p.id}`} hx-select="#program" hx-disinherit="*" hx-swap="outerHTML" hx-trigger="sse:program">
        <h1>{p.title}</h1>
        <p class="muted">
          {CATEGORY_LABELS[p.category]} · {p.airingVersion ? `đang phát phiên bản ${p.airingVersion}` : 'chưa có phiên bản được duyệt'}
          {p.archived ? ' · đã lưu trữ' : ''} · tạo bởi {data.names(p.createdBy)}, {formatDateTime(p.createdAt, data.tz)}
        </p>
        {data.error && <p class="form-error" role="alert">{data.error}</p>}
        {canEdit && (p.status === 'draft' || p.status === 'rejected') && <p><SubmitButton p={p} /></p>}
        {viewer.can.includes('programs.decide') && p.status === 'pending' && <p><a class="button" href="/duyet">Nghe và quyết định</a></p>}
        <section class="card">
          <h2>Các phiên bản</h2>
          <ul class="programs">{(p.versions ?? []).map((v) => <VersionItem v={v} p={p} names={data.names} tz={data.tz} />)}</ul>
        </section>
      </div>
      {canEdit && (
        <section class="card">
          <h2>Sửa</h2>
          <ProgramSettings p={p} />
          <h3>Phiên bản mới</h3>
          <p class="muted">Tải tệp mới hoặc đọc lại văn bản ở trang <a href="/chuong-trinh">Chương trình</a>; phiên bản đang phát vẫn phát cho đến khi phiên bản mới được duyệt.</p>
          <h3>Lưu trữ, xoá</h3>
          <div class="row wrap" id="program-remove">
            <form hx-post={`/chuong-trinh/${p.id}/luu-tru`} hx-target="#program-remove" hx-swap="outerHTML">
              <input type="hidden" name="archived" value={p.archived ? 'false' : 'true'} />
              <button type="submit" class="secondary">{p.archived ? 'Bỏ lưu trữ' : 'Lưu trữ'}</button>
            </form>
            <form hx-post={`/chuong-trinh/${p.id}/xoa`} hx-target="#program-remove" hx-swap="outerHTML" hx-confirm={`Xoá hẳn “${p.title}”?`}>
              <button type="submit" class="danger">Xoá</button>
            </form>
          </div>
        </section>
      )}
    </Layout>
  );
}
