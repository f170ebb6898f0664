import type { Child } from 'hono/jsx';
import { RISK_COLOURS, RISK_LABELS, type RiskLevel } from '../../server/broadcasts/risk-levels.js';
import type { BroadcastRow } from '../../server/broadcasts/service.js';
import { formatDateTime, formatDuration, formatSpan } from '../format.js';
import { Empty, Field, FormError, type Errors } from './components.js';
import { Layout, type Viewer } from './layout.js';

/** What the officer chose, as the form carries it from the form to the confirmation and back. */
export interface EmergencyValues {
  zones: string[];
  kind: 'program' | 'text' | 'recording';
  programId: string;
  text: string;
  title: string;
  /** A recording already on the server (uploaded at the check step). */
  sha256: string;
  recordingMs: string;
  riskLevel: string;
  times: string;
  gapMinutes: string;
  expiryMinutes: string;
  note: string;
}
export const EMPTY_VALUES: EmergencyValues = {
  zones: ['all'], kind: 'program', programId: '', text: '', title: '', sha256: '', recordingMs: '', riskLevel: '', times: '', gapMinutes: '', expiryMinutes: '', note: '',
};

export interface HamletChoice { id: string; name: string; online: number; total: number }
export interface ProgramChoice { id: string; title: string; durationMs: number }
export type CapWaiting = { id: string; headline: string | null; event: string; severity: string | null; urgency: string | null; sender: string; receivedAt: number; zoneNames: string[] };

export const STATUS_LABELS: Record<string, string> = {
  'awaiting-confirmation': 'Chờ xác nhận', active: 'Đang phát', cancelled: 'Đã dừng', expired: 'Đã hết hạn', rejected: 'Bị từ chối',
};
export const TARGET_LABELS: Record<string, string> = {
  pending: 'Chờ kết nối', sent: 'Đã gửi', received: 'Đã nhận', playing: 'Đang phát', played: 'Đã phát xong', missed: 'Bị lỡ',
  cancelled: 'Đã dừng', expired: 'Hết hạn', failed: 'Lỗi', rejected: 'Từ chối',
};
const KIND_LABELS = { program: 'Chương trình đã duyệt', text: 'Đọc văn bản', recording: 'Ghi âm tại chỗ' } as const;
const EXPIRY_CHOICES = [30, 60, 120, 180, 360, 720, 1440];
const expiryText = (m: number) => (m < 60 ? `${m} phút` : `${m / 60} giờ`);

/** The level's colour as a swatch and its name: the decision's colours, never colour alone. */
export function RiskBadge({ level }: { level: number | null }) {
  if (!level) return <span class="badge risk-none">Không nêu cấp độ</span>;
  const c = RISK_COLOURS[level as RiskLevel['level']];
  return <span class="badge risk" style={`--risk:${c.hex}`} data-risk={String(level)}>{RISK_LABELS[level as RiskLevel['level']]}</span>;
}

