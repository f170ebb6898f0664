import { getConnInfo } from '@hono/node-server/conninfo';
import type { Context, MiddlewareHandler } from 'hono';
import type { AuthEnv } from '../auth/middleware.js';

/** Who acted: a user (with the address the request came from), or a gateway reporting what it did. */
export interface Actor {
  id: string;
  name: string;
  address?: string | null;
}

const socketAddress = (c: Context) => {
  try {
    return getConnInfo(c).remote.address ?? 'unknown';
  } catch {
    return 'unknown';
  }
};

/**
 * Where the request comes from, and whether it came over HTTPS. Behind a reverse proxy (TRUST_PROXY)
 * the peer is the proxy: the client is the last address the proxy appended to X-Forwarded-For, and
 * X-Forwarded-Proto says the scheme. Without it those headers are anyone's to forge, so they are ignored.
 */
export const clientInfo = (trustProxy: boolean): MiddlewareHandler => async (c, next) => {
  const forwarded = trustProxy ? c.req.header('x-forwarded-for')?.split(',').map((s) => s.trim()).filter(Boolean).at(-1) : undefined;
  c.set('clientAddress' as never, (forwarded?.slice(0, 64) ?? socketAddress(c)) as never);
  const proto = trustProxy ? c.req.header('x-forwarded-proto') : undefined;
  c.set('secure' as never, ((proto ?? new URL(c.req.url).protocol.replace(':', '')) === 'https') as never);
  await next();
};

/** The client's address (see clientInfo); 'unknown' where there is no socket. */
export function remoteAddress(c: Context): string {
  return (c.get('clientAddress' as never) as string | undefined) ?? socketAddress(c);
}

/** Whether the client reached us over HTTPS: the session cookie is then marked Secure. */
export const isSecure = (c: Context) => (c.get('secure' as never) as boolean | undefined) ?? false;

/** The acting user of an authenticated request, with the address it came from. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any route path and input
export const actorOf = (c: Context<AuthEnv, any, any>): Actor => {
  const user = c.get('user');
  return { id: user.id, name: user.username, address: remoteAddress(c) };
};
