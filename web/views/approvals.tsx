import { CATEGORY_LABELS } from '../../server/domain/categories.js';
import type { ProgramView } from '../../server/programs/service.js';
import { formatDateTime, formatDuration } from '../format.js';
import { Empty, Field, FormError, type Errors } from './components.js';
import { Layout, type Viewer } from './layout.js';
import { Listen } from './program.js';
import { SOURCE_NAMES, type Names } from './programs.js';

/** One decision: everything the chair needs to hear and read, then approve, or reject with a reason. */
export function DecisionCard({ p, names, tz, errors }: { p: ProgramView; names: Names; tz: string; errors?: Errors }) {
  const v = p.latest;
  return (
    <li class="program card" data-program-id={p.id} data-status={p.status}>
      <h2>{p.title}</h2>
      <span class="muted">{CATEGORY_LABELS[p.category]} · phiên bản {v.version}{p.airingVersion ? ` (đang phát bản ${p.airingVersion})` : ''} · {SOURCE_NAMES[v.source]} · {formatDuration(v.asset.durationMs)}</span>
      <span class="muted">Gửi bởi {names(v.submittedBy ?? v.createdBy)}{v.submittedAt ? `, ${formatDateTime(v.submittedAt, tz)}` : ''}</span>
      {v.text && <div class="spoken" data-field="text"><strong>Văn bản được đọc:</strong>{'\n'}{v.text}</div>}
      <Listen v={v} title={p.title} />
      <FormError errors={errors} />
      <div class="decide">
        <form hx-post={`/duyet/${p.id}`} hx-target="closest li" hx-swap="outerHTML">
          <input type="hidden" name="version" value={String(v.version)} />
          <input type="hidden" name="decision" value="approve" />
          <button type="submit" data-action="approve">Duyệt phiên bản {v.version}</button>
        </form>
        <form class="stack" hx-post={`/duyet/${p.id}`} hx-target="closest li" hx-swap="outerHTML">
          <input type="hidden" name="version" value={String(v.version)} />
          <Field label="Lý do nếu từ chối" name="reason" errors={errors}><textarea name="reason" rows={2} required minlength={3} maxlength={1000}></textarea></Field>
          <input type="hidden" name="decision" value="reject" />
          <button type="submit" class="danger" data-action="reject">Từ chối</button>
        </form>
      </div>
    </li>
  );
}

/** What the chair sees once a decision is made: a line in place of the card. */
export const Decided = ({ p, approved }: { p: ProgramView; approved: boolean }) => (
  <li class="program decided" data-program-id={p.id} data-status={p.status} role="status">
    <span><strong>{p.title}</strong>: {approved ? 'đã duyệt' : 'đã từ chối'} phiên bản {p.latest.version}.</span>
  </li>
);

/**
 * Said when what waits changed while the chair was on the page; the list is not redrawn under their
 * fingers (a half-written reason would be lost) until they ask.
 */
export function InboxNews({ known, changed }: { known: string[]; changed?: boolean }) {
  return (
    <div id="inbox-news" hx-disinherit="*" hx-get={`/duyet/moi?biet=${known.join(',')}`} hx-trigger="sse:program, live-restored from:body" hx-swap="outerHTML">
      {changed && <p class="banner"><button type="button" class="secondary" hx-get="/duyet" hx-select="#inbox" hx-target="#inbox" hx-swap="outerHTML">Danh sách chờ duyệt vừa thay đổi — hiện danh sách mới</button></p>}
    </div>
  );
}

export function Inbox({ pending, names, tz }: { pending: ProgramView[]; names: Names; tz: string }) {
  return (
    <div id="inbox">
      <InboxNews known={pending.map((p) => p.id)} />
      <p class="summary" data-field="waiting">{pending.length ? `${pending.length} chương trình chờ duyệt` : 'Không có chương trình nào chờ duyệt.'}</p>
      {pending.length > 0 && <ul class="programs">{pending.map((p) => <DecisionCard p={p} names={names} tz={tz} />)}</ul>}
      {!pending.length && <Empty>Khi cán bộ văn hoá gửi duyệt, chương trình sẽ hiện ở đây.</Empty>}
    </div>
  );
}

export function ApprovalsPage({ viewer, pending, names, tz }: { viewer: Viewer; pending: ProgramView[]; names: Names; tz: string }) {
  return (
    <Layout title="Chờ duyệt" viewer={viewer} section="/duyet">
      <h1>Chờ duyệt</h1>
      <Inbox pending={pending} names={names} tz={tz} />
      <p><a href="/lich?xem=tuan">Lịch phát tuần tới</a></p>
    </Layout>
  );
}
