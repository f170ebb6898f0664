import { Hono, type Context } from 'hono';
import { riskLevel } from '../../server/broadcasts/risk-levels.js';
import { broadcastView } from '../../server/broadcasts/routes.js';
import type { BroadcastRow } from '../../server/broadcasts/service.js';
import { formOf, need, type PanelDeps, type PanelEnv } from '../context.js';
import { explain, fieldErrors } from '../errors.js';
import { formatDateTime, formatSpan } from '../format.js';
import { page } from '../html.js';
import type { Errors } from '../views/components.js';
import { ConfirmPage, EMPTY_VALUES, EmergencyForm, EmergencyPage, type CapWaiting, type Confirmation, type EmergencyValues } from '../views/emergency.js';
import { Board, BoardPage, type BoardTarget } from '../views/emergency-board.js';

const FIELDS = ['kind', 'programId', 'text', 'title', 'sha256', 'recordingMs', 'riskLevel', 'times', 'gapMinutes', 'expiryMinutes', 'note'] as const;
/** Which field an API refusal belongs to, so the sentence stands next to it. */
const FIELD_OF_CODE: Record<string, string> = {
  program_not_approved: 'programId', unknown_program: 'programId', not_found: 'programId', unknown_recording: 'recording', text_too_long: 'text', tts_failed: 'text',
  already_expired: 'expiryMinutes', not_audio: 'recording', no_audio_stream: 'recording', empty_audio: 'recording', corrupt_audio: 'recording', too_long: 'recording', too_large: 'recording',
};
const API_FIELDS = { zoneIds: 'Chọn ít nhất một thôn.', 'content.text': 'Văn bản cần đọc chưa hợp lệ.', 'content.title': 'Tiêu đề tối đa 200 ký tự.', note: 'Ghi chú tối đa 1.000 ký tự.' };

/**
 * `/khan-cap`: prepare an emergency broadcast (form → a confirmation that says how many loudspeakers
 * hear it now → air, or wait for an approver under the two-person rule), follow it live, stop it; and
 * the CAP alerts waiting for an approver's Phát / Bỏ qua. Every change goes through the API.
 */
