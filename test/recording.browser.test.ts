import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { measureEbur128 } from '../server/media/render.js';
import { espeakProvider } from '../server/tts/espeak.js';
import { tools } from './helpers/audio.js';
import { startTestSystem, type TestSystem } from './helpers/system.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

describe('the chair records a greeting in the browser, an editor submits it, the chair approves it', () => {
  let t: TestSystem;
  let browser: Browser;

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} not found: install Debian's chromium (apt-get install chromium) or set CHROMIUM_PATH`);
    t = await startTestSystem({ COMMUNE_NAME: 'Xã Hòa Bình' });
    for (const [username, role] of [['can-bo-van-hoa', 'editor'], ['chu-tich', 'approver']]) {
      const res = await t.api('/api/users', { method: 'POST', json: { username, password: `${username}-pw`, role } });
      expect(res.status).toBe(201);
    }
    // The chair's voice: Vietnamese speech (espeak-ng) played into Chromium's fake microphone, which
    // needs no permission prompt.
    const voice = join(t.dir, 'chu-tich.wav');
    const speech = await espeakProvider().synthesize({ text: 'Kính thưa toàn thể bà con nhân dân xã Hòa Bình. Nhân dịp năm mới, tôi xin gửi tới bà con lời chúc sức khỏe và hạnh phúc.' });
    await writeFile(voice, speech.audio);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream', `--use-file-for-fake-audio-capture=${voice}`,
        '--autoplay-policy=no-user-gesture-required',
        '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  });
  afterAll(async () => {
    await browser?.close();
    await t?.stop();
  });

  async function loginAs(username: string): Promise<Page> {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${t.sys.httpUrl}/login`);
    await page.fill('input[name=username]', username);
    await page.fill('input[name=password]', `${username}-pw`);
    await page.click('button[type=submit]');
    await page.waitForURL((u) => !u.pathname.startsWith('/login'));
    await page.click('nav a:has-text("Chương trình")');
    await page.waitForSelector('#program-list');
    return page;
  }

  it('records with MediaRecorder, uploads, submits as editor and approves as approver', async () => {
    const editor = await loginAs('can-bo-van-hoa');
    await editor.waitForSelector('#programs-app[data-ready=yes]');
    const rec = editor.locator('#record');
    await rec.locator('input[name=title]').fill('Lời chào năm mới của Chủ tịch UBND xã');
    await rec.locator('select[name=category]').selectOption('greeting');
    await rec.locator('[data-action=record-start]').click();
    await editor.waitForSelector('#record[data-recording=yes]');
    await editor.waitForTimeout(3500);
    await rec.locator('[data-action=record-stop]').click();
    await rec.locator('[data-action=record-upload]:not([disabled])').click();

    // The job shows its progress, then the program appears as a draft.
    await editor.locator('#jobs li[data-status=succeeded]').waitFor({ timeout: 30_000 });
    const row = editor.locator('#programs li', { hasText: 'Lời chào năm mới của Chủ tịch UBND xã' });
    await row.locator('[data-field=status]:has-text("Bản nháp")').waitFor();
    await expect(row.textContent()).resolves.toContain('ghi âm');
    await row.locator('[data-action=submit]').click();
    await row.locator('[data-field=status]:has-text("Chờ duyệt")').waitFor();
    expect(await row.locator('[data-action=approve]').count()).toBe(0);

    // The chair lands on the approvals inbox, listens (MP3), sees the waveform, and decides.
    const chair = await loginAs('chu-tich');
    await chair.goto(`${t.sys.httpUrl}/duyet`);
    const pending = chair.locator('#inbox li', { hasText: 'Lời chào năm mới của Chủ tịch UBND xã' });
    expect(await pending.getAttribute('data-status')).toBe('pending');
    expect(await pending.locator('audio').getAttribute('src')).toMatch(/^\/media\/[0-9a-f]{64}\.mp3$/);
    expect(await pending.locator('svg.wave').count()).toBe(1);
    await pending.locator('[data-action=approve]').click();
    await chair.locator('#inbox li[data-status=approved]', { hasText: 'đã duyệt' }).waitFor();
    // The editor's page follows along live.
    await row.locator('[data-field=status]:has-text("Đã duyệt")').waitFor({ timeout: 10_000 });

    const { programs } = await (await t.api('/api/programs')).json();
    const program = (await (await t.api(`/api/programs/${programs[0].id}`)).json()).program;
    expect(program).toMatchObject({ status: 'approved', airingVersion: 1, category: 'greeting' });
    expect(program.versions[0]).toMatchObject({ source: 'recording', originalName: 'ghi-am.webm' });
    expect(program.asset.durationMs).toBeGreaterThan(2_000);
    const m = await measureEbur128(tools, join(t.dir, 'media/assets', `${program.asset.sha256}.opus`));
    expect(Math.abs(m.integratedLufs - -16)).toBeLessThanOrEqual(1);
    expect(m.truePeakDb).toBeLessThanOrEqual(-1);

    const audit = (await (await t.api(`/api/audit?targetId=${program.id}`)).json()).entries.map((e: { action: string; actorName: string }) => `${e.action} ${e.actorName}`);
    expect(audit.reverse()).toEqual(['program.created can-bo-van-hoa', 'program.submitted can-bo-van-hoa', 'program.approved chu-tich']);
  });
});