/** The form: where, what, how urgent; nothing to type that a list can offer. */
export function EmergencyForm({ values: v, hamlets, programs, risk, defaultExpiryMinutes, maxSpeechChars, errors }: {
  values: EmergencyValues; hamlets: HamletChoice[]; programs: ProgramChoice[]; risk: RiskLevel[]; defaultExpiryMinutes: number; maxSpeechChars: number; errors?: Errors;
}) {
  const all = v.zones.includes('all');
  const online = hamlets.reduce((n, h) => n + h.online, 0);
  const total = hamlets.reduce((n, h) => n + h.total, 0);
  return (
    <form id="emergency-form" class="card stack emergency-form" method="post" action="/khan-cap/kiem-tra" enctype="multipart/form-data">
      <h2>Phát khẩn cấp mới</h2>
      <FormError errors={errors} />
      <fieldset class={`field${errors?.zones ? ' invalid' : ''}`} data-field="zones">
        <legend class="label">Phát tới</legend>
        <label class="check"><input type="checkbox" name="zones" value="all" checked={all} /> <strong>Tất cả các thôn</strong> <span class="muted">({online}/{total} cụm loa đang trực tuyến)</span></label>
        <div class="hamlet-choices">
          {hamlets.map((h) => (
            <label class="check"><input type="checkbox" name="zones" value={h.id} checked={!all && v.zones.includes(h.id)} /> {h.name} <span class="muted">({h.online}/{h.total})</span></label>
          ))}
        </div>
        {errors?.zones && <p class="field-error" role="alert">{errors.zones}</p>}
      </fieldset>
      <fieldset class={`field${errors?.content ? ' invalid' : ''}`} data-field="content">
        <legend class="label">Nội dung</legend>
        <div class="kinds">
          {(['program', 'text', 'recording'] as const).map((k) => (
            <label class="check"><input type="radio" name="kind" value={k} checked={v.kind === k} /> {KIND_LABELS[k]}</label>
          ))}
        </div>
        <Field label="Chương trình đã duyệt" name="programId" errors={errors}>
          <select name="programId">
            <option value="">— chọn chương trình —</option>
            {programs.map((p) => <option value={p.id} selected={p.id === v.programId}>{`${p.title} (${formatDuration(p.durationMs)})`}</option>)}
          </select>
        </Field>
        <Field label="Văn bản cần đọc (máy đọc ngay)" name="text" errors={errors} hint={`Tối đa ${maxSpeechChars.toLocaleString('vi-VN')} ký tự; viết như nói, ví dụ: “Nước sông đang lên nhanh, bà con di chuyển lên chỗ cao ngay.”`}>
          <textarea name="text" rows={4} maxlength={maxSpeechChars}>{v.text}</textarea>
        </Field>
        <Field label="Ghi âm tại chỗ" name="recording" errors={errors} hint="Trên điện thoại, nút này mở máy ghi âm; cũng có thể chọn một tệp âm thanh.">
          <input type="file" name="recording" accept="audio/*" capture="user" />
        </Field>
        {v.sha256 && <p class="muted">Đã có bản ghi âm ({formatDuration(Number(v.recordingMs) || 0)}); chọn tệp khác để thay.</p>}
        <input type="hidden" name="sha256" value={v.sha256} />
        <input type="hidden" name="recordingMs" value={v.recordingMs} />
        <Field label="Tiêu đề (không bắt buộc)" name="title" errors={errors} hint="Hiện trong nhật ký phát và báo cáo, ví dụ “Cảnh báo lũ”.">
          <input name="title" value={v.title} maxlength={200} />
        </Field>
        {errors?.content && <p class="field-error" role="alert">{errors.content}</p>}
      </fieldset>
      <fieldset class="field" data-field="riskLevel">
        <legend class="label">Cấp độ rủi ro thiên tai (Quyết định 18/2021/QĐ-TTg)</legend>
        <div class="risk-choices">
          <label class="check"><input type="radio" name="riskLevel" value="" checked={!v.riskLevel} /> Không nêu</label>
          {risk.map((r) => (
            <label class="check risk-choice" style={`--risk:${RISK_COLOURS[r.level].hex}`}>
              <input type="radio" name="riskLevel" value={String(r.level)} checked={v.riskLevel === String(r.level)} />
              <span>{RISK_LABELS[r.level]}</span>
              <small class="muted">{`phát ${r.repeats} lần, cách ${formatSpan(r.gapSeconds * 1000)}, âm lượng ${r.volume}%`}</small>
            </label>
          ))}
        </div>
      </fieldset>
      <div class="row wrap">
        <Field label="Số lần phát" name="times" errors={errors}>
          <select name="times">
            <option value="">Theo cấp độ rủi ro (hoặc 1 lần)</option>
            {[1, 2, 3, 4, 5, 6, 8, 10].map((n) => <option value={String(n)} selected={v.times === String(n)}>{`${n} lần`}</option>)}
          </select>
        </Field>
        <Field label="Cách nhau" name="gapMinutes" errors={errors}>
          <select name="gapMinutes">
            <option value="">Theo cấp độ rủi ro</option>
            {[0, 1, 2, 3, 5, 10, 15, 30].map((n) => <option value={String(n)} selected={v.gapMinutes === String(n)}>{n ? `${n} phút` : 'liền nhau'}</option>)}
          </select>
        </Field>
        <Field label="Cụm loa mất kết nối vẫn nhận trong" name="expiryMinutes" errors={errors}>
          <select name="expiryMinutes">
            <option value="">{`Mặc định (${expiryText(defaultExpiryMinutes)})`}</option>
            {EXPIRY_CHOICES.map((m) => <option value={String(m)} selected={v.expiryMinutes === String(m)}>{expiryText(m)}</option>)}
          </select>
        </Field>
      </div>
      <Field label="Ghi chú (lý do, chỉ đạo của ai)" name="note" errors={errors}>
        <input name="note" value={v.note} maxlength={1000} />
      </Field>
      <button type="submit" class="fire big" data-action="check">Kiểm tra trước khi phát</button>
    </form>
  );
}

