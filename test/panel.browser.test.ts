import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from './helpers/browser.js';
import { toZonedIso } from '../server/domain/time.js';
import { speechLikeWav } from './helpers/audio.js';
import { approvedProgram, ADMIN_PASSWORD, createDevice, createZone, NO_QUIET_HOURS, startTestSystem, testAgent, type TestSystem } from './helpers/system.js';

describe('the panel in a real browser', () => {
  let t: TestSystem;
  let browser: Browser;
  let dir: string;

  beforeAll(async () => {
    t = await startTestSystem({ COMMUNE_NAME: 'Xã Hòa Bình' });
    dir = await mkdtemp(join(tmpdir(), 'loalang-panel-'));
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.stop();
    if (dir) await rm(dir, { recursive: true, force: true, maxRetries: 5 });
  });

  it('logs in, lists hamlets and gateways in Vietnamese, and shows a gateway going online and offline live, without reloading', async () => {
    const zone = await createZone(t, 'Thôn Đông', NO_QUIET_HOURS);
    const device = await createDevice(t, 'thon-dong-1', zone);
    const page = await browser.newPage();
    await page.goto(`${t.sys.httpUrl}/`);
    expect(page.url()).toContain('/login');

    await page.fill('input[name=username]', 'admin');
    await page.fill('input[name=password]', 'wrong-password');
    await page.click('button[type=submit]');
    await expect(page.getByRole('alert').textContent()).resolves.toContain('Sai tên đăng nhập hoặc mật khẩu');

    await page.fill('input[name=username]', 'admin');
    await page.fill('input[name=password]', ADMIN_PASSWORD);
    await page.click('button[type=submit]');
    await page.waitForSelector('h1:has-text("Xã Hòa Bình")');
    expect(await page.locator('html').getAttribute('lang')).toBe('vi');
    await page.waitForSelector('body[data-live=yes]');

    const row = page.locator('[data-device-id="thon-dong-1"]');
    expect(await row.locator('[data-field=status]').textContent()).toBe('Mất kết nối');
    let navigations = 0;
    page.on('framenavigated', () => navigations++);

    const agent = testAgent(t, device, join(dir, device.id), { keepaliveSec: 2 });
    await agent.start();
    await row.locator('.badge.on:has-text("Trực tuyến")').waitFor({ timeout: 10_000 });
    await page.locator('#online-count:text-is("1")').waitFor({ timeout: 5_000 });
    await expect(row.locator('[data-field=lastSeen]').textContent()).resolves.not.toBe('chưa kết nối');

    const wav = join(dir, 'thong-bao.wav');
    await speechLikeWav(wav, 2);
    const program = await approvedProgram(t, wav, 'Thông báo lịch tiếp công dân');
    const startAt = Date.now() + 2500;
    await t.api('/api/schedules', { method: 'POST', json: { programId: program.id, zoneIds: [zone], rule: { type: 'once', at: toZonedIso(startAt, 'Asia/Ho_Chi_Minh') } } });
    await row.locator('[data-field=playing]:has-text("▶ Thông báo lịch tiếp công dân")').waitFor({ timeout: 10_000 });
    await row.locator('[data-field=playing]:text-is("—")').waitFor({ timeout: 10_000 });

    agent.kill();
    await row.locator('.badge.off:has-text("Mất kết nối")').waitFor({ timeout: 10_000 });
    expect(navigations).toBe(0);
    await page.screenshot({ path: join(dir, 'panel.png') });
  });

  it('says so when the live connection drops, stops claiming gateways are online, and recovers by itself', async () => {
    const device = await createDevice(t, 'thon-dong-2', (await (await t.api('/api/zones')).json()).zones[0].id);
    const agent = testAgent(t, device, join(dir, device.id), { keepaliveSec: 2 });
    await agent.start();
    const page = await browser.newPage();
    await page.goto(`${t.sys.httpUrl}/login`);
    await page.fill('input[name=username]', 'admin');
    await page.fill('input[name=password]', ADMIN_PASSWORD);
    await page.click('button[type=submit]');
    await page.waitForSelector('body[data-live=yes]');
    const row = page.locator('[data-device-id="thon-dong-2"]');
    await row.locator('.badge.on:has-text("Trực tuyến")').waitFor({ timeout: 10_000 });
    expect(await page.locator('#live-banner').isVisible()).toBe(false);

    // The server goes away: the banner says so, and no gateway is still shown as online.
    const port = t.sys.httpPort;
    await t.sys.stop();
    agent.kill();
    await page.locator('#live-banner').waitFor({ state: 'visible', timeout: 10_000 });
    expect(await page.locator('#live-banner').textContent()).toContain('Mất kết nối trực tiếp với máy chủ');
    expect(await page.locator('.badge.on').count()).toBe(0);
    expect(await row.locator('[data-field=status]').textContent()).toBe('Không rõ');

    // It comes back on the same address: the page reconnects, hides the banner and redraws the gateways.
    t = await startTestSystem({ COMMUNE_NAME: 'Xã Hòa Bình', PORT: String(port) }, t.dir);
    await page.waitForSelector('body[data-live=yes]', { timeout: 20_000 });
    expect(await page.locator('#live-banner').isVisible()).toBe(false);
    await row.locator('[data-field=status]:has-text("Mất kết nối")').waitFor({ timeout: 10_000 });
  });
});
