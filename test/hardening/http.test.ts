import { describe, expect, it, vi } from 'vitest';
import { failureTracker } from '../../server/domain/failures.js';
import { createLogger } from '../../server/logger.js';
import { useTestApp } from '../helpers/app.js';

/** A request body of `mb` megabytes, produced as it is read (nothing of that size is held here). */
function streamedBody(mb: number, chunk = '{"username":"' + 'a'.repeat(65_000)) {
  let sent = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (sent >= mb * 1024 * 1024) return controller.close();
      const bytes = new TextEncoder().encode(chunk);
      sent += bytes.length;
      controller.enqueue(bytes);
    },
  });
}

describe('every body is limited before it is parsed', () => {
  const t = useTestApp();

  it('answers a 300 MB JSON login without a session with 413 in the error shape, without reading it into memory', async () => {
    global.gc?.();
    const before = process.memoryUsage().rss;
    const res = await t.as()('/api/auth/login', {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: streamedBody(300), duplex: 'half',
    } as RequestInit);
    expect(res.status).toBe(413);
    expect(await res.json()).toEqual({ error: { code: 'body_too_large', message: expect.stringContaining('1024 KB') } });
    expect(process.memoryUsage().rss - before).toBeLessThan(100 * 1024 * 1024);
  });

  it('refuses a large declared body at once, on JSON API routes and on the panel\'s login form alike', async () => {
    for (const [path, type] of [['/api/zones', 'application/json'], ['/login', 'application/x-www-form-urlencoded']]) {
      const res = await t.api(path, { method: 'POST', headers: { 'content-type': type, 'content-length': String(2 * 1024 * 1024) }, body: 'x'.repeat(2 * 1024 * 1024) });
      expect(res.status, path).toBe(413);
    }
    expect((await t.api('/api/zones', { method: 'POST', json: { name: 'Thôn Nhỏ' } })).status).toBe(201);
  });
});

describe('response headers', () => {
  const t = useTestApp();

  it('carry a Content-Security-Policy that fits the panel, nosniff and frame denial', async () => {
    const res = await t.as()('/login');
    const csp = res.headers.get('content-security-policy')!;
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('x-frame-options')).toBe('DENY');
  });
});

describe('the log and the failure counters stay bounded', () => {
  it('truncates every logged field, so a megabyte-long user name makes a short line', () => {
    const lines: string[] = [];
    const spy = vi.spyOn(console, 'error').mockImplementation((l: string) => void lines.push(l));
    try {
      createLogger('info').warn('mqtt: refused connection', { username: 'u'.repeat(1024 * 1024), clientId: 'c'.repeat(5000) });
    } finally {
      spy.mockRestore();
    }
    expect(lines).toHaveLength(1);
    expect(lines[0].length).toBeLessThan(1000);
    expect(lines[0]).toContain('(1048576 chars)');
  });

  it('keeps at most its maximum of keys, forgetting the oldest, and caps each key\'s length', () => {
    const tracker = failureTracker({ windowMs: 60_000, maxKeys: 1000, maxKeyLength: 50 });
    for (let i = 0; i < 5000; i++) tracker.add(`source-${i}`, i);
    expect(tracker.size).toBe(1000);
    expect(tracker.count('source-4999', 5000)).toBe(1);
    expect(tracker.count('source-0', 5000)).toBe(0);
    // Keys longer than the cap are cut: a megabyte-long name is stored as 50 characters.
    for (let i = 0; i < 10; i++) tracker.add(`${'k'.repeat(1024 * 1024)}${i}`, 6000);
    expect(tracker.count('k'.repeat(60), 6000)).toBe(10);
    expect(tracker.count('k'.repeat(60), 70_000)).toBe(0);
  });
});
