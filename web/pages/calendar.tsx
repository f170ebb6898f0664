import { Hono, type Context } from 'hono';
import { can } from '../../server/auth/permissions.js';
import { scheduleInstants } from '../../server/domain/occurrences.js';
import { strictInstant, zoneOffsetMinutes } from '../../server/domain/time.js';
import { calendarEvents, fromFloating } from '../calendar-events.js';
import { formOf, need, type PanelDeps, type PanelEnv } from '../context.js';
import { explain } from '../errors.js';
import { page } from '../html.js';
import { describeRule } from '../schedule-rule.js';
import { todayOf } from '../schedule-values.js';
import { CalendarPage, OccurrenceDetails, type OccurrenceData } from '../views/calendar.js';

/** The calendar: the page, its events (JSON, for FullCalendar), one play's details, skipping one play. */
export function calendarPages(d: PanelDeps) {
  const tz = d.timeZone;

  function occurrence(c: Context<PanelEnv>, scheduleId: string, at: number): OccurrenceData | null {
    let s;
    try {
      s = d.schedules.get(scheduleId);
    } catch {
      return null;
    }
    // The play at `at` (a series picks its episode by position: ask the calendar's own expansion).
    const ev = calendarEvents([s], d.programs.list(), { from: at, to: at + 1 }, tz).find((e) => Date.parse(e.extendedProps.at) === at);
    if (!ev && !scheduleInstants(s, { from: at, to: at + 1 }, tz).length) return null;
    const p = d.programs.get(ev?.extendedProps.programId ?? s.programIds[0]);
    const zones = s.zoneIds === 'all' ? 'Tất cả các thôn' : d.zones.list().filter((z) => s.zoneIds.includes(z.id)).map((z) => z.name).join(', ');
    return {
      scheduleId, at, title: p.title, programId: p.id, category: p.category, durationMs: (p.airing ?? p.asset).durationMs, priority: s.priority,
      zones, rule: describeRule(s.rule, tz), canSkip: can(c.get('user').role, 'schedules.edit') && s.rule.type !== 'once', tz,
    };
  }

  return new Hono<PanelEnv>()
    .get('/lich', need('schedules.view'), (c) => {
      const date = /^\d{4}-\d\d-\d\d$/.test(c.req.query('ngay') ?? '') ? c.req.query('ngay')! : todayOf(d.now(), tz);
      const view = c.req.query('xem') === 'tuan' ? 'week' : c.req.query('xem') === 'thang' ? 'month' : '';
      return c.html(page(<CalendarPage data={{
        viewer: c.get('viewer'), zones: d.zones.list(), zoneId: c.req.query('thon') ?? '', date, view, offsetMinutes: zoneOffsetMinutes(d.now(), tz),
      }} />));
    })
    .get('/lich/su-kien', need('schedules.view'), (c) => {
      const from = fromFloating(c.req.query('start') ?? '', tz);
      const to = fromFloating(c.req.query('end') ?? '', tz);
      if (from === null || to === null || to <= from || to - from > 100 * 86400_000) return c.json({ error: { code: 'invalid_range', message: 'start and end, at most 100 days apart' } }, 400);
      return c.json(calendarEvents(d.schedules.list(), d.programs.list(), { from, to }, tz, c.req.query('thon') || undefined), 200);
    })
    .get('/lich/luot', need('schedules.view'), (c) => {
      const at = strictInstant(c.req.query('luc') ?? '');
      const o = at === null ? null : occurrence(c, c.req.query('lich') ?? '', at);
      if (!o) return c.html(<p class="form-error" role="alert">{explain({ code: 'not_an_occurrence' })}</p>);
      return c.html(<OccurrenceDetails o={o} />);
    })
    .post('/lich/:id/bo-luot', need('schedules.edit'), async (c) => {
      const id = c.req.param('id');
      const f = await formOf(c);
      const at = strictInstant(f.one('at'));
      const o = at === null ? null : occurrence(c, id, at);
      if (!o || at === null) return c.html(<p class="form-error" role="alert">{explain({ code: 'not_an_occurrence' })}</p>);
      const r = await d.api(c, `/api/schedules/${encodeURIComponent(id)}/skip`, { method: 'POST', json: { at: f.one('at') } });
      return c.html(<OccurrenceDetails o={o} skipped={r.ok} error={r.ok ? undefined : explain(r.error)} />, 200, r.ok ? { 'HX-Trigger': 'calendar-changed' } : {});
    });
}
