import { chmod, copyFile, mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { Logger } from '../logger.js';

export const KEY_FILE = 'server-signing-key.pem';
export const DB_FILE = 'loalang.db';
const NAME = /^loalang-\d{8}T\d{6}Z(-\d+)?$/;

/** `loalang-20260302T200000Z`: sorts by time, and names the instant in UTC whatever the server's zone. */
const stampOf = (ms: number) => `loalang-${new Date(ms).toISOString().slice(0, 19).replace(/[-:]/g, '')}Z`;

/**
 * An online backup: SQLite's backup API copies the live database page by page while the server
 * keeps writing (better-sqlite3's `backup()`), into a folder beside the signing key it was used with.
 * The copy is switched out of WAL mode, so it is one self-contained file, and checked
 * (integrity_check) before it counts. It is built under `.partial` and renamed, so an interrupted
 * backup is never taken for one. The newest `keep` are kept.
 */
export async function backupDatabase({ sqlite, dataDir, backupDir, keep, now, log }: {
  sqlite: Database.Database; dataDir: string; backupDir: string; keep: number; now: number; log: Logger;
}): Promise<{ dir: string; bytes: number; removed: string[] }> {
  await mkdir(backupDir, { recursive: true, mode: 0o700 });
  let name = stampOf(now);
  for (let n = 2; await stat(join(backupDir, name)).then(() => true, () => false); n++) name = `${stampOf(now)}-${n}`;
  const dir = join(backupDir, name);
  const work = `${dir}.partial`;
  await rm(work, { recursive: true, force: true });
  await mkdir(work, { mode: 0o700 });
  try {
    const file = join(work, DB_FILE);
    await sqlite.backup(file);
    // It holds password and device-secret hashes: readable by the server's user only.
    await chmod(file, 0o600);
    const copy = new Database(file);
    try {
      copy.pragma('journal_mode = DELETE');
      const check = copy.pragma('integrity_check', { simple: true });
      if (check !== 'ok') throw new Error(`backup failed its integrity check: ${String(check)}`);
    } finally {
      copy.close();
    }
    const key = join(dataDir, KEY_FILE);
    if (await stat(key).then(() => true, () => false)) {
      await copyFile(key, join(work, KEY_FILE));
      await chmod(join(work, KEY_FILE), 0o600);
    } else {
      log.warn('no signing key file to back up beside the database', { key });
    }
    await rename(work, dir);
    const bytes = (await stat(join(dir, DB_FILE))).size;
    const removed = await prune(backupDir, keep);
    log.info('database backed up', { dir, bytes, removed: removed.length });
    return { dir, bytes, removed };
  } catch (err) {
    await rm(work, { recursive: true, force: true });
    throw err;
  }
}

/** Keeps the newest `keep` backups; leftovers of an interrupted backup go too. */
async function prune(backupDir: string, keep: number): Promise<string[]> {
  const entries = await readdir(backupDir);
  const backups = entries.filter((e) => NAME.test(e)).sort();
  const old = [...backups.slice(0, Math.max(0, backups.length - keep)), ...entries.filter((e) => e.endsWith('.partial'))];
  await Promise.all(old.map((e) => rm(join(backupDir, e), { recursive: true, force: true })));
  return old;
}

/** The backups in `backupDir`, oldest first. */
export const listBackups = async (backupDir: string) =>
  (await readdir(backupDir).catch(() => [] as string[])).filter((e) => NAME.test(e)).sort().map((e) => join(backupDir, e));
