import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { Hono, type Context } from 'hono';
import { basicCredentials } from '../http/basic.js';
import { ApiError } from '../http/errors.js';
import type { MediaStore } from './store.js';

/** Who may download media: a logged-in user, or a device with HTTP Basic `id:secret`. */
export type MediaAuth = (cookieUser: boolean, basic: { id: string; secret: string } | null) => boolean;

/** Parses a single `bytes=a-b` range (RFC 9110 §14.1.2); multi-range is answered with the whole file. */
export function parseRange(header: string | undefined, size: number): { start: number; end: number } | 'unsatisfiable' | null {
  const m = /^bytes=(\d*)-(\d*)$/.exec(header?.trim() ?? '');
  if (!m || (m[1] === '' && m[2] === '')) return null;
  let start: number;
  let end: number;
  if (m[1] === '') {
    start = Math.max(0, size - Number(m[2]));
    end = size - 1;
  } else {
    start = Number(m[1]);
    end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  }
  return start > end || start >= size ? 'unsatisfiable' : { start, end };
}

export function mediaRoutes(store: MediaStore, isUser: (c: Context) => boolean, isDevice: (id: string, secret: string) => boolean) {
  return new Hono().get('/:file{[0-9a-f]{64}\\.(opus|mp3)}', async (c) => {
    const basic = basicCredentials(c.req.header('authorization'));
    if (!isUser(c) && !(basic && isDevice(basic.id, basic.secret))) {
      c.header('WWW-Authenticate', 'Basic realm="loalang-media"');
      throw new ApiError(401, 'unauthenticated', 'Media needs a user session or device credentials');
    }
    const sha256 = c.req.param('file').slice(0, 64);
    const kind = c.req.param('file').endsWith('.mp3') ? 'mp3' : 'opus';
    const path = store.assetPath(sha256, kind);
    const size = await stat(path).then((s) => s.size, () => -1);
    if (size < 0) throw new ApiError(404, 'not_found', `No asset ${sha256}`);
    const headers: Record<string, string> = {
      'Content-Type': kind === 'mp3' ? 'audio/mpeg' : 'audio/ogg; codecs=opus',
      'Accept-Ranges': 'bytes',
      'Cache-Control': 'private, max-age=31536000, immutable',
      ETag: `"${sha256}.${kind}"`,
    };
    const range = parseRange(c.req.header('range'), size);
    if (range === 'unsatisfiable') {
      return new Response(null, { status: 416, headers: { ...headers, 'Content-Range': `bytes */${size}` } });
    }
    const { start, end } = range ?? { start: 0, end: size - 1 };
    const body = c.req.method === 'HEAD' ? null : (Readable.toWeb(createReadStream(path, { start, end })) as ReadableStream);
    return new Response(body, {
      status: range ? 206 : 200,
      headers: { ...headers, 'Content-Length': String(end - start + 1), ...(range ? { 'Content-Range': `bytes ${start}-${end}/${size}` } : {}) },
    });
  });
}
