import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { mkdtemp, readdir, readFile, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AssetCache } from '../../devices/agent/cache.js';

const bytesOf = (name: string) => Buffer.from(`Opus bytes of ${name} `.repeat(50));
const asset = (name: string, body = bytesOf(name)) => {
  const sha256 = createHash('sha256').update(bytesOf(name)).digest('hex');
  return { sha256, bytes: bytesOf(name).length, durationMs: 1000, url: `/media/${sha256}.opus`, body };
};

describe('the asset cache', () => {
  let http: Server;
  let server: string;
  /** sha256 → what the server answers for it; absent is a 404. */
  const served = new Map<string, Buffer>();
  const requests: string[] = [];
  let dir: string;
  let logged: string[];
  const cache = () => new AssetCache({ dir, server, authorization: 'Basic dGVzdDp0ZXN0', log: (msg) => void logged.push(msg) });
  const files = async () => (await readdir(dir)).sort();

  beforeAll(async () => {
    http = createServer((req, res) => {
      requests.push(req.url!);
      const body = served.get(req.url!.slice('/media/'.length, -'.opus'.length));
      if (!body || req.headers.authorization !== 'Basic dGVzdDp0ZXN0') return res.writeHead(404).end();
      res.writeHead(200, { 'content-length': body.length }).end(body);
    });
    await new Promise<void>((r) => http.listen(0, '127.0.0.1', () => r()));
    server = `http://127.0.0.1:${(http.address() as { port: number }).port}`;
  });
  afterAll(() => new Promise<void>((r) => http.close(() => r())));
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'loalang-cache-'));
    served.clear();
    requests.length = 0;
    logged = [];
  });
  afterEach(() => rm(dir, { recursive: true, force: true, maxRetries: 5 }));

  const serve = (...assets: ReturnType<typeof asset>[]) => assets.forEach((a) => served.set(a.sha256, a.body));

  it('downloads a missing asset, checks it, and shares one download between everyone asking at once', async () => {
    const a = asset('tin-sang');
    serve(a);
    const c = cache();
    const got = await Promise.all([c.fetch(a), c.fetch(a), c.verifiedFile(a)]);
    expect(got).toEqual(Array(3).fill(c.file(a.sha256)));
    expect(requests).toHaveLength(1);
    expect(await readFile(c.file(a.sha256))).toEqual(a.body);
  });

  it('answers null, logs, and leaves no file when the server does not have the asset', async () => {
    const a = asset('mat');
    const c = cache();
    expect(await c.fetch(a)).toBeNull();
    expect(logged).toEqual(['asset download failed']);
    expect(await files()).toEqual([]);
  });

  it('refuses downloaded bytes that do not match the sha256 the manifest names', async () => {
    const a = asset('gia', Buffer.alloc(bytesOf('gia').length, 1));
    serve(a);
    expect(await cache().fetch(a)).toBeNull();
    expect(await files()).toEqual([]);
  });

  it('replaces a cached file that fails verification', async () => {
    const a = asset('hong');
    serve(a);
    const c = cache();
    await writeFile(c.file(a.sha256), Buffer.alloc(a.bytes));
    expect(await c.fetch(a)).toBe(c.file(a.sha256));
    expect(await readFile(c.file(a.sha256))).toEqual(a.body);
    expect(requests).toHaveLength(1);
  });

  it('does not hash again a file it verified that is unchanged on disk, but hashes it in full before a play', async () => {
    const a = asset('tin-chieu');
    serve(a);
    const c = cache();
    const file = c.file(a.sha256);
    // Whole seconds, so the modification time can be put back exactly.
    const mtime = new Date('2026-09-01T06:00:00+07:00');
    await writeFile(file, a.body);
    await utimes(file, mtime, mtime);
    expect(await c.fetch(a)).toBe(file);
    // Damage that keeps size and modification time: only a full hash can tell.
    await writeFile(file, Buffer.alloc(a.bytes));
    await utimes(file, mtime, mtime);
    expect(await c.fetch(a)).toBe(file);
    expect(requests).toEqual([]);
    expect(await c.verifiedFile(a)).toBe(file);
    expect(requests).toHaveLength(1);
    expect(await readFile(file)).toEqual(a.body);
  });

  it('prunes what the plan does not keep, but never a file being played or downloaded', async () => {
    const [kept, playing, stale] = [asset('giu'), asset('dang-phat'), asset('cu')];
    const c = cache();
    for (const a of [kept, playing, stale]) await writeFile(c.file(a.sha256), a.body);
    await writeFile(`${c.file(stale.sha256)}.part`, 'half');
    await c.prune(new Set([kept.sha256]), (sha) => sha === playing.sha256);
    expect(await files()).toEqual([`${stale.sha256}.opus.part`, `${kept.sha256}.opus`, `${playing.sha256}.opus`].sort());
  });

  it('reads the directory again only when the kept set changed or a download added a file', async () => {
    const [kept, stray, fetched] = [asset('giu'), asset('la'), asset('moi')];
    serve(fetched);
    const c = cache();
    await c.prune(new Set([kept.sha256]), () => false);
    await writeFile(c.file(stray.sha256), stray.body);
    await c.prune(new Set([kept.sha256]), () => false);
    expect(await files()).toEqual([`${stray.sha256}.opus`]);
    await c.fetch(fetched);
    await c.prune(new Set([kept.sha256]), () => false);
    expect(await files()).toEqual([]);
  });

  it('remembers that a download failed for lack of disk space, so the missed play can say "disk full"', async () => {
    const a = asset('day-dia');
    serve(a);
    const c = cache();
    // Every write to /dev/full fails with ENOSPC, as on a full SD card.
    await symlink('/dev/full', `${c.file(a.sha256)}.part`);
    expect(await c.fetch(a)).toBeNull();
    expect(c.failure(a.sha256)).toBe('disk full');
    await rm(`${c.file(a.sha256)}.part`);
    expect(await c.fetch(a, { urgent: true })).toBe(c.file(a.sha256));
    expect(c.failure(a.sha256)).toBeUndefined();
    expect(await readFile(c.file(a.sha256))).toEqual(a.body);
  });

  it('says nothing more than "not available" about other failures', async () => {
    const a = asset('khong-co');
    const c = cache();
    expect(await c.fetch(a)).toBeNull();
    expect(c.failure(a.sha256)).toBeUndefined();
  });
});
