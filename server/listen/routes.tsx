import { createHash } from 'node:crypto';
import { Hono, type Context, type MiddlewareHandler } from 'hono';
import { html } from 'hono/html';
import { ListenPage } from '../../web/views/listen.js';
import { clockDuration, vietnameseDate } from '../domain/dates-vi.js';
import { failureTracker } from '../domain/failures.js';
import { ApiError } from '../http/errors.js';
import { fileResponse } from '../http/file-response.js';
import { isSecure, remoteAddress } from '../http/request.js';
import type { ListenService } from './service.js';
import { rssFeed } from './feed.js';

export interface ListenRoutesDeps {
  communeName: string;
  timeZone: string;
  /** Absolute base of the feed's links (PUBLIC_BASE_URL); else the scheme and host the request came with. */
  baseUrl?: string;
  /** Requests one client address may make a minute on these routes. */
  ratePerMinute: number;
  now: () => number;
}

/** Whoever holds a cached copy revalidates it within minutes, so unmarking a program takes effect soon. */
const PAGE_CACHE = 'public, max-age=60';
const FEED_CACHE = 'public, max-age=300';
const AUDIO_CACHE = 'public, max-age=300';

const etagOf = (body: string) => `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;

/** A text answer with an entity tag: 304 when the client already holds it. */
function cached(c: Context, body: string, type: string, cacheControl: string) {
  const etag = etagOf(body);
  const headers = { 'Content-Type': type, 'Cache-Control': cacheControl, ETag: etag };
  if (c.req.header('if-none-match')?.split(',').some((t) => t.trim().replace(/^W\//, '') === etag)) return c.body(null, 304, headers);
  return c.body(body, 200, headers);
}

/**
 * The feed and the MP3s are for other sites too: a podcast web player fetching the feed, the commune's
 * own website embedding a player. Registered before the security headers, so it runs after them and
 * relaxes their same-origin resource policy for these routes only; there is no cookie here to protect.
 */
export const openToOtherSites = (): MiddlewareHandler => async (c, next) => {
  await next();
  c.res.headers.set('Cross-Origin-Resource-Policy', 'cross-origin');
  if (c.req.path !== '/nghe-lai') c.res.headers.set('Access-Control-Allow-Origin', '*');
};

/**
 * "Nghe lại" (listen again), public and without login: the page, its podcast feed and the MP3s of
 * broadcasts an officer made public. Every request counts against its client address's budget.
 */
export function listenRoutes(listen: ListenService, d: ListenRoutesDeps) {
  // A sliding minute per address; the map is bounded, so a flood of addresses costs fixed memory.
  const hits = failureTracker({ windowMs: 60_000, maxKeys: 10_000 });
  const base = (c: Context) => d.baseUrl ?? `${isSecure(c) ? 'https' : 'http'}://${new URL(c.req.url).host}`;
  const audioPath = (id: string) => `/nghe-lai/audio/${id}.mp3`;

  return new Hono()
    .use('*', async (c, next) => {
      const address = remoteAddress(c);
      if (hits.count(address, d.now()) >= d.ratePerMinute) {
        throw new ApiError(429, 'rate_limited', `Too many requests from this address (more than ${d.ratePerMinute} a minute); wait a minute and try again`, { retryAfterSeconds: 60 });
      }
      hits.add(address, d.now());
      await next();
    })
    .get('/', (c) => {
      const entries = listen.list().map((b) => ({
        id: b.id, title: b.title, date: vietnameseDate(b.date, d.timeZone), category: b.categoryLabel,
        duration: clockDuration(b.durationMs), audioUrl: audioPath(b.id), text: b.text,
      }));
      const page = html`<!doctype html>${<ListenPage communeName={d.communeName} entries={entries} feedUrl="/nghe-lai/feed.xml" />}`;
      return cached(c, String(page), 'text/html; charset=utf-8', PAGE_CACHE);
    })
    .get('/feed.xml', (c) => {
      const root = base(c);
      const body = rssFeed({
        title: `Nghe lại · ${d.communeName}`,
        description: `Các bản tin của ${d.communeName} đã phát trên loa truyền thanh, để nghe lại`,
        pageUrl: `${root}/nghe-lai`, feedUrl: `${root}/nghe-lai/feed.xml`, audioUrl: (id) => `${root}${audioPath(id)}`, author: d.communeName,
      }, listen.list(), d.now());
      return cached(c, body, 'application/rss+xml; charset=utf-8', FEED_CACHE);
    })
    .get('/audio/:file{[A-Za-z0-9_-]{1,64}\\.mp3}', async (c) => {
      const id = c.req.param('file').slice(0, -4);
      const audio = listen.audio(id);
      const res = audio && await fileResponse(c, audio.path, { type: 'audio/mpeg', cacheControl: AUDIO_CACHE, etag: `"${audio.sha256}"` });
      if (!res) throw new ApiError(404, 'not_found', `No public broadcast ${id}`);
      return res;
    });
}