export function emergencyPages(d: PanelDeps) {
  const hamlets = () => {
    const devices = d.devices.list();
    return d.zones.list().map((z) => {
      const mine = devices.filter((x) => x.zoneId === z.id);
      return { id: z.id, name: z.name, online: mine.filter((x) => x.online).length, total: mine.length };
    });
  };
  const approved = () => d.programs.list().filter((p) => p.airing && !p.archived).map((p) => ({ id: p.id, title: p.title, durationMs: p.airing!.durationMs }));
  const withCounts = (b: BroadcastRow) => ({ b, counts: broadcastView(d.broadcasts.get(b.id)).counts });
  const zoneNames = () => new Map(d.zones.list().map((z) => [z.id, z.name]));
  const capWaiting = (): CapWaiting[] => {
    const names = zoneNames();
    return d.cap.waiting().map((a) => ({
      id: a.id, headline: a.headline, event: String((a.alert as { info?: { event?: string }[] }).info?.[0]?.event ?? a.identifier), severity: a.severity, urgency: a.urgency,
      sender: a.sender, receivedAt: a.receivedAt, zoneNames: a.zoneIds.map((z) => names.get(z) ?? z),
    }));
  };

  const form = (values: EmergencyValues, errors?: Errors) => (
    <EmergencyForm values={values} hamlets={hamlets()} programs={approved()} risk={d.broadcasts.getSettings().riskLevels}
      defaultExpiryMinutes={d.emergencyExpiryMinutes} maxSpeechChars={d.maxSpeechChars} errors={errors} />
  );
  const listPage = (c: Context<PanelEnv>, values = EMPTY_VALUES, errors?: Errors, notice?: string) => c.html(page(
    <EmergencyPage viewer={c.get('viewer')} list={d.broadcasts.list(30).map(withCounts)} caps={capWaiting()} tz={d.timeZone} notice={notice}
      form={c.get('viewer').can.includes('broadcasts.prepare') ? form(values, errors) : null} />,
  ));

  async function valuesOf(c: Context<PanelEnv>): Promise<{ v: EmergencyValues; file: File | null }> {
    const body = await c.req.parseBody({ all: true });
    const one = (k: string) => {
      const x = body[k];
      const first = Array.isArray(x) ? x[0] : x;
      return typeof first === 'string' ? first.trim() : '';
    };
    const zones = ([] as unknown[]).concat(body.zones ?? []).map(String);
    const v = { ...EMPTY_VALUES, zones: zones.includes('all') ? ['all'] : zones };
    for (const k of FIELDS) (v as Record<string, unknown>)[k] = one(k);
    if (!['program', 'text', 'recording'].includes(v.kind)) v.kind = 'program';
    const f = body.recording;
    const file = f instanceof File && f.size > 0 ? f : null;
    return { v, file };
  }

  /** The form's own checks, in Vietnamese, before anything is asked of the API. */
  function check(v: EmergencyValues): Errors | null {
    const e: Errors = {};
    if (!v.zones.length) e.zones = 'Chọn ít nhất một thôn, hoặc “Tất cả các thôn”.';
    if (v.kind === 'program' && !v.programId) e.programId = 'Chọn một chương trình đã duyệt.';
    if (v.kind === 'text' && !v.text) e.text = 'Nhập văn bản cần đọc.';
    if (v.kind === 'text' && v.text.length > d.maxSpeechChars) e.text = `Văn bản dài quá ${d.maxSpeechChars.toLocaleString('vi-VN')} ký tự; hãy rút gọn.`;
    if (v.kind === 'recording' && !v.sha256) e.recording = 'Hãy ghi âm hoặc chọn một tệp âm thanh.';
    return Object.keys(e).length ? e : null;
  }

  /**
   * How often it plays: what the officer chose, else the risk level's row of the commune's table, else
   * once. `chosen` says whether the officer set either (only then does the API get a `repeat`).
   */
  function repeatOf(v: EmergencyValues) {
    const level = Number(v.riskLevel);
    const byLevel = level ? riskLevel(d.broadcasts.getSettings().riskLevels, level) : null;
    return {
      times: Number(v.times) || byLevel?.repeats || 1,
      gapSeconds: v.gapMinutes !== '' ? Number(v.gapMinutes) * 60 : byLevel?.gapSeconds ?? 0,
      chosen: !!v.times || v.gapMinutes !== '',
    };
  }

  function confirmation(c: Context<PanelEnv>, v: EmergencyValues): Confirmation {
    const all = v.zones.includes('all');
    const chosen = hamlets().filter((h) => all || v.zones.includes(h.id));
    const { times, gapSeconds: gap } = repeatOf(v);
    const expiry = Number(v.expiryMinutes) || d.emergencyExpiryMinutes;
    const what = v.kind === 'program' ? `Chương trình “${d.programs.get(v.programId).title}”`
      : v.kind === 'text' ? `Máy đọc: “${v.text.length > 160 ? `${v.text.slice(0, 160)}…` : v.text}”` : `Bản ghi âm tại chỗ${v.title ? ` “${v.title}”` : ''}`;
    return {
      values: v, what, where: all ? ['Tất cả các thôn'] : chosen.map((h) => h.name),
      online: chosen.reduce((n, h) => n + h.online, 0), offline: chosen.reduce((n, h) => n + h.total - h.online, 0),
      plays: times === 1 ? '1 lần' : `${times} lần, cách nhau ${gap ? formatSpan(gap * 1000) : 'liền'}`,
      expires: `${formatDateTime(d.now() + expiry * 60_000, d.timeZone)} (sau ${formatSpan(expiry * 60_000)})`,
      direct: c.get('viewer').can.includes('broadcasts.fire') || !d.broadcasts.getSettings().twoPerson[v.kind],
    };
  }

  const apiBody = (v: EmergencyValues) => {
    const { times, gapSeconds, chosen } = repeatOf(v);
    const content = v.kind === 'program' ? { type: 'program', programId: v.programId }
      : v.kind === 'text' ? { type: 'text', text: v.text, ...(v.title ? { title: v.title } : {}) }
      : { type: 'recording', sha256: v.sha256, ...(v.title ? { title: v.title } : {}) };
    return {
      zoneIds: v.zones.includes('all') ? 'all' : v.zones, content, riskLevel: Number(v.riskLevel) || undefined, repeat: chosen ? { times, gapSeconds } : undefined,
      expiresAt: v.expiryMinutes ? new Date(d.now() + Number(v.expiryMinutes) * 60_000).toISOString() : undefined, note: v.note || undefined,
    };
  };

  const board = (id: string, viewerCanCancel: boolean) => {
    const view = broadcastView(d.broadcasts.get(id));
    const names = zoneNames();
    const devices = new Map(d.devices.list().map((x) => [x.id, x.name]));
    const targets: BoardTarget[] = view.targets.map((t) => ({
      deviceId: t.deviceId, deviceName: devices.get(t.deviceId) ?? t.deviceId, zoneName: names.get(t.zoneId) ?? t.zoneId,
      status: t.status, reason: t.reason, offlineSince: t.offlineSince, updatedAt: t.updatedAt,
    })).sort((a, b) => a.zoneName.localeCompare(b.zoneName, 'vi') || a.deviceName.localeCompare(b.deviceName, 'vi'));
    return <Board b={view.broadcast} targets={targets} counts={view.counts} tz={d.timeZone} now={d.now()} canCancel={viewerCanCancel} />;
  };
  // Whoever started a broadcast may stop it; an approver may stop any (the API decides, the page offers).
  const mayCancel = (c: Context<PanelEnv>, b: BroadcastRow) => c.get('viewer').can.includes('broadcasts.cancel') || b.createdBy === c.get('user').id;

  return new Hono<PanelEnv>()
    .get('/khan-cap', need('broadcasts.view'), (c) => listPage(c))
    .post('/khan-cap/kiem-tra', need('broadcasts.prepare'), async (c) => {
      const { v, file } = await valuesOf(c);
      if (file) {
        // Without script the recording comes with the form: it is sent on to the API as it is.
        const data = new FormData();
        data.set('file', file, file.name || 'ghi-am');
        const r = await d.api<{ recording: { sha256: string; durationMs: number } }>(c, '/api/broadcasts/recordings', { method: 'POST', form: data });
        if (!r.ok) return listPage(c, v, { recording: explain(r.error) });
        Object.assign(v, { kind: 'recording', sha256: r.body.recording.sha256, recordingMs: String(r.body.recording.durationMs) });
      }
      const errors = check(v);
      if (errors) return listPage(c, v, errors);
      return c.html(page(<ConfirmPage viewer={c.get('viewer')} c={confirmation(c, v)} />));
    })
    .post('/khan-cap/sua', need('broadcasts.prepare'), async (c) => listPage(c, (await valuesOf(c)).v))
    .post('/khan-cap', need('broadcasts.prepare'), async (c) => {
      const { v } = await valuesOf(c);
      const errors = check(v);
      if (errors) return listPage(c, v, errors);
      const r = await d.api<{ broadcast: { broadcast: { id: string } } }>(c, '/api/broadcasts/emergency', { method: 'POST', json: apiBody(v) });
      if (!r.ok) return listPage(c, v, fieldErrors(r.error, API_FIELDS, FIELD_OF_CODE));
      return c.redirect(`/khan-cap/${r.body.broadcast.broadcast.id}`, 303);
    })
    .post('/khan-cap/cap/:id/:decision{phat|bo-qua}', need('broadcasts.confirm'), async (c) => {
      const air = c.req.param('decision') === 'phat';
      const r = await d.api(c, `/api/cap/alerts/${encodeURIComponent(c.req.param('id'))}/${air ? 'confirm' : 'dismiss'}`, { method: 'POST' });
      if (!r.ok) return listPage(c, EMPTY_VALUES, undefined, explain(r.error));
      const id = (r.body as { alert?: { broadcastId?: string | null } }).alert?.broadcastId;
      return c.redirect(air && id ? `/khan-cap/${id}` : '/khan-cap', 303);
    })
    .get('/khan-cap/:id', need('broadcasts.view'), (c) => {
      const b = d.broadcasts.get(c.req.param('id')).broadcast;
      return c.html(page(<BoardPage viewer={c.get('viewer')} b={b}>{board(b.id, mayCancel(c, b))}</BoardPage>));
    })
    .get('/khan-cap/:id/bang', need('broadcasts.view'), (c) => {
      const b = d.broadcasts.get(c.req.param('id')).broadcast;
      return c.html(board(b.id, mayCancel(c, b)));
    })
    .post('/khan-cap/:id/dung', need('broadcasts.view'), async (c) => {
      const id = c.req.param('id');
      const f = await formOf(c);
      const r = await d.api(c, `/api/broadcasts/${encodeURIComponent(id)}/cancel`, { method: 'POST', json: { reason: f.one('reason') || undefined } });
      if (!r.ok) return listPage(c, EMPTY_VALUES, undefined, explain(r.error));
      return c.redirect(`/khan-cap/${id}`, 303);
    })
    .post('/khan-cap/:id/xac-nhan', need('broadcasts.confirm'), async (c) => {
      const id = c.req.param('id');
      const r = await d.api(c, `/api/broadcasts/${encodeURIComponent(id)}/confirm`, { method: 'POST' });
      if (!r.ok) return listPage(c, EMPTY_VALUES, undefined, explain(r.error));
      return c.redirect(`/khan-cap/${id}`, 303);
    });
}
