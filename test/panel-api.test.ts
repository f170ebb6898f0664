import { beforeAll, describe, expect, it } from 'vitest';
import { seedApprovedProgram, useTestApp } from './helpers/app.js';
import { createDevice, createZone, type Api } from './helpers/system.js';
import { LoginPage } from '../web/views/login.js';

/** The day after the test app's fixed "now" (Monday 2 March 2026, 08:00 in the commune). */
const tomorrow = (hhmm: string) => `2026-03-03T${hhmm}:00+07:00`;

describe('what the panel added to the API: skipping one play, dry runs of a change, archiving and deleting programs, a gateway\'s as-run log', () => {
  const t = useTestApp();
  let dong: string;
  let news: string;
  let law: string;
  const as: Record<string, Api> = {};

  beforeAll(async () => {
    dong = await createZone(t, 'Thôn Đông');
    await createDevice(t, 'thon-dong-1', dong);
    news = seedApprovedProgram(t, 'Bản tin thời sự', 60_000);
    law = seedApprovedProgram(t, 'Phổ biến pháp luật', 60_000, 'law');
    for (const [username, role] of [['can-bo', 'editor'], ['ky-thuat', 'technician']]) {
      expect((await t.api('/api/users', { method: 'POST', json: { username, role, password: `${username}-password` } })).status).toBe(201);
      as[role] = t.as(await t.login(username, `${username}-password`));
    }
  });
  const schedule = async (json: object) => {
    const res = await t.api('/api/schedules', { method: 'POST', json: { zoneIds: [dong], ...json } });
    expect(res.status).toBe(201);
    return (await res.json()).schedule as { id: string; rule: { exdates?: string[] } };
  };
  const plays = async (id: string) => (await (await t.api('/api/occurrences?from=2026-03-02T00:00:00%2B07:00&to=2026-05-01T00:00:00%2B07:00')).json())
    .occurrences.filter((o: { scheduleId: string }) => o.scheduleId === id).map((o: { startAt: string }) => o.startAt) as string[];

  it('skips one play of a weekly schedule as an EXDATE, and only that one [RFC 5545 3.8.5.1]', async () => {
    const s = await schedule({ programId: news, rule: { type: 'rrule', dtstart: tomorrow('07:00'), rrule: 'FREQ=WEEKLY;BYDAY=TU' } });
    const before = await plays(s.id);
    const res = await as.editor(`/api/schedules/${s.id}/skip`, { method: 'POST', json: { at: before[1] } });
    expect(res.status).toBe(200);
    expect((await res.json()).schedule.rule.exdates).toEqual([before[1]]);
    expect(await plays(s.id)).toEqual(before.filter((x) => x !== before[1]));
  });

  it('skips one play of a lunar schedule too', async () => {
    const s = await schedule({ programId: law, rule: { type: 'lunar', day: 15, time: '19:00' } });
    const [first, ...rest] = await plays(s.id);
    expect((await t.api(`/api/schedules/${s.id}/skip`, { method: 'POST', json: { at: first } })).status).toBe(200);
    expect(await plays(s.id)).toEqual(rest);
  });

  it('refuses to skip an instant the schedule does not play, or the only play of a one-off', async () => {
    const s = await schedule({ programId: news, rule: { type: 'rrule', dtstart: tomorrow('09:00'), rrule: 'FREQ=DAILY' } });
    const wrong = await t.api(`/api/schedules/${s.id}/skip`, { method: 'POST', json: { at: tomorrow('09:30') } });
    expect(wrong.status).toBe(422);
    expect((await wrong.json()).error.code).toBe('not_an_occurrence');
    const once = await schedule({ programId: law, rule: { type: 'once', at: tomorrow('11:00') } });
    const res = await t.api(`/api/schedules/${once.id}/skip`, { method: 'POST', json: { at: tomorrow('11:00') } });
    expect(res.status).toBe(409);
    expect((await res.json()).error.code).toBe('not_repeating');
    expect((await as.technician(`/api/schedules/${s.id}/skip`, { method: 'POST', json: { at: tomorrow('09:00') } })).status).toBe(403);
  });

  it('dry-runs a change without counting the schedule against itself, and saves nothing', async () => {
    const s = await schedule({ programId: news, rule: { type: 'rrule', dtstart: tomorrow('13:00'), rrule: 'FREQ=DAILY' } });
    const same = await t.api(`/api/schedules/${s.id}?dryRun=true`, { method: 'PATCH', json: { priority: 'normal' } });
    expect(await same.json()).toMatchObject({ ok: true, conflicts: [] });
    const late = await t.api(`/api/schedules/${s.id}?dryRun=true`, { method: 'PATCH', json: { rule: { type: 'rrule', dtstart: tomorrow('23:00'), rrule: 'FREQ=DAILY' } } });
    const body = await late.json();
    expect(body.ok).toBe(false);
    expect(body.quietHours[0]).toMatchObject({ zoneName: 'Thôn Đông', window: '22:00–05:30' });
    expect((await (await t.api(`/api/schedules/${s.id}`)).json()).schedule.rule.dtstart).toBe(tomorrow('13:00'));
  });

  it('archives a program and keeps one that is scheduled from being deleted', async () => {
    const archived = await as.editor(`/api/programs/${law}`, { method: 'PATCH', json: { archived: true } });
    expect((await archived.json()).program.archived).toBe(true);
    const res = await as.editor(`/api/programs/${law}`, { method: 'DELETE' });
    expect(res.status).toBe(409);
    expect((await res.json()).error.code).toBe('program_in_use');
    const spare = seedApprovedProgram(t, 'Chương trình thử', 10_000);
    expect((await as.technician(`/api/programs/${spare}`, { method: 'DELETE' })).status).toBe(403);
    expect((await as.editor(`/api/programs/${spare}`, { method: 'DELETE' })).status).toBe(204);
    expect((await t.api(`/api/programs/${spare}`)).status).toBe(404);
  });

  it('lets a technician read a gateway\'s as-run log, and not the commune\'s content', async () => {
    const res = await as.technician('/api/devices/thon-dong-1/playlogs');
    expect(res.status).toBe(200);
    expect((await res.json()).playlogs).toEqual([]);
    expect((await as.technician('/api/playlogs')).status).toBe(403);
    expect((await as.technician('/api/devices/nope/playlogs')).status).toBe(404);
  });
  it('lets the officer put an approved program on the residents\' "nghe lại" page from its settings form, and take it off again', async () => {
    const lawQa = seedApprovedProgram(t, 'Hỏi đáp Luật Thực hiện dân chủ', 30_000, 'law');
    const form = (pub: boolean) => new URLSearchParams({ title: 'Hỏi đáp Luật Thực hiện dân chủ', category: 'law', ...(pub ? { public: 'true' } : {}) });
    // The box on the program page says where it stands.
    const ticked = async () => /<input type="checkbox" name="public" value="true" checked/.test(await (await as.editor(`/chuong-trinh/${lawQa}`)).text());
    expect(await ticked()).toBe(false);
    const on = await as.editor(`/chuong-trinh/${lawQa}/sua`, { method: 'POST', body: form(true), headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(on.status).toBe(200);
    expect(await on.text()).toContain('Đã lưu.');
    expect((await (await t.api(`/api/programs/${lawQa}`)).json()).program.public).toBe(true);
    expect(await ticked()).toBe(true);
    await as.editor(`/chuong-trinh/${lawQa}/sua`, { method: 'POST', body: form(false), headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect((await (await t.api(`/api/programs/${lawQa}`)).json()).program.public).toBe(false);
    expect(await ticked()).toBe(false);
  });

  it('shows the technician, on the first page, missed plays grouped per gateway and reason, until the gateway plays again', async () => {
    const now = t.clock.now();
    for (let k = 0; k < 3; k++) t.server.incidents.missed('thon-dong-1', 'offline', 'gateway offline since 07:00', now - (3 - k) * 3600_000, now);
    const page = async () => (await as.technician('/')).text();
    const html = await page();
    expect(html).toContain('Sự cố: lượt phát bị lỡ');
    expect(html).toMatch(/data-device-id="thon-dong-1" data-reason="offline"/);
    expect(html).toContain(': 3 lượt bị lỡ — Cụm loa mất kết nối hoặc tắt.');
    t.server.incidents.played('thon-dong-1', now);
    expect(await page()).toContain('Không có sự cố nào đang mở');
  });
});

describe('the panel asks the permission table', () => {
  const t = useTestApp();
  it('sends a technician away from pages their role may not open, and a page request without a session to the login', async () => {
    await t.api('/api/users', { method: 'POST', json: { username: 'ky-thuat', role: 'technician', password: 'ky-thuat-password' } });
    const tech = t.as(await t.login('ky-thuat', 'ky-thuat-password'));
    for (const path of ['/nguoi-dung', '/chuong-trinh', '/lich', '/duyet']) {
      const res = await tech(path);
      expect([path, res.status, res.headers.get('location')]).toEqual([path, 303, '/']);
    }
    expect((await tech('/cum-loa')).status).toBe(200);
    const anonymous = await t.as()('/cum-loa');
    expect([anonymous.status, anonymous.headers.get('location')]).toEqual([303, '/login']);
    const created = await tech('/nguoi-dung', { method: 'POST', body: new URLSearchParams({ username: 'ke-gian', role: 'admin', password: 'mat-khau-dai-lam' }) });
    expect(created.status).toBe(303);
    expect((await (await t.api('/api/users')).json()).users.map((u: { username: string }) => u.username)).not.toContain('ke-gian');
  });

  it('shows how to create the admin on the login page when nobody can log in yet, and the form otherwise', async () => {
    const page = await (await t.as()('/login')).text();
    expect(page).toContain('name="password"');
    expect(page).not.toContain('Chưa có tài khoản nào');
    const first = String(LoginPage({ noUsers: true }));
    expect(first).toContain('Chưa có tài khoản nào');
    expect(first).toContain('LOALANG_ADMIN_PASSWORD=&#39;một mật khẩu dài&#39; npm start');
    expect(first).not.toContain('name="password"');
  });

});
