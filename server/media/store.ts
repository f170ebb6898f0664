import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { eq } from 'drizzle-orm';
import type { Clock } from '../clock.js';
import type { Db } from '../db/client.js';
import { assets } from '../db/schema.js';
import { ApiError } from '../http/errors.js';
import { analyse, AudioError, probeAudio, type AudioTools, type Probe } from './audio.js';
import { isDiskFull } from './ffmpeg.js';
import { render, type Rendition } from './render.js';

export type Asset = typeof assets.$inferSelect;

/** 507: the upload was fine, the server could not store the work. Not the uploader's to fix. */
export const diskFull = (name: string) =>
  new ApiError(507, 'disk_full', `${name}: the server's disk is full, so the audio could not be processed; ask the administrator to free space on the media disk, then upload again`);

export const sha256File = (file: string) =>
  new Promise<string>((resolve, reject) => {
    const h = createHash('sha256');
    createReadStream(file).on('data', (d) => h.update(d)).on('error', reject).on('end', () => resolve(h.digest('hex')));
  });

/**
 * Content-addressed store: `assets/{sha256}.opus` (what gateways play), `assets/{sha256}.mp3` (old
 * gateways, the browser) and `originals/{sha256}{ext}` (what was uploaded, kept to re-transcode later).
 * Work happens in `tmp/` and is renamed into place, so a failed upload leaves nothing behind.
 */
export interface IngestInput {
  /** The uploaded file, already on disk in the store's tmp dir; ingest removes or keeps it. */
  path: string;
  name: string;
  probe: Probe;
  onProgress?: (fraction: number) => void;
  /** How pass 2 went (gain, limiter, number of renders): for benchmarks and logs. */
  onRendered?: (r: Rendition) => void;
  /** Abandons the work (the server is stopping): its ffmpeg processes are killed. */
  signal?: AbortSignal;
}

export function createMediaStore({ db, clock, tools, mediaDir, maxUploadBytes, maxDurationMs }: {
  db: Db; clock: Clock; tools: AudioTools; mediaDir: string; maxUploadBytes: number; maxDurationMs: number;
}) {
  const dirs = { tmp: join(mediaDir, 'tmp'), assets: join(mediaDir, 'assets'), originals: join(mediaDir, 'originals') };
  const ready = Promise.all(Object.values(dirs).map((d) => mkdir(d, { recursive: true })));
  const refuse = (name: string, err: unknown): never => {
    if (isDiskFull(err)) throw diskFull(name);
    if (err instanceof AudioError) throw new ApiError(422, err.code, `${name}: ${err.message}`);
    throw err;
  };

  const assetPath = (sha256: string, kind: 'opus' | 'mp3' = 'opus') => join(dirs.assets, `${sha256}.${kind}`);
  const getAsset = (sha256: string): Asset | undefined => db.select().from(assets).where(eq(assets.sha256, sha256)).get();

  return {
    maxUploadBytes,
    maxDurationMs,
    tools,
    assetPath,
    getAsset,

    /** A fresh path in the store's tmp dir (same filesystem as the store, so the final rename is atomic). */
    async tmpPath(name: string): Promise<string> {
      await ready;
      const ext = (extname(name).toLowerCase().match(/^\.[a-z0-9]{1,5}$/) ?? [''])[0];
      return join(dirs.tmp, `${randomBytes(8).toString('hex')}-in${ext}`);
    },

    /**
     * The quick checks, answered before any job starts: size, readable audio stream, declared length.
     * A refused file is removed.
     */
    async check(path: string, name: string): Promise<Probe> {
      try {
        const size = await stat(path).then((s) => s.size, () => 0);
        if (size === 0) throw new ApiError(422, 'empty_audio', `${name} is empty (0 bytes)`);
        if (size > maxUploadBytes) throw new ApiError(413, 'too_large', `${name} is larger than the ${Math.round(maxUploadBytes / 1048576)} MB limit`);
        return await probeAudio(tools, path, maxDurationMs).catch((err) => refuse(name, err));
      } catch (err) {
        await rm(path, { force: true });
        throw err;
      }
    },

    /**
     * Analyse the file (silences, loudness, peak), measure the levels through the chain, then render trimmed
     * and normalised Opus, MP3 and waveform peaks. Hash, and store once per content. The input file is consumed either way.
     */
    async ingest({ path, name, probe, onProgress, onRendered, signal }: IngestInput): Promise<Asset> {
      await ready;
      const work = path.replace(/-in(\.[a-z0-9]+)?$/, '');
      const out = { opus: `${work}-out.opus`, mp3: `${work}-out.mp3` };
      try {
        const analysis = await analyse(tools, path, {
          declaredMs: probe.durationMs, maxMs: maxDurationMs,
          onProgress: (ms) => probe.durationMs && onProgress?.(Math.min(0.1, (ms / probe.durationMs) * 0.1)),
          signal,
        });
        const span = analysis.trim.endMs - analysis.trim.startMs;
        onProgress?.(0.1);
        const r = await render(tools, path, analysis, out, (f) => onProgress?.(0.1 + f * 0.89), signal);
        onRendered?.(r);
        const [sha256, opus, mp3] = await Promise.all([sha256File(out.opus), stat(out.opus), stat(out.mp3)]);
        const existing = getAsset(sha256);
        if (existing) return existing;
        const originalSha = await sha256File(path);
        await rename(path, join(dirs.originals, `${originalSha}${extname(path)}`));
        await rename(out.mp3, assetPath(sha256, 'mp3'));
        await rename(out.opus, assetPath(sha256));
        const row: Asset = {
          sha256, bytes: opus.size, mp3Bytes: mp3.size, durationMs: r.durationMs, loudnessLufs: r.loudnessLufs, truePeakDb: r.truePeakDb,
          peaks: r.peaks, trimmedMs: analysis.decodedMs - span, createdAt: clock.now(),
        };
        db.insert(assets).values(row).onConflictDoNothing().run();
        return row;
      } catch (err) {
        return refuse(name, err);
      } finally {
        await Promise.all([rm(path, { force: true }), rm(out.opus, { force: true }), rm(out.mp3, { force: true })]);
      }
    },
  };
}
export type MediaStore = ReturnType<typeof createMediaStore>;
