import { spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localParts } from '../server/domain/time.js';
import { speechLikeWav } from './helpers/audio.js';
import { DESKTOP, launchBrowser, logIn, openPage, PHONE, type PanelPage } from './helpers/browser.js';
import { PEOPLE } from './helpers/commune.js';
import { checkPage, Effort, withinWidth } from './helpers/journey.js';
import { ADMIN_PASSWORD, readSinkLog, startTestSystem, waitFor, type TestSystem } from './helpers/system.js';

const TZ = 'Asia/Ho_Chi_Minh';
const two = (n: number) => String(n).padStart(2, '0');
const WEEKDAY_CODES = ['SU', 'MO', 'TU', 'WE', 'TH', 'FR', 'SA'];

describe('each role does its daily work in the browser, at 1366×768 and at 390×844', () => {
  let t: TestSystem;
  let browser: Browser;
  let gateway: ChildProcess | undefined;
  let wav: string;
  const officerEffort = new Effort();
  let officerMachineMs = 0;
  const state = { weekly: { at: 0, hhmm: '' }, titles: { upload: 'Bản tin sáng thứ Hai', speech: 'Lịch tiếp công dân tháng Chạp' } };

  const open = async (viewport: typeof DESKTOP, who: { username: string; password: string }) => {
    const p = await openPage(browser, viewport);
    await logIn(p, t.sys.httpUrl, who.username, who.password);
    return p;
  };
  const go = async (p: PanelPage, path: string) => {
    await p.page.goto(`${t.sys.httpUrl}${path}`);
    await p.page.waitForSelector('body[data-live=yes]');
  };
  const admin = { username: 'admin', password: ADMIN_PASSWORD };

  beforeAll(async () => {
    t = await startTestSystem({ COMMUNE_NAME: 'Xã Hòa Bình', MAP_TILE_URL: 'none' });
    browser = await launchBrowser();
    wav = join(t.dir, 'ban-tin-sang.wav');
    await speechLikeWav(wav, 3);
  });
  afterAll(async () => {
    gateway?.kill();
    await browser?.close();
    await t?.stop();
  });

  it('admin: users, two hamlets, a gateway installed from the downloaded gateway.json', async () => {
    const p = await open(DESKTOP, admin);
    expect(await p.page.locator('main').textContent()).toContain('Bắt đầu');
    await go(p, '/nguoi-dung');
    const form = p.page.locator('#new-user');
    for (const who of Object.values(PEOPLE)) {
      await form.locator('input[name=username]').fill(who.username);
      await form.locator('input[name=displayName]').fill(who.displayName);
      await form.locator('select[name=role]').selectOption(who.role);
      await form.locator('input[name=password]').fill(who.password);
      await form.locator('button[type=submit]').click();
      await p.page.locator('#new-user .ok', { hasText: who.username }).waitFor();
    }
    await p.page.locator('#users li[data-user="ky-thuat"] [data-field=role]:text-is("Kỹ thuật viên")').waitFor();
    // A taken name and a common password are refused in Vietnamese, beside their fields.
    await form.locator('input[name=username]').fill('can-bo');
    await form.locator('input[name=password]').fill('password');
    await form.locator('button[type=submit]').click();
    await p.page.locator('#new-user [data-field=username] .field-error', { hasText: 'đã có người dùng' }).waitFor();
    await checkPage(p, '#new-user button[type=submit]');

    await go(p, '/thon');
    await p.page.fill('#new-zone input[name=name]', 'Thôn Đông');
    await p.page.check('#new-zone input[name=noQuiet]');
    await p.page.click('#new-zone button[type=submit]');
    await p.page.locator('#zones li[data-zone="Thôn Đông"]', { hasText: 'Không có giờ yên tĩnh' }).waitFor();
    await checkPage(p);

    await go(p, '/cum-loa');
    const add = p.page.locator('#add-gateway');
    await add.locator('input[name=name]').fill('Cụm loa nhà văn hoá thôn Đông');
    await add.locator('input[name=id]').fill('thon-dong-1');
    await add.locator('input[name=lat]').fill('21,0285');
    await add.locator('input[name=lon]').fill('105.8542');
    await add.locator('button[type=submit]').click();
    const download = p.page.waitForEvent('download');
    await p.page.click('[data-action=download-config]');
    const file = join(t.dir, 'gateway.json');
    await (await download).saveAs(file);
    const config = JSON.parse(await readFile(file, 'utf8'));
    expect(config).toMatchObject({ server: t.sys.httpUrl, id: 'thon-dong-1' });
    expect(await p.page.locator('[data-field=install]').textContent()).toBe('npm run gateway -- --config gateway.json');

    // Installed as the page says, with a recording sink instead of a loudspeaker; the list shows it come online.
    gateway = spawn(process.execPath, ['--import', 'tsx', 'devices/agent/cli.ts', '--config', file, '--cache', join(t.dir, 'gw'), '--sink', 'record', '--telemetry-interval', '2'], { stdio: 'ignore' });
    await go(p, '/cum-loa');
    await p.page.locator('[data-device-id="thon-dong-1"] .badge.on').waitFor({ timeout: 20_000 });
    await checkPage(p, '#add-gateway button[type=submit]');
    await p.context.close();

    const phone = await open(PHONE, admin);
    await go(phone, '/thon');
    await phone.page.fill('#new-zone input[name=name]', 'Thôn Tây');
    await phone.page.click('#new-zone button[type=submit]');
    await phone.page.locator('#zones li[data-zone="Thôn Tây"]', { hasText: 'Giờ yên tĩnh 22:00–05:30' }).waitFor();
    await checkPage(phone, '#new-zone button[type=submit]');
    await go(phone, '/nguoi-dung');
    const tech = phone.page.locator('#users li[data-user="ky-thuat"]');
    await tech.locator('summary').click();
    await tech.locator('input[name=password]').fill('mat-khau-moi-2026');
    await tech.locator('[data-action=reset-password]').click();
    await phone.page.locator('#users li[data-user="ky-thuat"] .ok', { hasText: 'Đã đặt mật khẩu mới' }).waitFor();
    await checkPage(phone);
    for (const path of ['/', '/cum-loa', '/cum-loa/thon-dong-1', '/cum-loa/ban-do']) {
      await go(phone, path);
      await checkPage(phone);
    }
    await phone.context.close();
  });

  it('officer: uploads a recording and has a template read, both sent for approval', async () => {
    const started = Date.now();
    const p = await openPage(browser, DESKTOP);
    const e = officerEffort;
    await p.page.goto(`${t.sys.httpUrl}/login`);
    await e.type(p.page.locator('input[name=username]'), PEOPLE.officer.username);
    await e.type(p.page.locator('input[name=password]'), PEOPLE.officer.password);
    await e.click(p.page.locator('button[type=submit]'));
    await e.click(p.page.locator('nav a:has-text("Chương trình")'));
    await p.page.waitForSelector('#programs-app[data-ready=yes]');
    const up = p.page.locator('#upload');
    await up.locator('button[type=submit]').click();
    await up.locator('[data-field=file] .field-error', { hasText: 'Hãy chọn một tệp âm thanh' }).waitFor();
    await up.locator('input[type=file]').setInputFiles(wav);
    await up.locator('button[type=submit]').click();
    await up.locator('[data-field=title] .field-error', { hasText: 'Nhập tiêu đề' }).waitFor();
    await e.type(up.locator('input[name=title]'), state.titles.upload);
    await e.choose(up.locator('select[name=category]'), 'news');
    await e.file(up.locator('input[type=file]'), wav);
    await e.click(up.locator('button[type=submit]'));
    const machine = Date.now();
    const item = p.page.locator('#programs li', { hasText: state.titles.upload });
    await item.locator('[data-action=submit]').waitFor({ timeout: 30_000 });
    expect(await up.locator('input[name=title]').inputValue()).toBe('');
    officerMachineMs += Date.now() - machine;
    await e.click(item.locator('[data-action=submit]'));
    await p.page.locator('#programs li[data-status=pending]', { hasText: state.titles.upload }).waitFor();
    await checkPage(p, '#upload button[type=submit]');
    console.log(`officer, upload and submit: ${e.clicks} clicks, ${e.keys} keystrokes, ${Math.round((Date.now() - started) / 1000)} s in the test`);
    await p.context.close();

    const phone = await open(PHONE, PEOPLE.officer);
    await go(phone, '/chuong-trinh');
    const tts = phone.page.locator('#tts');
    await tts.locator('select[name=templateId]').selectOption('citizen-reception');
    await tts.locator('input[name=title]').fill(state.titles.speech);
    await tts.locator('button[type=submit]').click();
    await phone.page.locator('#tts .field-error').first().waitFor();
    expect(await phone.page.locator('#tts').textContent()).toContain('Mẫu còn thiếu');
    const fields = { who: 'Chủ tịch UBND xã', date: '15/12/2026', time: 'từ 7h30 đến 11h', place: 'trụ sở UBND xã' };
    for (const [k, v] of Object.entries(fields)) await phone.page.fill(`#tts input[name="f-citizen-reception-${k}"]`, v);
    await phone.page.click('#tts button:has-text("Xem câu sẽ đọc")');
    await phone.page.locator('#spoken', { hasText: 'Máy sẽ đọc' }).waitFor();
    await phone.page.click('#tts button[type=submit]');
    await phone.page.locator('#tts .ok').waitFor();
    const spoken = phone.page.locator('#programs li', { hasText: state.titles.speech });
    await spoken.locator('[data-action=submit]').click({ timeout: 60_000 });
    await phone.page.locator('#programs li[data-status=pending]', { hasText: state.titles.speech }).waitFor();
    await checkPage(phone, '#tts button[type=submit]');
    await phone.page.click(`#programs li:has-text("${state.titles.speech}") a`);
    await phone.page.locator('[data-field=text]', { hasText: 'Chủ tịch UBND xã' }).waitFor();
    await checkPage(phone);
    await phone.context.close();
  });

  it('chair: approves from the phone without scrolling sideways, and sees the coming week', async () => {
    const p = await open(PHONE, PEOPLE.chair);
    expect(new URL(p.page.url()).pathname).toBe('/duyet');
    await p.page.waitForSelector('body[data-live=yes]');
    expect(await p.page.locator('#pending-count').textContent()).toBe('2');
    for (const title of [state.titles.upload, state.titles.speech]) {
      const card = p.page.locator('#inbox li', { hasText: title });
      expect(await card.locator('audio').getAttribute('src')).toMatch(/\.mp3$/);
      await withinWidth(p.page, card.locator('[data-action=approve]'));
      await withinWidth(p.page, card.locator('[data-action=reject]'));
      await checkPage(p, '[data-action=approve]');
      await card.locator('[data-action=approve]').click();
      await p.page.locator('#inbox li[data-status=approved]', { hasText: title }).waitFor();
    }
    await p.page.locator('#pending-count:text-is("0")').waitFor();
    await p.context.close();

    const desk = await open(DESKTOP, PEOPLE.chair);
    await go(desk, '/lich?xem=tuan');
    await desk.page.waitForSelector('#calendar[data-loading=no]');
    await checkPage(desk);
    await desk.context.close();
  });

  it('officer: schedules weekly and on the lunar 15th, sees quiet hours and a conflict before saving, and both on the calendar', async () => {
    const e = officerEffort;
    const p = await openPage(browser, DESKTOP);
    await logIn(p, t.sys.httpUrl, PEOPLE.officer.username, PEOPLE.officer.password);
    e.clicks += 3;
    e.keys += PEOPLE.officer.username.length + PEOPLE.officer.password.length;
    await e.click(p.page.locator('nav a:has-text("Lịch phát")'));
    await e.click(p.page.locator('a:has-text("Lập lịch phát")'));
    // This week's weekday, at a minute far enough ahead to save, near enough to hear.
    const at = Math.ceil((Date.now() + 25_000) / 60_000) * 60_000;
    const local = localParts(at, TZ);
    state.weekly = { at, hhmm: `${two(local.hour)}:${two(local.minute)}` };
    const weekday = WEEKDAY_CODES[new Date(Date.UTC(local.year, local.month - 1, local.day)).getUTCDay()];
    const f = p.page.locator('#schedule-form');
    await e.choose(f.locator('select[name=programId]'), { label: state.titles.upload });
    await e.check(f.locator('input[name=zoneIds][value=all]'), false);
    await e.check(f.locator('label:has-text("Thôn Đông") input'));
    await e.check(f.locator(`input[name=weekdays][value=${weekday}]`));
    await e.type(f.locator('input[name=time]'), state.weekly.hhmm);
    await p.page.locator('#preview [data-field=description]', { hasText: `hằng tuần lúc ${state.weekly.hhmm}` }).waitFor();
    expect(await p.page.locator('#preview [data-field=next] li').first().textContent()).toContain('âm lịch');
    await e.click(p.page.locator('[data-action=save-schedule]'));
    await p.page.waitForURL(/\/lich\?ngay=/);
    await p.page.waitForSelector('#calendar[data-loading=no]');
    console.log(`officer, from login to a scheduled broadcast: ${e.clicks} clicks, ${e.keys} keystrokes; about ${Math.round(e.seconds() + officerMachineMs / 1000)} s for a person (1.5 s a click, 0.3 s a keystroke, ${Math.round(officerMachineMs / 1000)} s waiting for the server)`);
    const { schedules } = await (await t.api('/api/schedules')).json();
    const weekly = schedules[0].id;
    await p.page.locator(`.fc-event[data-schedule-id="${weekly}"]`).first().waitFor();

    // Another play at the same time in the same hamlet: the conflict is named before saving.
    await go(p, '/lich/moi');
    await f.locator('select[name=programId]').selectOption({ label: state.titles.speech });
    await f.locator('input[name=zoneIds][value=all]').setChecked(false);
    await f.locator('label:has-text("Thôn Đông") input').check();
    await f.locator('input[name=kind][value=once]').check();
    await f.locator('input[name=date]').fill(`${local.year}-${two(local.month)}-${two(local.day)}`);
    await f.locator('input[name=time]').fill(state.weekly.hhmm);
    await p.page.locator('#preview [data-field=conflict]', { hasText: `Trùng giờ với “${state.titles.upload}” ở Thôn Đông` }).waitFor();
    await checkPage(p, '[data-action=save-schedule]');
    await p.context.close();

    const phone = await open(PHONE, PEOPLE.officer);
    await go(phone, '/lich/moi');
    const g = phone.page.locator('#schedule-form');
    await g.locator('select[name=programId]').selectOption({ label: state.titles.speech });
    await g.locator('input[name=zoneIds][value=all]').setChecked(false);
    await g.locator('label:has-text("Thôn Tây") input').check();
    await g.locator('input[name=kind][value=lunar-monthly]').check();
    await g.locator('select[name=lunarDay]').selectOption('15');
    // Thôn Tây is quiet from 22:00: a play at 22:30 is refused, in Vietnamese, before saving.
    await g.locator('input[name=time]').fill('22:30');
    await phone.page.locator('#preview [data-field=quiet-hours]', { hasText: 'Thôn Tây có giờ yên tĩnh 22:00–05:30' }).waitFor();
    const lunarTime = Math.abs(local.hour - 19) < 2 ? '06:00' : '19:00';
    await g.locator('input[name=time]').fill(lunarTime);
    await phone.page.locator('#preview [data-field=description]', { hasText: `Rằm hằng tháng âm lịch lúc ${lunarTime}` }).waitFor();
    expect(await phone.page.locator('#preview [data-field=next] li').first().textContent()).toContain('rằm tháng');
    await checkPage(phone, '[data-action=save-schedule]');
    await phone.page.click('[data-action=save-schedule]');
    await phone.page.waitForURL(/\/lich\?ngay=/);
    const lunar = (await (await t.api('/api/schedules')).json()).schedules.find((s: { rule: { type: string } }) => s.rule.type === 'lunar');
    // One play opens its details (with its lunar date) and is skipped alone; the calendar follows.
    const first = phone.page.locator(`.fc-event[data-schedule-id="${lunar.id}"]`).first();
    const firstAt = await first.getAttribute('data-at');
    await first.click();
    await phone.page.locator('#occurrence[open] #occurrence-details', { hasText: 'rằm tháng' }).waitFor();
    await checkPage(phone, '#occurrence [data-action=skip]');
    await phone.page.click('#occurrence [data-action=skip]');
    await phone.page.locator('#occurrence .ok', { hasText: 'Đã bỏ lượt này' }).waitFor();
    await phone.page.click('#occurrence button:has-text("Đóng")');
    await phone.page.locator(`.fc-event[data-at="${firstAt}"]`).waitFor({ state: 'detached' });
    const skipped = (await (await t.api(`/api/schedules/${lunar.id}`)).json()).schedule.rule.exdates;
    expect(skipped.map((x: string) => Date.parse(x))).toEqual([Date.parse(firstAt!)]);
    await phone.page.goto(`${t.sys.httpUrl}/lich?xem=thang`);
    await phone.page.locator(`.fc-event[data-schedule-id="${weekly}"]`).first().waitFor();
    expect(await phone.page.locator('.fc .lunar').count()).toBeGreaterThan(27);
    await checkPage(phone);
    await phone.context.close();
  });

  it('the gateway plays the weekly broadcast at its minute', async () => {
    const log = join(t.dir, 'gw', 'sink.jsonl');
    const play = await waitFor(async () => (await readSinkLog(log)).find((x) => x.startAt === state.weekly.at), Math.max(10_000, state.weekly.at - Date.now() + 20_000), 250);
    expect(play?.result).toBe('completed');
  }, 150_000);

  it('technician: finds the play in the as-run log, sends a volume command and sees the result', async () => {
    const tech = { username: PEOPLE.technician.username, password: 'mat-khau-moi-2026' };
    const p = await open(DESKTOP, tech);
    await go(p, '/cum-loa');
    await p.page.click('[data-device-id="thon-dong-1"] a');
    await p.page.locator('#as-run tr[data-result=completed]', { hasText: state.titles.upload }).waitFor({ timeout: 15_000 });
    await p.page.fill('input[name=volume]', '55');
    await p.page.click('[data-command=set-volume]');
    await p.page.locator('#commands li[data-result=done]', { hasText: 'Đặt âm lượng 55%' }).waitFor({ timeout: 15_000 });
    await checkPage(p, '[data-command=set-volume]');
    await p.context.close();

    const phone = await open(PHONE, tech);
    await go(phone, '/cum-loa?loc=offline');
    expect(await phone.page.locator('[data-device-id="thon-dong-1"]').count()).toBe(0);
    await go(phone, '/cum-loa/thon-dong-1');
    await phone.page.click('[data-command=resync]');
    await phone.page.locator('#commands li[data-result=done]', { hasText: 'Nhận lại lịch' }).waitFor({ timeout: 15_000 });
    await checkPage(phone, '[data-command=set-volume]');
    await phone.context.close();
  });
});
