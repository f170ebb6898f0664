import { expect } from 'vitest';
import type { Locator, Page } from 'playwright-core';
import { inspectPage, reachableByKeyboard, type PanelPage } from './browser.js';

/** Clicks and keystrokes a person would make, counted as the journey makes them. */
export class Effort {
  clicks = 0;
  keys = 0;
  async click(l: Locator) {
    this.clicks++;
    await l.click();
  }
  /** Typing: one keystroke per character. */
  async type(l: Locator, text: string) {
    this.clicks++;
    this.keys += text.length;
    await l.fill(text);
  }
  /** A select: open it, pick one. */
  async choose(l: Locator, value: string | { label: string }) {
    this.clicks += 2;
    await l.selectOption(value);
  }
  async check(l: Locator, on = true) {
    this.clicks++;
    await l.setChecked(on);
  }
  /** A file: open the picker, pick the file. */
  async file(l: Locator, path: string) {
    this.clicks += 2;
    await l.setInputFiles(path);
  }
  /** Estimated time for a person: 1.5 s a click, 0.3 s a keystroke. */
  seconds() {
    return this.clicks * 1.5 + this.keys * 0.3;
  }
}

/**
 * What every page must do at any size: nothing wider than the screen, every field labelled, no console
 * error, and its primary action reachable with the keyboard.
 */
export async function checkPage(p: PanelPage, primary?: string) {
  const report = await inspectPage(p.page);
  const where = new URL(p.page.url()).pathname;
  expect(report.overflow, `horizontal overflow on ${where}`).toBeNull();
  expect(report.unlabelled, `unlabelled fields on ${where}`).toEqual([]);
  expect(p.errors, `console errors on ${where}`).toEqual([]);
  if (primary) expect(await reachableByKeyboard(p.page, primary), `${primary} reachable by keyboard on ${where}`).toBe(true);
}

/** The element lies within the viewport's width: nobody scrolls sideways to reach it. */
export async function withinWidth(page: Page, l: Locator) {
  const box = await l.boundingBox();
  const width = page.viewportSize()!.width;
  expect(box, 'element is laid out').not.toBeNull();
  expect(box!.x).toBeGreaterThanOrEqual(0);
  expect(box!.x + box!.width).toBeLessThanOrEqual(width);
}
