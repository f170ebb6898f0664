import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { useTestApp } from '../helpers/app.js';
import { useTestSystem } from '../helpers/system.js';

describe('a database another process holds locked', () => {
  const t = useTestSystem();

  it('answers a write with 503 database_busy and Retry-After within the busy timeout, changes nothing, and /healthz says busy', async () => {
    const other = new Database(join(t.dir, 'data', 'loalang.db'));
    try {
      other.exec('BEGIN IMMEDIATE');
      const started = performance.now();
      const res = await t.api('/api/zones', { method: 'POST', json: { name: 'Thôn Khóa Ghi' } });
      const tookMs = performance.now() - started;
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toBe('2');
      expect((await res.json()).error.code).toBe('database_busy');
      expect(tookMs).toBeLessThan(2000);
      const health = await fetch(`${t.sys.httpUrl}/healthz`);
      expect(health.status).toBe(503);
      expect(await health.json()).toMatchObject({ ok: false, db: 'busy' });
    } finally {
      other.exec('ROLLBACK');
      other.close();
    }
    expect((await (await t.api('/api/zones')).json()).zones.map((z: { name: string }) => z.name)).not.toContain('Thôn Khóa Ghi');
    expect((await (await fetch(`${t.sys.httpUrl}/healthz`)).json()).db).toBe('ok');
  });
});

describe('a full disk', () => {
  const t = useTestApp();

  it('answers a write with 507 disk_full and a message a person can act on, and /healthz says so', async () => {
    // SQLite's own ceiling on the file: the same SQLITE_FULL a full disk gives.
    const pages = t.sqlite.pragma('page_count', { simple: true }) as number;
    t.sqlite.pragma(`max_page_count = ${pages}`);
    try {
      // The pages left fill up within a few writes.
      let res = await t.api('/api/zones', { method: 'POST', json: { name: 'Thôn Đầy 0' } });
      for (let i = 1; i < 500 && res.status === 201; i++) res = await t.api('/api/zones', { method: 'POST', json: { name: `Thôn Đầy ${i} ${'x'.repeat(80)}` } });
      expect(res.status).toBe(507);
      const { error } = await res.json();
      expect(error.code).toBe('disk_full');
      expect(error.message).toMatch(/disk is full/);
      const health = await t.as()('/healthz');
      expect(health.status).toBe(503);
      expect((await health.json()).db).toBe('disk-full');
    } finally {
      t.sqlite.pragma('max_page_count = 1073741823');
    }
    expect((await (await t.as()('/healthz')).json()).db).toBe('ok');
  });
});
