/**
 * `npm run screenshots`: the panel's pages as PNGs in docs/screenshots/, at 1366×768 and 390×844, from
 * a commune seeded through the API, with the browser setup the browser tests use.
 */
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { DESKTOP, launchBrowser, logIn, openPage, PHONE } from '../test/helpers/browser.js';
import { PEOPLE, seedCommune } from '../test/helpers/commune.js';
import { ADMIN_PASSWORD, startTestSystem } from '../test/helpers/system.js';

const OUT = resolve(process.argv[2] ?? 'docs/screenshots');
await mkdir(OUT, { recursive: true });
const t = await startTestSystem({ COMMUNE_NAME: 'Xã Hòa Bình', MAP_TILE_URL: 'none' });
const browser = await launchBrowser();
try {
  const seeded = await seedCommune(t);
  const login = { admin: ['admin', ADMIN_PASSWORD], officer: [PEOPLE.officer.username, PEOPLE.officer.password], chair: [PEOPLE.chair.username, PEOPLE.chair.password], technician: [PEOPLE.technician.username, PEOPLE.technician.password] } as const;
  type Who = keyof typeof login;
  // `show`: on a phone, what the screenshot scrolls to (the page is longer than the screen).
  let board = '';
  const chairApi = seeded.chair;
  const fireEmergency = async () => {
    const res = await chairApi('/api/broadcasts/emergency', { method: 'POST', json: {
      zoneIds: 'all', content: { type: 'program', programId: seeded.programs.news }, riskLevel: 4, note: 'Mưa lớn, nước sông lên nhanh',
    } });
    board = (await res.json()).broadcast.broadcast.id;
    await new Promise((r) => setTimeout(r, 1500));
  };
  const stopEmergency = async () => void await chairApi(`/api/broadcasts/${board}/cancel`, { method: 'POST', json: { reason: 'Thử nghiệm xong' } });
  // `before`/`after`: API calls around one shot (an emergency on air only while its board is shot).
  const shots: { name: string; who: Who; path: string | (() => string); show?: string; before?: () => Promise<void>; after?: () => Promise<void>; then?: (p: import('playwright-core').Page) => Promise<void> }[] = [
    { name: 'approvals', who: 'chair', path: '/duyet' },
    { name: 'dashboard', who: 'admin', path: '/' },
    { name: 'gateways', who: 'technician', path: '/cum-loa' },
    { name: 'gateway', who: 'technician', path: '/cum-loa/thon-dong-1', show: '#commands', then: async (p) => {
      await p.click('[data-command=set-volume]');
      await p.locator('#commands [data-result=done]').first().waitFor({ timeout: 10_000 });
    } },
    { name: 'map', who: 'technician', path: '/cum-loa/ban-do' },
    { name: 'programs', who: 'officer', path: '/chuong-trinh' },
    { name: 'program', who: 'officer', path: `/chuong-trinh/${seeded.programs.reception}` },
    { name: 'schedule-form', who: 'officer', path: '/lich/moi', show: '#preview', then: async (p) => {
      await p.selectOption('select[name=programId]', seeded.programs.reception);
      await p.check('input[name=kind][value=lunar-monthly]');
      await p.selectOption('select[name=lunarDay]', '1');
      await p.fill('input[name=time]', '18:00');
      await p.locator('#preview [data-field=next]').waitFor();
    } },
    { name: 'calendar-week', who: 'officer', path: '/lich?xem=tuan' },
    { name: 'calendar-month', who: 'officer', path: '/lich?xem=thang' },
    { name: 'emergency', who: 'officer', path: '/khan-cap' },
    { name: 'emergency-confirm', who: 'officer', path: '/khan-cap', then: async (p) => {
      await p.uncheck('input[name=zones][value=all]');
      await p.locator('input[name=zones]').nth(1).check();
      await p.locator('input[name=zones]').nth(2).check();
      await p.selectOption('select[name=programId]', seeded.programs.news);
      await p.check('input[name=riskLevel][value="4"]');
      await p.click('button[data-action=check]');
      await p.waitForSelector('.confirm-card');
    } },
    { name: 'emergency-board', who: 'chair', path: () => `/khan-cap/${board}`, before: fireEmergency, after: stopEmergency },
    { name: 'report', who: 'chair', path: '/bao-cao' },
    { name: 'users', who: 'admin', path: '/nguoi-dung' },
    { name: 'hamlets', who: 'admin', path: '/thon' },
  ];
  for (const [size, viewport] of [['desktop', DESKTOP], ['phone', PHONE]] as const) {
    const sessions = new Map<Who, Awaited<ReturnType<typeof openPage>>>();
    for (const s of shots) {
      let p = sessions.get(s.who);
      if (!p) {
        p = await openPage(browser, viewport);
        await logIn(p, t.sys.httpUrl, login[s.who][0], login[s.who][1]);
        sessions.set(s.who, p);
      }
      await s.before?.();
      await p.page.goto(`${t.sys.httpUrl}${typeof s.path === 'string' ? s.path : s.path()}`);
      await p.page.waitForSelector('body[data-live=yes]');
      if (typeof s.path === 'string' && s.path.startsWith('/lich?')) await p.page.waitForSelector('#calendar[data-loading=no]');
      await s.then?.(p.page);
      if (s.show && size === 'phone') await p.page.locator(s.show).evaluate((el) => el.scrollIntoView({ block: 'center' }));
      await p.page.waitForTimeout(300);
      await p.page.screenshot({ path: join(OUT, `${s.name}-${size}.png`), fullPage: size === 'desktop' });
      await s.after?.();
      if (p.errors.length) console.warn(`${s.name} (${size}): ${p.errors.join('; ')}`);
    }
    for (const p of sessions.values()) await p.context.close();
  }
  const fresh = await openPage(browser, PHONE);
  await fresh.page.goto(`${t.sys.httpUrl}/login`);
  await fresh.page.screenshot({ path: join(OUT, 'login-phone.png') });
  for (const a of seeded.agents) await a.stop();
  console.log(`screenshots in ${OUT}`);
} finally {
  await browser.close();
  await t.stop();
}
