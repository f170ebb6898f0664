import { getConnInfo } from '@hono/node-server/conninfo';
import type { Context } from 'hono';
import type { AuthEnv } from '../auth/middleware.js';

/** Who acted: a user (with the address the request came from), or a gateway reporting what it did. */
export interface Actor {
  id: string;
  name: string;
  address?: string | null;
}

/** The peer address of the request; 'unknown' where there is no socket (in-process requests). */
export function remoteAddress(c: Context): string {
  try {
    return getConnInfo(c).remote.address ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

/** The acting user of an authenticated request, with the address it came from. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any route path and input
export const actorOf = (c: Context<AuthEnv, any, any>): Actor => {
  const user = c.get('user');
  return { id: user.id, name: user.username, address: remoteAddress(c) };
};