/** Everything the form chose, as hidden fields: the confirmation step posts them on, or back to the form. */
const Carried = ({ v }: { v: EmergencyValues }) => (
  <>
    {v.zones.map((z) => <input type="hidden" name="zones" value={z} />)}
    {(['kind', 'programId', 'text', 'title', 'sha256', 'recordingMs', 'riskLevel', 'times', 'gapMinutes', 'expiryMinutes', 'note'] as const)
      .map((k) => <input type="hidden" name={k} value={v[k]} />)}
  </>
);

export interface Confirmation {
  values: EmergencyValues;
  what: string;
  where: string[];
  online: number;
  offline: number;
  plays: string;
  expires: string;
  /** True when it goes out at once; false when an approver must confirm it first. */
  direct: boolean;
}

/** The last look before air: where, how many loudspeakers hear it now, what, how often. */
export function ConfirmPage({ viewer, c, errors }: { viewer: Viewer; c: Confirmation; errors?: Errors }) {
  return (
    <Layout title="Xác nhận phát khẩn cấp" viewer={viewer} section="/khan-cap">
      <h1>Xác nhận phát khẩn cấp</h1>
      <section class="card confirm-card" data-risk={c.values.riskLevel || undefined}>
        <FormError errors={errors} />
        <dl class="facts">
          <div><dt>Nội dung</dt><dd>{c.what}</dd></div>
          <div><dt>Phát tới</dt><dd>{c.where.join(', ')}</dd></div>
          <div><dt>Cụm loa</dt><dd><strong data-online={String(c.online)}>{c.online} đang trực tuyến sẽ phát ngay</strong>{c.offline ? `; ${c.offline} đang mất kết nối sẽ phát khi kết nối lại (nếu chưa hết hạn)` : ''}</dd></div>
          <div><dt>Cấp độ</dt><dd><RiskBadge level={Number(c.values.riskLevel) || null} /></dd></div>
          <div><dt>Số lần</dt><dd>{c.plays}</dd></div>
          <div><dt>Hết hạn</dt><dd>{c.expires}</dd></div>
          {c.values.note && <div><dt>Ghi chú</dt><dd>{c.values.note}</dd></div>}
        </dl>
        {!c.direct && <p class="banner-inline">Theo quy định hai người của xã, bản tin này cần một lãnh đạo khác xác nhận trước khi phát.</p>}
        <div class="row wrap">
          <form method="post" action="/khan-cap">
            <Carried v={c.values} />
            <button type="submit" class="fire big" data-action="fire">{c.direct ? 'PHÁT NGAY' : 'Gửi để lãnh đạo xác nhận'}</button>
          </form>
          <form method="post" action="/khan-cap/sua">
            <Carried v={c.values} />
            <button type="submit" class="ghost-dark">Sửa lại</button>
          </form>
        </div>
      </section>
    </Layout>
  );
}

export const Counts = ({ counts }: { counts: Record<string, number> }) => (
  <span class="counts">{Object.entries(counts).map(([s, n]) => <span class={`chip st-${s}`}>{`${TARGET_LABELS[s] ?? s}: ${n}`}</span>)}</span>
);

