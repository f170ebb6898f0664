import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GatewayAgent } from '../devices/agent/agent.js';
import { DESKTOP, launchBrowser, logIn, openPage, PHONE } from './helpers/browser.js';
import { checkPage, withinWidth } from './helpers/journey.js';
import { actionsOf } from '../server/auth/permissions.js';
import { NAV } from '../web/nav.js';
import { speechLikeWav } from './helpers/audio.js';
import { ADMIN_PASSWORD, createDevice, createZone, NO_QUIET_HOURS, startTestSystem, testAgent, type TestSystem } from './helpers/system.js';

const OFFICER = { username: 'can-bo', password: 'can-bo-van-hoa-2026', role: 'editor', displayName: 'Nguyễn Thị Lan' };
const CHAIR = { username: 'chu-tich', password: 'chu-tich-password', role: 'approver', displayName: 'Chủ tịch UBND xã' };

describe('an emergency from the panel: the officer prepares it on a phone, the chair confirms it and stops it [Circular 39/2020: khẩn cấp]', () => {
  let t: TestSystem;
  let browser: Browser;
  let agent: GatewayAgent;

  beforeAll(async () => {
    t = await startTestSystem({ COMMUNE_NAME: 'Xã Ven Sông' });
    for (const p of [OFFICER, CHAIR]) expect((await t.api('/api/users', { method: 'POST', json: p })).status).toBe(201);
    const near = await createZone(t, 'Thôn Ven Đê', NO_QUIET_HOURS);
    const far = await createZone(t, 'Thôn Đồi', NO_QUIET_HOURS);
    const online = await createDevice(t, 've-de-1', near);
    await createDevice(t, 'doi-1', far);
    agent = testAgent(t, online, join(t.dir, 'gw', online.id), { keepaliveSec: 5 });
    await agent.start();
    browser = await launchBrowser();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await agent?.stop();
    await t?.stop();
  });

  it('says in Vietnamese, next to the field, what is missing, and changes nothing', async () => {
    const p = await openPage(browser, PHONE);
    await logIn(p, t.sys.httpUrl, OFFICER.username, OFFICER.password);
    await p.page.goto(`${t.sys.httpUrl}/khan-cap`);
    await checkPage(p, 'button[data-action=check]');
    await p.page.click('button:has-text("Kiểm tra trước khi phát")');
    const error = p.page.locator('.field[data-field=programId] .field-error');
    await expect(error.textContent()).resolves.toBe('Chọn một chương trình đã duyệt.');
    await withinWidth(p.page, error);
    expect((await (await t.api('/api/broadcasts')).json()).broadcasts).toEqual([]);
    await p.context.close();
  });

  it('records on the spot, shows how many loudspeakers hear it now, waits for the chair, plays on the gateway and stops when told', async () => {
    const officer = await openPage(browser, PHONE);
    await logIn(officer, t.sys.httpUrl, OFFICER.username, OFFICER.password);
    // The red entry is on every page.
    await officer.page.click('nav a:has-text("Phát khẩn cấp")');
    await officer.page.waitForURL(/\/khan-cap$/);
    const wav = join(t.dir, 'tai-cho.wav');
    await speechLikeWav(wav, 20);
    await officer.page.check('input[name=zones][value=all]');
    await officer.page.setInputFiles('input[name=recording]', wav);
    await officer.page.locator('[data-recording-state]:has-text("Đã nhận bản ghi âm")').waitFor({ timeout: 20_000 });
    expect(await officer.page.isChecked('input[name=kind][value=recording]')).toBe(true);
    await officer.page.fill('input[name=title]', 'Cảnh báo nước lên');
    await officer.page.check('input[name=riskLevel][value="3"]');
    await officer.page.click('button:has-text("Kiểm tra trước khi phát")');

    // The last look: one loudspeaker hears it now, one will when it reconnects; an officer's recording waits for an approver.
    await officer.page.waitForSelector('h1:has-text("Xác nhận phát khẩn cấp")');
    await expect(officer.page.locator('[data-online]').getAttribute('data-online')).resolves.toBe('1');
    await expect(officer.page.locator('.facts').textContent()).resolves.toContain('1 đang mất kết nối');
    await expect(officer.page.locator('.badge.risk').textContent()).resolves.toBe('Cấp độ 3 — rủi ro lớn');
    await checkPage(officer, 'button[data-action=fire]');
    await expect(officer.page.locator('button[data-action=fire]').textContent()).resolves.toBe('Gửi để lãnh đạo xác nhận');
    await officer.page.click('button[data-action=fire]');
    await officer.page.waitForURL(/\/khan-cap\/bc_/);
    await expect(officer.page.locator('#board .board-head .badge').first().textContent()).resolves.toBe('Chờ xác nhận');

    const chair = await openPage(browser, DESKTOP);
    await logIn(chair, t.sys.httpUrl, CHAIR.username, CHAIR.password);
    await chair.page.goto(`${t.sys.httpUrl}/khan-cap`);
    await chair.page.click('button[data-action=confirm]');
    await chair.page.waitForURL(/\/khan-cap\/bc_/);
    // The gateway reports; the board follows without a reload.
    await chair.page.locator('[data-device-id="ve-de-1"][data-status=playing], [data-device-id="ve-de-1"][data-status=played]').waitFor({ timeout: 15_000 });
    await expect(chair.page.locator('[data-device-id="doi-1"] .badge').textContent()).resolves.toBe('Chờ kết nối');
    // Every page now says an emergency is on air.
    await chair.page.goto(`${t.sys.httpUrl}/lich`);
    await expect(chair.page.locator('.emergency-banner').textContent()).resolves.toContain('Cảnh báo nước lên');
    await chair.page.click('.emergency-banner a');
    await checkPage(chair, 'button[data-action=stop]');
    await chair.page.fill('input[name=reason]', 'Nước đã rút');
    await chair.page.click('button[data-action=stop]');
    await chair.page.locator('#board[data-status=cancelled]').waitFor();
    await expect(chair.page.locator('#board').textContent()).resolves.toContain('Nước đã rút');
    // The officer's page, left open, catches up by itself.
    await officer.page.locator('#board[data-status=cancelled]').waitFor({ timeout: 10_000 });

    const { broadcasts } = await (await t.api('/api/broadcasts')).json();
    expect(broadcasts[0]).toMatchObject({ status: 'cancelled', title: 'Cảnh báo nước lên', riskLevel: 3, contentKind: 'recording', cancelReason: 'Nước đã rút' });
    const trail = (await (await t.api('/api/audit?limit=20')).json()).entries.map((e: { action: string }) => e.action);
    for (const a of ['broadcast.recording-uploaded', 'broadcast.emergency-prepared', 'broadcast.emergency-confirmed', 'broadcast.emergency-cancelled']) expect(trail).toContain(a);
    await officer.context.close();
    await chair.context.close();
  }, 90_000);

  it('fits every page of the navigation on a 390 px phone, for each role: no sideways scrolling, every field labelled, no console error', async () => {
    for (const [who, password, role] of [['admin', ADMIN_PASSWORD, 'admin'], [OFFICER.username, OFFICER.password, 'editor'], [CHAIR.username, CHAIR.password, 'approver']] as const) {
      const p = await openPage(browser, PHONE);
      await logIn(p, t.sys.httpUrl, who, password);
      for (const item of NAV.filter((n) => actionsOf(role).includes(n.action))) {
        await p.page.goto(`${t.sys.httpUrl}${item.href}`);
        await p.page.waitForLoadState('networkidle');
        await checkPage(p);
      }
      await p.context.close();
    }
  }, 90_000);
});
