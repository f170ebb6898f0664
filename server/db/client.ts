import { statfsSync } from 'node:fs';
import Database from 'better-sqlite3';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as schema from './schema.js';

/** Drizzle over better-sqlite3; `$client` for the few hot statements prepared by hand. */
export type Db = BetterSQLite3Database<typeof schema> & { $client: Database.Database };

const MIGRATIONS = join(dirname(fileURLToPath(import.meta.url)), '../../drizzle');

/**
 * Opens (creating if needed) the SQLite file in WAL mode and applies every migration in drizzle/.
 * better-sqlite3 is synchronous, so a write that waits for another process's lock holds the event
 * loop for the whole busy timeout: it is kept short, and a busy database answers 503 instead.
 */
export function openDb(file: string, { busyTimeoutMs = 500 }: { busyTimeoutMs?: number } = {}): { db: Db; sqlite: Database.Database } {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const sqlite = new Database(file);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma(`busy_timeout = ${busyTimeoutMs}`);
  const db = drizzle(sqlite, { schema });
  migrate(db, { migrationsFolder: MIGRATIONS });
  return { db, sqlite };
}

export type DbHealth = 'ok' | 'busy' | 'read-only' | 'disk-full' | 'closed';

/** Less free space than this beside the database counts as full: the next WAL checkpoint would fail. */
const MIN_FREE_BYTES = 1024 * 1024;

/**
 * Whether the database can be written now, without writing: it takes the write lock (BEGIN
 * IMMEDIATE) with no waiting and gives it back, and looks at the space left.
 */
export function dbHealth(sqlite: Database.Database): DbHealth {
  if (!sqlite.open) return 'closed';
  const before = sqlite.pragma('busy_timeout', { simple: true }) as number;
  try {
    sqlite.pragma('busy_timeout = 0');
    sqlite.exec('BEGIN IMMEDIATE');
    sqlite.exec('ROLLBACK');
  } catch (err) {
    const code = String((err as { code?: string }).code ?? '');
    if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) return 'busy';
    if (code.startsWith('SQLITE_READONLY')) return 'read-only';
    if (code === 'SQLITE_FULL') return 'disk-full';
    throw err;
  } finally {
    sqlite.pragma(`busy_timeout = ${before}`);
  }
  const pages = sqlite.pragma('page_count', { simple: true }) as number;
  const max = sqlite.pragma('max_page_count', { simple: true }) as number;
  if (pages >= max) return 'disk-full';
  if (sqlite.name !== ':memory:' && sqlite.name !== '') {
    const fs = statfsSync(dirname(sqlite.name));
    if (fs.bavail * fs.bsize < MIN_FREE_BYTES) return 'disk-full';
  }
  return 'ok';
}
