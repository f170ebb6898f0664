import { timingSafeEqual } from 'node:crypto';
import { Hono, type MiddlewareHandler } from 'hono';
import { routePath } from 'hono/route';
import { ApiError } from '../http/errors.js';
import { remoteAddress } from '../http/request.js';
import type { Metrics } from './service.js';

const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

const sameToken = (given: string, expected: string) => {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
};

/**
 * The route a request matched, as registered (`/api/programs/:id`), never the raw path: ids in a
 * label would make a time series per program. Regex constraints are dropped; what matched no route
 * is `unmatched`.
 */
export function routeLabel(pattern: string, status: number): string {
  if (!pattern || (status === 404 && pattern.endsWith('*'))) return 'unmatched';
  return pattern.replace(/(:\w+)\{.*?\}(?=\/|$)/g, '$1');
}

/** Times every request; put first, so it sees what the error handler answered too. */
export function httpMetrics(metrics: Metrics): MiddlewareHandler {
  return async (c, next) => {
    const started = performance.now();
    try {
      await next();
    } finally {
      const status = c.res.status;
      metrics.observeHttp({ method: c.req.method, route: routeLabel(routePath(c), status), status }, (performance.now() - started) / 1000);
    }
  };
}

/**
 * GET /metrics in Prometheus' text format. With a token, only `Authorization: Bearer <token>`; without
 * one, only clients on this machine (the client address, so behind a proxy with TRUST_PROXY the proxy's
 * own loopback address does not count).
 */
export function metricsRoutes(metrics: Metrics, token: string | undefined) {
  return new Hono().get('/', async (c) => {
    if (token) {
      const given = /^Bearer\s+(.+)$/i.exec(c.req.header('authorization') ?? '')?.[1];
      if (!given || !sameToken(given, token)) {
        c.header('WWW-Authenticate', 'Bearer realm="loalang-metrics"');
        throw new ApiError(401, 'unauthenticated', 'Metrics need Authorization: Bearer <METRICS_TOKEN>');
      }
    } else if (!LOOPBACK.has(remoteAddress(c))) {
      throw new ApiError(403, 'forbidden', 'Metrics are answered only to this machine; set METRICS_TOKEN to scrape from elsewhere');
    }
    return c.body(await metrics.render(), 200, { 'Content-Type': metrics.contentType, 'Cache-Control': 'no-store' });
  });
}
