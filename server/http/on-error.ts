import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { Logger } from '../logger.js';
import { ApiError, errorBody } from './errors.js';

/** What a failed database or disk write means to the person who asked, or null if it is not one. */
export function storageError(err: unknown): ApiError | null {
  const code = (err as { code?: string })?.code ?? '';
  const message = String((err as Error)?.message ?? '');
  if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED' || code.startsWith('SQLITE_BUSY')) {
    return new ApiError(503, 'database_busy', 'The database is busy (another program is writing to it); nothing was changed, try again in a moment', { retryAfterSeconds: 2 });
  }
  if (code === 'SQLITE_FULL' || code === 'ENOSPC' || /no space left|database or disk is full/i.test(message)) {
    return new ApiError(507, 'disk_full', 'The server\'s disk is full; nothing was changed. Free some space (old media, backups) and try again');
  }
  if (code === 'SQLITE_READONLY' || code.startsWith('SQLITE_READONLY') || code === 'EROFS') {
    return new ApiError(503, 'database_read_only', 'The database cannot be written (read-only disk or file); nothing was changed');
  }
  return null;
}

/** The one error handler: every failure answers `{error:{code, message, details?}}` with its status. */
export function errorHandler(log: Logger) {
  return (err: Error, c: Context) => {
    const api = err instanceof ApiError ? err : storageError(err);
    if (api) {
      if (!(err instanceof ApiError)) log.error('storage refused a write', { path: c.req.path, code: api.code, err: String(err) });
      const res = c.json(errorBody(api.code, api.message, api.details), api.status as ContentfulStatusCode);
      const www = c.res.headers.get('WWW-Authenticate');
      if (www) res.headers.set('WWW-Authenticate', www);
      const retry = (api.details as { retryAfterSeconds?: number } | undefined)?.retryAfterSeconds;
      if (retry) res.headers.set('Retry-After', String(retry));
      return res;
    }
    if (err instanceof HTTPException) {
      const code = /malformed json/i.test(err.message) ? 'malformed_json' : err.status === 400 ? 'bad_request' : 'http_error';
      const message = code === 'malformed_json' ? 'The request body is not valid JSON' : err.message || 'Request refused';
      return c.json(errorBody(code, message), err.status as ContentfulStatusCode);
    }
    log.error('unhandled error', { path: c.req.path, err: err.stack ?? String(err) });
    return c.json(errorBody('internal', 'Something went wrong on the server; it has been logged'), 500);
  };
}
