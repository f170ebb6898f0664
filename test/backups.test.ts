import { copyFile, mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { generateSigningKeys } from '../devices/protocol/index.js';
import { auditLog, playlogs, sessions, users } from '../server/db/schema.js';
import { DB_FILE, KEY_FILE, listBackups } from '../server/housekeeping/backup.js';
import { useTestApp } from './helpers/app.js';
import { createDevice, createZone, startTestSystem } from './helpers/system.js';

const DAY = 86400_000;
const zonesIn = (file: string) => {
  const db = new Database(file, { readonly: true });
  try {
    return { check: db.pragma('integrity_check', { simple: true }), zones: (db.prepare('select name from zones order by name').all() as { name: string }[]).map((z) => z.name) };
  } finally {
    db.close();
  }
};

describe('housekeeping jobs on the records', () => {
  const t = useTestApp({ env: { BACKUP_KEEP: '2', RETENTION_YEARS: '5' } });
  const dataDir = () => join(t.dir, 'data');

  it('deletes playlogs and audit entries older than RETENTION_YEARS when retention runs, and keeps the rest', async () => {
    const now = t.clock.now();
    const ages = { old: now - (5 * 365 + 3) * DAY, kept: now - 4 * 365 * DAY };
    for (const [name, at] of Object.entries(ages)) {
      t.db.insert(playlogs).values({
        id: `ev-${name}-0001`, deviceId: 'thon-a-1', occurrenceId: `oc-${name}`, programId: 'pg_x', startAt: at, startedAt: at, endedAt: at + 1000, result: 'completed', receivedAt: at,
      }).run();
      t.db.insert(auditLog).values({ at, actor: 'us_x', actorName: 'x', action: `test.${name}`, targetType: 'test', targetId: name }).run();
    }
    await t.server.housekeeping.runNow('retention');
    expect(t.db.select({ id: playlogs.id }).from(playlogs).all().map((r) => r.id)).toEqual(['ev-kept-0001']);
    const actions = t.db.select({ action: auditLog.action }).from(auditLog).all().map((r) => r.action);
    expect(actions).toContain('test.kept');
    expect(actions).not.toContain('test.old');
  });

  it('purges sessions that have expired and keeps live ones', async () => {
    const admin = t.db.select({ id: users.id }).from(users).get()!;
    t.db.insert(sessions).values({ tokenHash: 'expired-session-hash', userId: admin.id, expiresAt: t.clock.now() - 1000, createdAt: t.clock.now() - DAY }).run();
    await t.server.housekeeping.runNow('sessions');
    const left = t.db.select({ h: sessions.tokenHash }).from(sessions).all().map((s) => s.h);
    expect(left).not.toContain('expired-session-hash');
    expect((await t.api('/api/me')).status).toBe(200);
  });

  it('backs up the live database with the signing key into BACKUP_DIR, checked, readable only by the server, keeping the newest BACKUP_KEEP', async () => {
    await mkdir(dataDir(), { recursive: true });
    const key = generateSigningKeys().privateKeyPem;
    await writeFile(join(dataDir(), KEY_FILE), key, { mode: 0o600 });
    await createZone(t, 'Thôn Backup');
    for (let i = 0; i < 3; i++) {
      await t.server.housekeeping.runNow('backup');
      t.clock.advance(DAY);
    }
    const backupDir = join(dataDir(), 'backups');
    const kept = await listBackups(backupDir);
    expect(kept.map((d) => d.split('/').pop())).toEqual(['loalang-20260303T010000Z', 'loalang-20260304T010000Z']);
    expect(await readdir(backupDir)).toHaveLength(2);
    const newest = kept.at(-1)!;
    expect(zonesIn(join(newest, DB_FILE))).toEqual({ check: 'ok', zones: ['Thôn Backup'] });
    expect((await stat(join(newest, DB_FILE))).mode & 0o777).toBe(0o600);
    expect((await stat(join(newest, KEY_FILE))).mode & 0o777).toBe(0o600);
    expect(await readFile(join(newest, KEY_FILE), 'utf8')).toBe(key);
    // One self-contained file: no WAL beside it to forget when copying.
    expect((await readdir(newest)).sort()).toEqual([KEY_FILE, DB_FILE].sort());
  });
});

describe('restoring a backup', () => {
  it('starts the whole system on a backup copied into a fresh DATA_DIR, with the data and key of the backup', async () => {
    const a = await startTestSystem();
    const restored = await mkdtemp(join(tmpdir(), 'loalang-restore-'));
    let running = true;
    try {
      const zone = await createZone(a, 'Thôn Đông');
      await createDevice(a, 'thon-dong-1', zone);
      await a.sys.housekeeping.runNow('backup');
      await createZone(a, 'Thôn Tây (after the backup)');
      const [backup] = await listBackups(join(a.dir, 'data', 'backups'));
      expect(zonesIn(join(backup, DB_FILE)).check).toBe('ok');

      // docs/operations.md, "Restoring a backup": stop, copy the database and the key into DATA_DIR, start.
      await mkdir(join(restored, 'data'));
      await copyFile(join(backup, DB_FILE), join(restored, 'data', 'loalang.db'));
      await copyFile(join(backup, KEY_FILE), join(restored, 'data', KEY_FILE));
      const publicKey = a.sys.publicKeyPem;
      await a.stop();
      running = false;

      const b = await startTestSystem({}, restored);
      try {
        const zones = (await (await b.api('/api/zones')).json()).zones.map((z: { name: string }) => z.name);
        expect(zones).toEqual(['Thôn Đông']);
        expect((await b.api('/api/devices/thon-dong-1')).status).toBe(200);
        expect(b.sys.publicKeyPem).toBe(publicKey);
      } finally {
        await b.stop();
      }
    } finally {
      if (running) await a.stop();
      await rm(restored, { recursive: true, force: true, maxRetries: 5 });
    }
  });
});
