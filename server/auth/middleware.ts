import type { Context, MiddlewareHandler } from 'hono';
import { getCookie } from 'hono/cookie';
import { ApiError } from '../http/errors.js';
import type { AuthService, Role, SessionUser } from './service.js';

export const SESSION_COOKIE = 'loalang_session';

export type AuthEnv = { Variables: { user: SessionUser } };

export const sessionUser = (auth: AuthService, c: Context) => auth.userForToken(getCookie(c, SESSION_COOKIE));

/** Every /api route but login and health passes here: no session, 401. */
export const requireUser = (auth: AuthService): MiddlewareHandler<AuthEnv> => async (c, next) => {
  const user = sessionUser(auth, c);
  if (!user) throw new ApiError(401, 'unauthenticated', 'Log in first: this route needs a session');
  c.set('user', user);
  await next();
};

export const requireRole = (...roles: Role[]): MiddlewareHandler<AuthEnv> => async (c, next) => {
  const user = c.get('user');
  if (user.role !== 'admin' && !roles.includes(user.role)) {
    throw new ApiError(403, 'forbidden', `This needs the role ${roles.join(' or ')}; you are ${user.role}`);
  }
  await next();
};

/** Only these roles; admin included only if listed. For decisions that are a person's office (the chair approving). */
export const requireStrictRole = (...roles: Role[]): MiddlewareHandler<AuthEnv> => async (c, next) => {
  const user = c.get('user');
  if (!roles.includes(user.role)) throw new ApiError(403, 'forbidden', `Only the role ${roles.join(' or ')} may do this; you are ${user.role}`);
  await next();
};
