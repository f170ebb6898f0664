import { open, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

/** fsync a directory so a rename inside it survives a power cut. */
export async function fsyncDir(dir: string) {
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

// Temp names only need to be unique within this process (one agent per cache dir).
let tmpSeq = 0;

/** Write temp, fsync, rename, fsync dir: after a power cut the file is either old or new, never torn. */
export async function writeFileAtomic(path: string, data: string | Uint8Array) {
  const tmp = `${path}.${process.pid}-${tmpSeq++}.tmp`;
  // flush: the data is fsynced before the file is closed.
  await writeFile(tmp, data, { flush: true });
  await rename(tmp, path);
  await fsyncDir(dirname(path));
}
