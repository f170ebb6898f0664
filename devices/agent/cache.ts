import { mkdir, readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { ManifestItem } from '../protocol/index.js';
import { downloadAsset, verifyFile, type FileStamp } from './download.js';

type Asset = ManifestItem['asset'];

/**
 * The audio cache, `assets/{sha256}.opus`: fetches and verifies what a manifest names, shares one
 * download between everyone waiting for it, and prunes what the plan no longer keeps.
 */
export class AssetCache {
  private readonly downloads = new Map<string, Promise<string | null>>();
  /** sha256 → size and mtime of cached files verified by this process. */
  private readonly stamps = new Map<string, FileStamp>();
  /** sha256 → why its last download failed, when a person can act on it. */
  private readonly failures = new Map<string, string>();
  /** The kept set of the last prune, and whether a download added a file since. */
  private prunedFor?: string;
  private changed = true;

  constructor(private readonly o: {
    dir: string;
    /** Relative asset URLs resolve against it. */
    server: string;
    authorization: string;
    log: (msg: string, extra?: object) => void;
  }) {}

  file(sha256: string) {
    return join(this.o.dir, `${sha256}.opus`);
  }

  init() {
    return mkdir(this.o.dir, { recursive: true });
  }

  /**
   * Resolves with the verified local file, or null if it cannot be had. Shared by prefetch and play.
   * `urgent` (an alert): a download skips its fsyncs, which would delay the start.
   */
  fetch(asset: Asset, o: { urgent?: boolean } = {}): Promise<string | null> {
    const { sha256 } = asset;
    const existing = this.downloads.get(sha256);
    if (existing) return existing;
    const file = this.file(sha256);
    const job = (async () => {
      // A file this agent verified and that has not changed since (size, mtime) is not hashed again
      // on every manifest; it is still hashed before it plays (verifiedFile).
      const seen = this.stamps.get(sha256);
      const s = seen && (await stat(file).catch(() => null));
      if (s && s.size === seen.size && s.mtimeMs === seen.mtimeMs) return file;
      const stamp = await verifyFile(file, asset);
      if (stamp) return this.markVerified(sha256, file, stamp);
      await rm(file, { force: true });
      await downloadAsset(new URL(asset.url, this.o.server).toString(), file, asset, this.o.authorization, { durable: !o.urgent });
      this.changed = true;
      this.failures.delete(sha256);
      const { size, mtimeMs } = await stat(file);
      return this.markVerified(sha256, file, { size, mtimeMs });
    })().catch((err) => {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOSPC' || code === 'EDQUOT') this.failures.set(sha256, 'disk full');
      this.o.log('asset download failed', { sha256, err: String(err) });
      return null;
    }).finally(() => this.downloads.delete(sha256));
    this.downloads.set(sha256, job);
    return job;
  }

  /** Why the last download of an asset failed, when that is worth telling ('disk full'). */
  failure(sha256: string): string | undefined {
    return this.failures.get(sha256);
  }

  /** The cached file if it verifies in full now (a truncated or corrupted one is fetched again); for a play. */
  async verifiedFile(asset: Asset): Promise<string | null> {
    const file = this.file(asset.sha256);
    const stamp = !this.downloads.has(asset.sha256) && (await verifyFile(file, asset));
    if (stamp) return this.markVerified(asset.sha256, file, stamp);
    this.stamps.delete(asset.sha256);
    return this.fetch(asset);
  }

  /** Deletes cached assets not in `kept`, except one being downloaded or `inUse`. */
  async prune(kept: Set<string>, inUse: (sha256: string) => boolean) {
    // The directory is read only when there may be something to delete: the kept set changed, or a
    // download added a file since the last prune (a new manifest for the same audio costs nothing).
    const key = [...kept].sort().join();
    if (key === this.prunedFor && !this.changed) return;
    this.prunedFor = key;
    this.changed = false;
    for (const f of await readdir(this.o.dir).catch(() => [] as string[])) {
      const sha = f.slice(0, 64);
      if (!f.endsWith('.opus') || kept.has(sha) || this.downloads.has(sha) || inUse(sha)) continue;
      await rm(join(this.o.dir, f), { force: true });
      this.stamps.delete(sha);
    }
  }

  private markVerified(sha256: string, file: string, stamp: FileStamp) {
    this.stamps.set(sha256, stamp);
    return file;
  }
}
