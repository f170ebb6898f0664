import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from './helpers/browser.js';
import { speechLikeWav } from './helpers/audio.js';
import { approvedProgram, startTestSystem, type TestSystem } from './helpers/system.js';

describe('nghe lại on a phone, in a real browser', () => {
  let t: TestSystem;
  let browser: Browser;

  beforeAll(async () => {
    t = await startTestSystem({ COMMUNE_NAME: 'Xã Hòa Bình' });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.stop();
  });

  it('fits a 360 px screen without sideways scrolling, and its player loads the MP3', async () => {
    const wav = join(t.dir, 'thong-bao.wav');
    await speechLikeWav(wav, 2);
    // A long title with a word no line can break: the page must wrap it, not widen.
    const program = await approvedProgram(t, wav, 'Thông báo về việc tổ chức tiêm chủng mở rộng cho trẻ em dưới năm tuổi tại nhà văn hoá thôn Đông https://ubnd-xa-hoa-binh.example.gov.vn/thong-bao/tiem-chung');
    expect((await t.api(`/api/programs/${program.id}`, { method: 'PATCH', json: { public: true } })).status).toBe(200);

    const page = await browser.newPage({ viewport: { width: 360, height: 740 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true });
    await page.goto(`${t.sys.httpUrl}/nghe-lai`);
    await expect(page.locator('h1').textContent()).resolves.toContain('Nghe lại');
    await expect(page.locator('article h2').textContent()).resolves.toContain('tiêm chủng');
    const widths = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth }));
    expect(widths.scroll).toBeLessThanOrEqual(widths.client);
    expect(widths.client).toBe(360);
    if (process.env.LISTEN_SCREENSHOT) await page.screenshot({ path: process.env.LISTEN_SCREENSHOT, fullPage: true });

    const duration = await page.locator('audio').evaluate((audio: HTMLAudioElement) => new Promise<number>((resolve, reject) => {
      audio.addEventListener('loadedmetadata', () => resolve(audio.duration), { once: true });
      audio.addEventListener('error', () => reject(new Error(`audio error ${audio.error?.code}`)), { once: true });
      audio.load();
    }));
    expect(duration).toBeGreaterThan(1);
    await page.close();
  });
});
