import { Hono } from 'hono';
import { z } from 'zod';
import { remoteAddress } from '../http/request.js';
import { clearSessionCookie, sessionToken, setSessionCookie } from '../http/session.js';
import { validate } from '../http/validate.js';
import { allow, requireUser, type AuthEnv } from './middleware.js';
import { actionsOf } from './permissions.js';
import { newUserSchema, type AuthService } from './service.js';

const credentials = z.object({ username: z.string().min(1).max(64), password: z.string().min(1).max(256) });

export function authRoutes(auth: AuthService, sessionTtlMs: number) {
  return new Hono<AuthEnv>()
    .post('/login', validate('json', credentials), async (c) => {
      const { username, password } = c.req.valid('json');
      const { token, user } = await auth.login(username, password, remoteAddress(c));
      setSessionCookie(c, token, sessionTtlMs);
      return c.json({ user }, 200);
    })
    .post('/logout', (c) => {
      const token = sessionToken(c);
      if (token) auth.logout(token);
      clearSessionCookie(c);
      return c.json({ ok: true }, 200);
    });
}

/** The user and what their role may do (the panel shows only what it may). */
export function meRoutes(auth: AuthService) {
  return new Hono<AuthEnv>()
    .use(requireUser(auth))
    .get('/', (c) => c.json({ user: c.get('user'), can: actionsOf(c.get('user').role) }, 200));
}

export function usersRoutes(auth: AuthService) {
  return new Hono<AuthEnv>()
    .use(allow('users.manage'))
    .get('/', (c) => c.json({ users: auth.listUsers() }, 200))
    .post('/', validate('json', newUserSchema), async (c) => c.json({ user: await auth.createUser(c.req.valid('json')) }, 201));
}