/** One broadcast in the list: status, level, reach, and what the viewer may do with it. */
export function BroadcastCard({ b, counts, tz, viewer }: { b: BroadcastRow; counts: Record<string, number>; tz: string; viewer: Viewer }) {
  const open = b.status === 'active' || b.status === 'awaiting-confirmation';
  return (
    <li class={`broadcast card st-${b.status}`} data-broadcast-id={b.id} style={b.riskLevel ? `--risk:${RISK_COLOURS[b.riskLevel as RiskLevel['level']].hex}` : undefined}>
      <div class="program-head">
        <a href={`/khan-cap/${b.id}`}><strong>{b.title}</strong></a>
        <span class={`badge st-${b.status}`}>{STATUS_LABELS[b.status] ?? b.status}</span>
        <RiskBadge level={b.riskLevel} />
      </div>
      <span class="muted">{`${formatDateTime(b.firedAt ?? b.createdAt, tz)} · ${b.createdByName ?? 'không rõ'}${b.source === 'cap' ? ' · từ cảnh báo CAP' : ''}`}</span>
      <Counts counts={counts} />
      {open && (
        <div class="row wrap">
          {b.status === 'awaiting-confirmation' && viewer.can.includes('broadcasts.confirm') && (
            <form method="post" action={`/khan-cap/${b.id}/xac-nhan`}><button type="submit" class="danger" data-action="confirm">Xác nhận và phát</button></form>
          )}
          <a class="button" href={`/khan-cap/${b.id}`}>Theo dõi</a>
        </div>
      )}
    </li>
  );
}

/** A CAP alert waiting for a person: what the province says, where, and Phát / Bỏ qua. */
export function CapCard({ a, tz, canDecide }: { a: CapWaiting; tz: string; canDecide: boolean }) {
  return (
    <li class="card cap-alert" data-cap-id={a.id}>
      <div class="program-head"><strong>{a.headline ?? a.event}</strong><span class="badge st-awaiting-confirmation">Cảnh báo CAP chờ quyết định</span></div>
      <span class="muted">{`${a.sender} · ${formatDateTime(a.receivedAt, tz)}${a.severity ? ` · mức ${a.severity}` : ''}`}</span>
      <span>{a.zoneNames.length ? `Thôn trong vùng cảnh báo: ${a.zoneNames.join(', ')}` : 'Không thôn nào của xã nằm trong vùng cảnh báo.'}</span>
      {canDecide && (
        <div class="row wrap">
          {a.zoneNames.length > 0 && <form method="post" action={`/khan-cap/cap/${a.id}/phat`}><button type="submit" class="danger" data-action="cap-air">Phát</button></form>}
          <form method="post" action={`/khan-cap/cap/${a.id}/bo-qua`}><button type="submit" class="ghost-dark" data-action="cap-dismiss">Bỏ qua</button></form>
        </div>
      )}
    </li>
  );
}

export function EmergencyPage({ viewer, list, caps, tz, form, notice }: {
  viewer: Viewer; list: { b: BroadcastRow; counts: Record<string, number> }[]; caps: CapWaiting[]; tz: string; form: Child; notice?: string;
}) {
  const open = list.filter((x) => x.b.status === 'active' || x.b.status === 'awaiting-confirmation');
  const past = list.filter((x) => !open.includes(x));
  return (
    <Layout title="Phát khẩn cấp" viewer={viewer} section="/khan-cap" scripts={['emergency.js']}>
      <h1>Phát khẩn cấp</h1>
      {notice && <p class="form-error" role="alert">{notice}</p>}
      {caps.length > 0 && <ul class="programs">{caps.map((a) => <CapCard a={a} tz={tz} canDecide={viewer.can.includes('broadcasts.confirm')} />)}</ul>}
      {open.length > 0 && (
        <section>
          <h2>Đang phát hoặc chờ xác nhận</h2>
          <ul class="programs">{open.map((x) => <BroadcastCard b={x.b} counts={x.counts} tz={tz} viewer={viewer} />)}</ul>
        </section>
      )}
      {form}
      <section class="card">
        <h2>Đã phát gần đây</h2>
        {past.length ? <ul class="programs">{past.map((x) => <BroadcastCard b={x.b} counts={x.counts} tz={tz} viewer={viewer} />)}</ul> : <Empty>Chưa có bản tin khẩn cấp nào.</Empty>}
      </section>
    </Layout>
  );
}
