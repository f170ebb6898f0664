import { Hono, type Context } from 'hono';
import { can } from '../../server/auth/permissions.js';
import { CATEGORIES, type Category } from '../../server/domain/categories.js';
import { TEMPLATES } from '../../server/tts/templates.js';
import { formOf, need, type PanelDeps, type PanelEnv } from '../context.js';
import { explain, fieldErrors } from '../errors.js';
import { page } from '../html.js';
import { JobsList } from '../views/jobs.js';
import { ProgramPage, ProgramSettings } from '../views/program.js';
import { ProgramItem, ProgramsPage, TtsForm, type Names, type TtsValues } from '../views/programs.js';

const TTS_FIELDS = { title: 'Nhập tiêu đề.', text: 'Nhập nội dung cần đọc.', category: 'Chọn loại.' };

/** Programs: the three ways in (recording and upload in programs.ts; text here), the list, one program's page. */
export function programPages(d: PanelDeps) {
  const names = (): Names => {
    const users = new Map(d.auth.listUsers().map((u) => [u.id, u.displayName ?? u.username]));
    return (id) => (id ? users.get(id) ?? 'người dùng đã xoá' : 'không rõ');
  };
  async function ttsValues(c: Context) {
    const f = await formOf(c);
    const templateId = f.one('templateId');
    const t = TEMPLATES.find((x) => x.id === templateId);
    const fields = Object.fromEntries((t?.fields ?? []).map((x) => [x.name, f.one(`f-${templateId}-${x.name}`)]));
    const category = (CATEGORIES as readonly string[]).includes(f.one('category')) ? (f.one('category') as Category) : undefined;
    const values: TtsValues = { title: f.one('title'), category, templateId: t?.id, text: f.one('text'), fields };
    const speech = t ? { templateId: t.id, fields: Object.fromEntries(Object.entries(fields).filter(([, v]) => v)) } : { text: values.text };
    return { values, speech };
  }
  const ttsErrors = (e: Parameters<typeof fieldErrors>[0], v: TtsValues) => {
    if (e.code === 'template_incomplete') {
      const missing = ((e.details as { missing?: string[] })?.missing ?? []);
      return { _: explain(e), ...Object.fromEntries(missing.map((m) => [`f-${v.templateId}-${m}`, 'Điền ô này.'])) };
    }
    return fieldErrors(e, v.templateId ? { ...TTS_FIELDS, fields: 'Điền đủ các ô của mẫu.' } : TTS_FIELDS);
  };
  const item = (c: Context<PanelEnv>, id: string, error?: string) =>
    <ProgramItem p={d.programs.get(id)} names={names()} tz={d.timeZone} canEdit={can(c.get('user').role, 'programs.edit')} error={error} />;

  return new Hono<PanelEnv>()
    .get('/chuong-trinh', need('programs.view'), (c) => c.html(page(<ProgramsPage data={{
      viewer: c.get('viewer'), programs: d.programs.list(), jobs: d.jobs.list(), templates: TEMPLATES, names: names(), tz: d.timeZone,
      now: d.now(), maxUploadMb: d.maxUploadMb, archived: c.req.query('luu-tru') === '1',
    }} />)))
    .get('/chuong-trinh/viec', need('programs.view'), (c) => c.html(<JobsList jobs={d.jobs.list()} now={d.now()} />))
    .post('/chuong-trinh/doc-thu', need('programs.edit'), async (c) => {
      const { values, speech } = await ttsValues(c);
      const r = await d.api<{ spoken: string }>(c, '/api/tts/preview', { method: 'POST', json: speech });
      if (!r.ok) return c.html(<p class="form-error" role="alert">{r.error.code === 'invalid_request' ? 'Nhập nội dung hoặc chọn mẫu trước đã.' : ttsErrors(r.error, values)._ ?? explain(r.error)}</p>);
      return c.html(<p class="spoken"><strong>Máy sẽ đọc:</strong> {r.body.spoken}</p>);
    })
    .post('/chuong-trinh/doc', need('programs.edit'), async (c) => {
      const { values, speech } = await ttsValues(c);
      const r = await d.api(c, '/api/programs/tts', { method: 'POST', json: { title: values.title, category: values.category, ...speech } });
      if (!r.ok) return c.html(<TtsForm templates={TEMPLATES} values={values} errors={ttsErrors(r.error, values)} />);
      return c.html(<TtsForm templates={TEMPLATES} created={values.title} />, 202, { 'HX-Trigger': 'programs-changed' });
    })
    .get('/chuong-trinh/:id', need('programs.view'), (c) => {
      let p;
      try {
        p = d.programs.get(c.req.param('id'));
      } catch {
        return c.notFound();
      }
      return c.html(page(<ProgramPage data={{ viewer: c.get('viewer'), p, names: names(), tz: d.timeZone }} />));
    })
    .post('/chuong-trinh/:id/gui-duyet', need('programs.edit'), async (c) => {
      const id = c.req.param('id');
      const r = await d.api(c, `/api/programs/${encodeURIComponent(id)}/submit`, { method: 'POST' });
      return c.html(item(c, id, r.ok ? undefined : explain(r.error)));
    })
    .post('/chuong-trinh/:id/sua', need('programs.edit'), async (c) => {
      const id = c.req.param('id');
      const f = await formOf(c);
      const r = await d.api(c, `/api/programs/${encodeURIComponent(id)}`, { method: 'PATCH', json: { title: f.one('title'), category: f.one('category'), public: f.has('public') } });
      return c.html(<ProgramSettings p={d.programs.get(id)} errors={r.ok ? undefined : fieldErrors(r.error, { title: 'Nhập tiêu đề (tối đa 200 ký tự).' })} saved={r.ok ? 'Đã lưu.' : undefined} />);
    })
    .post('/chuong-trinh/:id/luu-tru', need('programs.edit'), async (c) => {
      const id = c.req.param('id');
      const f = await formOf(c);
      const r = await d.api(c, `/api/programs/${encodeURIComponent(id)}`, { method: 'PATCH', json: { archived: f.one('archived') === 'true' } });
      if (!r.ok) return c.html(<p id="program-remove" class="form-error" role="alert">{explain(r.error)}</p>);
      return c.body(null, 200, { 'HX-Refresh': 'true' });
    })
    .post('/chuong-trinh/:id/xoa', need('programs.edit'), async (c) => {
      const r = await d.api(c, `/api/programs/${encodeURIComponent(c.req.param('id'))}`, { method: 'DELETE' });
      if (!r.ok) return c.html(<p id="program-remove" class="form-error" role="alert">{explain(r.error)}</p>);
      return c.body(null, 200, { 'HX-Redirect': '/chuong-trinh' });
    });
}
