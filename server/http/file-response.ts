import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import type { Context } from 'hono';

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

/** `If-None-Match` names this entity tag (RFC 9110 §13.1.2: weak comparison, or `*`). */
const matches = (header: string | undefined, etag: string) =>
  !!header && (header.trim() === '*' || header.split(',').some((t) => t.trim().replace(/^W\//, '') === etag));

/**
 * A file on disk as an HTTP answer: 304 when the client holds this `etag`, 206 for a single range,
 * 416 for a range past the end, the whole file otherwise; HEAD gets the headers only. Null when the
 * file is not there (the caller answers 404 in its own words).
 */
export async function fileResponse(c: Context, path: string, headers: { type: string; etag: string; cacheControl: string }): Promise<Response | null> {
  const size = await stat(path).then((s) => s.size, () => -1);
  if (size < 0) return null;
  const common: Record<string, string> = { 'Content-Type': headers.type, 'Accept-Ranges': 'bytes', 'Cache-Control': headers.cacheControl, ETag: headers.etag };
  if (matches(c.req.header('if-none-match'), headers.etag)) return new Response(null, { status: 304, headers: common });
  const range = parseRange(c.req.header('range'), size);
  if (range === 'unsatisfiable') return new Response(null, { status: 416, headers: { ...common, 'Content-Range': `bytes */${size}` } });
  const { start, end } = range ?? { start: 0, end: size - 1 };
  const body = c.req.method === 'HEAD' ? null : (Readable.toWeb(createReadStream(path, { start, end })) as ReadableStream);
  return new Response(body, {
    status: range ? 206 : 200,
    headers: { ...common, 'Content-Length': String(end - start + 1), ...(range ? { 'Content-Range': `bytes ${start}-${end}/${size}` } : {}) },
  });
}
