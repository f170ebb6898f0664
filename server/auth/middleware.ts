import type { Context, MiddlewareHandler } from 'hono';
import { ApiError } from '../http/errors.js';
import { sessionToken } from '../http/session.js';
import { can, PERMISSIONS, type Action } from './permissions.js';
import type { AuthService, SessionUser } from './service.js';

export type AuthEnv = { Variables: { user: SessionUser } };

export const sessionUser = (auth: AuthService, c: Context) => auth.userForToken(sessionToken(c));

/** Every /api route but login passes here: no session, 401. */
export const requireUser = (auth: AuthService): MiddlewareHandler<AuthEnv> => async (c, next) => {
  const user = sessionUser(auth, c);
  if (!user) throw new ApiError(401, 'unauthenticated', 'Log in first: this route needs a session');
  c.set('user', user);
  await next();
};

/** Lets the request through only if the permission table gives the user's role this action. */
export const allow = (action: Action): MiddlewareHandler<AuthEnv> => async (c, next) => {
  const user = c.get('user');
  if (!can(user.role, action)) {
    throw new ApiError(403, 'forbidden', `This needs the role ${PERMISSIONS[action].join(' or ')} (${action}); you are ${user.role}`, { action });
  }
  await next();
};
