import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, rename, rm, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { fsyncDir } from './files.js';

export interface AssetRef { sha256: string; bytes: number; url: string }

const hashOf = (file: string, h = createHash('sha256')) =>
  new Promise<ReturnType<typeof createHash>>((resolve, reject) => {
    createReadStream(file).on('data', (d) => h.update(d)).on('error', reject).on('end', () => resolve(h));
  });

/** When `file` exists with exactly the expected length and sha256: its size and mtime as verified; else null. */
export async function verifyFile(file: string, asset: { sha256: string; bytes: number }): Promise<FileStamp | null> {
  const s = await stat(file).catch(() => null);
  if (!s || s.size !== asset.bytes) return null;
  return (await hashOf(file)).digest('hex') === asset.sha256 ? { size: s.size, mtimeMs: s.mtimeMs } : null;
}

/** Size and modification time: a file with the same stamp has not been written since. */
export interface FileStamp { size: number; mtimeMs: number }

/**
 * Downloads an asset to `dest`: into `dest.part`, resuming with an HTTP Range request when a part
 * exists, then checks length and sha256 before the atomic rename. A bad file never reaches `dest`.
 * Not `durable`: no fsync, for audio that must play at once; a file torn by a power cut then fails
 * the full hash made before any later play (the verified stamps do not outlive the process).
 */
export async function downloadAsset(url: string, dest: string, asset: AssetRef, authorization: string, o: { signal?: AbortSignal; durable?: boolean } = {}): Promise<void> {
  const { signal, durable = true } = o;
  const part = `${dest}.part`;
  let have = (await stat(part).catch(() => null))?.size ?? 0;
  if (have >= asset.bytes) {
    await rm(part, { force: true });
    have = 0;
  }
  const headers: Record<string, string> = { authorization };
  if (have > 0) headers.range = `bytes=${have}-`;
  const res = await fetch(url, { headers, signal });
  if (res.status === 200) have = 0;
  else if (res.status !== 206) throw new Error(`download ${url}: HTTP ${res.status}`);
  const hash = have > 0 ? await hashOf(part) : createHash('sha256');
  const fh = await open(part, have > 0 ? 'a' : 'w');
  let size = have;
  try {
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      size += chunk.byteLength;
      if (size > asset.bytes) throw new Error(`download ${url}: larger than the ${asset.bytes} bytes the manifest names`);
      hash.update(chunk);
      await fh.write(chunk);
    }
    if (durable) await fh.sync();
  } finally {
    await fh.close();
  }
  const digest = hash.digest('hex');
  if (size !== asset.bytes || digest !== asset.sha256) {
    await rm(part, { force: true });
    throw new Error(`download ${url}: got ${size} bytes sha256 ${digest.slice(0, 12)}…, expected ${asset.bytes} bytes ${asset.sha256.slice(0, 12)}…`);
  }
  await rename(part, dest);
  if (durable) await fsyncDir(dirname(dest));
}
