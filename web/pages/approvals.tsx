import { Hono } from 'hono';
import { formOf, need, type PanelDeps, type PanelEnv } from '../context.js';
import { fieldErrors } from '../errors.js';
import { page } from '../html.js';
import { ApprovalsPage, Decided, DecisionCard, InboxNews } from '../views/approvals.js';
import { PendingCount } from '../views/layout.js';
import type { Names } from '../views/programs.js';

/** The chair's inbox: what waits, each with its audio and text, approve or reject with a reason. */
export function approvalPages(d: PanelDeps) {
  const names = (): Names => {
    const users = new Map(d.auth.listUsers().map((u) => [u.id, u.displayName ?? u.username]));
    return (id) => (id ? users.get(id) ?? 'người dùng đã xoá' : 'không rõ');
  };
  // Oldest first: the chair works through them in the order they came.
  const pending = () => d.programs.list().filter((p) => p.status === 'pending')
    .sort((a, b) => (a.latest.submittedAt ?? 0) - (b.latest.submittedAt ?? 0)).map((p) => d.programs.get(p.id));

  return new Hono<PanelEnv>()
    .get('/duyet', need('programs.decide'), (c) => c.html(page(<ApprovalsPage viewer={c.get('viewer')} pending={pending()} names={names()} tz={d.timeZone} />)))
    .get('/duyet/dem', need('programs.decide'), (c) => c.html(<PendingCount n={d.programs.list().filter((p) => p.status === 'pending').length} />))
    .get('/duyet/moi', need('programs.decide'), (c) => {
      const known = new Set((c.req.query('biet') ?? '').split(',').filter(Boolean));
      const now = pending().map((p) => p.id);
      return c.html(<InboxNews known={[...known]} changed={now.length !== known.size || now.some((id) => !known.has(id))} />);
    })
    .post('/duyet/:id', need('programs.decide'), async (c) => {
      const id = c.req.param('id');
      const f = await formOf(c);
      const approve = f.one('decision') === 'approve';
      const r = await d.api(c, `/api/programs/${encodeURIComponent(id)}/${approve ? 'approve' : 'reject'}`, { method: 'POST', json: {
        version: Number(f.one('version')), ...(approve ? {} : { reason: f.one('reason') }),
      } });
      const p = d.programs.get(id);
      if (r.ok) return c.html(<Decided p={p} approved={approve} />);
      return c.html(<DecisionCard p={p} names={names()} tz={d.timeZone} errors={fieldErrors(r.error, { reason: 'Ghi lý do từ chối (ít nhất 3 ký tự).' })} />);
    });
}
