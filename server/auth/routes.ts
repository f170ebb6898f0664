import { Hono } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { getConnInfo } from '@hono/node-server/conninfo';
import { z } from 'zod';
import { validate } from '../http/validate.js';
import { requireRole, requireUser, SESSION_COOKIE, type AuthEnv } from './middleware.js';
import type { AuthService } from './service.js';

const credentials = z.object({ username: z.string().min(1).max(64), password: z.string().min(1).max(256) });

export function remoteAddress(c: Parameters<typeof getConnInfo>[0]): string {
  try {
    return getConnInfo(c).remote.address ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

export function sessionCookie(c: Parameters<typeof setCookie>[0], token: string, ttlMs: number) {
  setCookie(c, SESSION_COOKIE, token, { httpOnly: true, sameSite: 'Lax', path: '/', maxAge: Math.floor(ttlMs / 1000) });
}

export function authRoutes(auth: AuthService, sessionTtlMs: number) {
  return new Hono<AuthEnv>()
    .post('/login', validate('json', credentials), async (c) => {
      const { username, password } = c.req.valid('json');
      const { token, user } = await auth.login(username, password, remoteAddress(c));
      sessionCookie(c, token, sessionTtlMs);
      return c.json({ user }, 200);
    })
    .post('/logout', (c) => {
      const token = getCookie(c, SESSION_COOKIE);
      if (token) auth.logout(token);
      deleteCookie(c, SESSION_COOKIE, { path: '/' });
      return c.json({ ok: true }, 200);
    });
}

export function meRoutes(auth: AuthService) {
  return new Hono<AuthEnv>()
    .use(requireUser(auth))
    .get('/', (c) => c.json({ user: c.get('user') }, 200));
}

const newUser = z.object({
  username: z.string().regex(/^[a-z0-9._-]{3,32}$/, 'username: 3–32 of a-z 0-9 . _ -'),
  password: z.string().min(8).max(256),
  role: z.enum(['admin', 'editor', 'approver', 'technician']),
  displayName: z.string().max(100).optional(),
});

export function usersRoutes(auth: AuthService) {
  return new Hono<AuthEnv>()
    .use(requireRole('admin'))
    .get('/', (c) => c.json({ users: auth.listUsers() }, 200))
    .post('/', validate('json', newUser), async (c) => c.json({ user: await auth.createUser(c.req.valid('json')) }, 201));
}
