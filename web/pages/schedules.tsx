import { Hono, type Context } from 'hono';
import { scheduleInstants } from '../../server/domain/occurrences.js';
import type { ConflictView, QuietHit } from '../../server/schedules/plan.js';
import type { ScheduleInput } from '../../server/schedules/service.js';
import { formOf, need, type PanelDeps, type PanelEnv } from '../context.js';
import { explain, type ApiErrorBody } from '../errors.js';
import { page } from '../html.js';
import { describeRule, FormProblem } from '../schedule-rule.js';
import { bodyOf, defaultValues, todayOf, ValueProblem, valuesOf, valuesOfSchedule } from '../schedule-values.js';
import { Slot, SLOT_FIELDS, type ScheduleValues } from '../views/schedule-form.js';
import { SchedulePreview, type PreviewData } from '../views/schedule-preview.js';
import { ScheduleEditPage, SchedulesListPage } from '../views/schedules.js';

const YEAR = 366 * 86400_000;
/** Which form field an invalid_request path of the API belongs to. */
const FIELD_OF_PATH: Record<string, string> = { programId: 'programId', programIds: 'programId', zoneIds: 'zoneIds', rule: 'time', volume: 'volume', repeat: 'repeatTimes', validUntil: 'validUntil' };

/** Schedules: the form with its live dry run, saving, editing, deleting, and the list. */
export function schedulePages(d: PanelDeps) {
  const tz = d.timeZone;
  const choosable = () => d.programs.list().filter((p) => p.airingVersion !== null && !p.archived);

  /** The dry run (or the save) said back: the preview, and each field's error in its slot. */
  async function answer(c: Context<PanelEnv>, v: ScheduleValues, path: string, method: 'POST' | 'PATCH', save: boolean) {
    const slots: Record<string, string> = {};
    const p: PreviewData = { next: [], count: 0, conflicts: [], quietHours: [], conflictsRefuse: v.priority === 'normal', tz };
    let body;
    try {
      body = bodyOf(v, tz);
      p.description = describeRule(body.rule, tz);
    } catch (err) {
      if (!(err instanceof FormProblem || err instanceof ValueProblem)) throw err;
      slots[err.field] = err.message;
      p.error = 'Điền đủ các ô được đánh dấu để xem các lượt phát.';
    }
    let saved: { schedule: { id: string } } | null = null;
    if (body) {
      const r = await d.api<{ conflicts: ConflictView[]; quietHours: QuietHit[]; schedule: { id: string } }>(c, save ? path : `${path}?dryRun=true`, { method, json: body });
      if (r.ok) {
        if (save) saved = r.body;
        else Object.assign(p, { conflicts: r.body.conflicts, quietHours: r.body.quietHours });
        const input = { id: 'preview', ...body, programIds: 'programIds' in body ? body.programIds : [body.programId], validUntil: body.validUntil ? Date.parse(body.validUntil) : null } as ScheduleInput & { id: string };
        const all = scheduleInstants(input, { from: d.now(), to: d.now() + YEAR }, tz);
        Object.assign(p, { next: all.slice(0, 6), count: all.length });
      } else {
        Object.assign(p, refusal(r.error, slots));
      }
    }
    if (saved) {
      const first = p.next[0];
      return c.body(null, 201, { 'HX-Redirect': `/lich${first ? `?ngay=${todayOf(first, tz)}` : ''}` });
    }
    return c.html(
      <>
        <SchedulePreview p={p} />
        {SLOT_FIELDS.map((f) => <Slot name={f} message={slots[f]} oob />)}
      </>,
    );
  }

  /** What the API refused, placed: quiet hours and conflicts in the preview, a bad field beside it. */
  function refusal(e: ApiErrorBody, slots: Record<string, string>): Partial<PreviewData> {
    const details = (e.details ?? {}) as { hits?: QuietHit[]; conflicts?: ConflictView[] };
    if (e.code === 'quiet_hours') return { quietHours: details.hits ?? [] };
    if (e.code === 'conflict') return { conflicts: details.conflicts ?? [], conflictsRefuse: true };
    if (e.code === 'invalid_request' && Array.isArray(e.details)) {
      for (const x of e.details as { path: string }[]) slots[FIELD_OF_PATH[x.path.split('.')[0]] ?? 'time'] ??= 'Giá trị này chưa hợp lệ.';
    }
    if (e.code === 'program_not_approved' || e.code === 'unknown_program') slots.programId = explain(e);
    if (e.code === 'unknown_zone') slots.zoneIds = explain(e);
    return { error: explain(e) };
  }

  const editData = (c: Context<PanelEnv>, v: ScheduleValues, id?: string) => ({
    viewer: c.get('viewer'), v, programs: choosable(), zones: d.zones.list(), scheduleId: id,
    title: id ? describeRule(d.schedules.get(id).rule, tz) : undefined,
  });

  return new Hono<PanelEnv>()
    .get('/lich/moi', need('schedules.edit'), (c) =>
      c.html(page(<ScheduleEditPage data={editData(c, defaultValues(todayOf(d.now(), tz), c.req.query('chuong-trinh') ?? ''))} />)))
    .post('/lich/moi/thu', need('schedules.edit'), async (c) => answer(c, valuesOf(await formOf(c)), '/api/schedules', 'POST', false))
    .post('/lich/moi', need('schedules.edit'), async (c) => answer(c, valuesOf(await formOf(c)), '/api/schedules', 'POST', true))
    .get('/lich/danh-sach', need('schedules.view'), (c) => {
      const titles = new Map(d.programs.list().map((p) => [p.id, p.title]));
      const zones = new Map(d.zones.list().map((z) => [z.id, z.name]));
      return c.html(page(<SchedulesListPage viewer={c.get('viewer')} schedules={d.schedules.list()} titles={titles} zones={zones} tz={tz} />));
    })
    .get('/lich/:id', need('schedules.view'), (c) => {
      let s;
      try {
        s = d.schedules.get(c.req.param('id'));
      } catch {
        return c.notFound();
      }
      return c.html(page(<ScheduleEditPage data={editData(c, valuesOfSchedule(s, tz, todayOf(d.now(), tz)), s.id)} />));
    })
    .post('/lich/:id/thu', need('schedules.edit'), async (c) => answer(c, valuesOf(await formOf(c)), `/api/schedules/${encodeURIComponent(c.req.param('id'))}`, 'PATCH', false))
    .post('/lich/:id', need('schedules.edit'), async (c) => answer(c, valuesOf(await formOf(c)), `/api/schedules/${encodeURIComponent(c.req.param('id'))}`, 'PATCH', true))
    .post('/lich/:id/xoa', need('schedules.edit'), async (c) => {
      const r = await d.api(c, `/api/schedules/${encodeURIComponent(c.req.param('id'))}`, { method: 'DELETE' });
      if (!r.ok) return c.html(<p class="form-error" role="alert">{explain(r.error)}</p>);
      return c.body(null, 200, { 'HX-Redirect': '/lich/danh-sach' });
    });
}
