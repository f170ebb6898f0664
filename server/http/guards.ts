import type { MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { secureHeaders } from 'hono/secure-headers';
import { ApiError } from './errors.js';

/**
 * Every body is limited before it is parsed: a 300 MB JSON post must not cost a gigabyte of memory.
 * Uploads of audio (`isUpload`) have their own, larger, limit on their routes.
 */
export function bodyLimits(maxBytes: number, isUpload: (method: string, path: string) => boolean): MiddlewareHandler {
  const limit = bodyLimit({
    maxSize: maxBytes,
    onError: () => {
      throw new ApiError(413, 'body_too_large', `The request body is larger than the ${Math.round(maxBytes / 1024)} KB limit`);
    },
  });
  return async (c, next) => {
    if (c.req.method === 'GET' || c.req.method === 'HEAD' || isUpload(c.req.method, c.req.path)) return next();
    return limit(c, next);
  };
}

/**
 * Response headers for a panel that loads nothing from elsewhere: its own scripts and styles,
 * media from itself (and blob: for recordings played back before upload), map tiles from `imgSources`.
 */
export function securityHeaders(imgSources: string[] = []): MiddlewareHandler {
  return secureHeaders({
    contentSecurityPolicy: {
      defaultSrc: ["'self'"],
      scriptSrc: ["'self'"],
      styleSrc: ["'self'", "'unsafe-inline'"],
      imgSrc: ["'self'", 'data:', 'blob:', ...imgSources],
      // The calendar library ships its icon font inline, as a data: URL.
      fontSrc: ["'self'", 'data:'],
      mediaSrc: ["'self'", 'blob:'],
      connectSrc: ["'self'"],
      objectSrc: ["'none'"],
      baseUri: ["'self'"],
      formAction: ["'self'"],
      frameAncestors: ["'none'"],
    },
    xFrameOptions: 'DENY',
    xContentTypeOptions: 'nosniff',
    referrerPolicy: 'same-origin',
    strictTransportSecurity: false,
    crossOriginEmbedderPolicy: false,
  });
}
