import { existsSync } from 'node:fs';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const DESKTOP = { width: 1366, height: 768 };
export const PHONE = { width: 390, height: 844 };
export const VIEWPORTS = { desktop: DESKTOP, phone: PHONE } as const;

/** Debian's chromium, headless, quiet: what the browser tests and `npm run screenshots` both use. */
export async function launchBrowser(extraArgs: string[] = []): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} not found: install Debian's chromium (apt-get install chromium) or set CHROMIUM_PATH`);
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', ...extraArgs],
  });
}

export interface PanelPage {
  page: Page;
  context: BrowserContext;
  /** Console errors and page errors seen so far. */
  errors: string[];
}

/** A fresh browser context at one viewport (a phone is touch and mobile), collecting console errors. */
export async function openPage(browser: Browser, viewport: { width: number; height: number }, opts: { acceptDownloads?: boolean } = {}): Promise<PanelPage> {
  const phone = viewport.width < 600;
  const context = await browser.newContext({
    viewport, locale: 'vi-VN', timezoneId: 'Asia/Ho_Chi_Minh', isMobile: phone, hasTouch: phone, deviceScaleFactor: 1, acceptDownloads: opts.acceptDownloads ?? true,
  });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('dialog', (d) => void d.accept());
  return { page, context, errors };
}

export async function logIn(p: PanelPage, baseUrl: string, username: string, password: string) {
  await p.page.goto(`${baseUrl}/login`);
  await p.page.fill('input[name=username]', username);
  await p.page.fill('input[name=password]', password);
  await p.page.click('button[type=submit]');
  await p.page.waitForURL((u) => !u.pathname.startsWith('/login'));
}

export interface PageReport {
  overflow: { scrollWidth: number; clientWidth: number } | null;
  /** Form controls without a label a screen reader would read. */
  unlabelled: string[];
}

/** What every page must satisfy at any width: nothing wider than the screen, every field labelled. */
export async function inspectPage(page: Page): Promise<PageReport> {
  return page.evaluate(() => {
    const el = document.documentElement;
    const overflow = el.scrollWidth > el.clientWidth ? { scrollWidth: el.scrollWidth, clientWidth: el.clientWidth } : null;
    const unlabelled: string[] = [];
    for (const c of document.querySelectorAll<HTMLInputElement>('input, select, textarea')) {
      if (c.type === 'hidden' || c.closest('[hidden]')) continue;
      const named = c.labels?.length || c.getAttribute('aria-label') || c.getAttribute('aria-labelledby') || c.title;
      if (!named) unlabelled.push(c.outerHTML.slice(0, 120));
    }
    return { overflow, unlabelled };
  });
}

/** Presses Tab until the element matching `selector` has focus (at most `max` times): reachable by keyboard. */
export async function reachableByKeyboard(page: Page, selector: string, max = 80): Promise<boolean> {
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    if (await page.evaluate((s) => document.activeElement?.matches(s) ?? false, selector)) return true;
  }
  return false;
}
