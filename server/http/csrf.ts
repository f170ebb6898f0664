import type { MiddlewareHandler } from 'hono';
import { ApiError } from './errors.js';

/**
 * Cross-site request forgery guard. Browsers send Sec-Fetch-Site and Origin on unsafe requests; when
 * either says "another site", refuse. Non-browser clients (gateways, curl) send neither and carry no
 * ambient cookie to abuse, so they pass. SameSite=Lax on the session cookie is the second layer.
 */
export const csrfGuard = (): MiddlewareHandler => async (c, next) => {
  if (!/^(GET|HEAD|OPTIONS)$/.test(c.req.method)) {
    const site = c.req.header('sec-fetch-site');
    const origin = c.req.header('origin');
    const sameOrigin = origin === undefined || origin === new URL(c.req.url).origin;
    if ((site && site !== 'same-origin' && site !== 'none') || !sameOrigin) {
      throw new ApiError(403, 'cross_site_request', 'Cross-site requests are refused; use the panel or an API client');
    }
  }
  await next();
};
