import { Hono } from 'hono';
import { z } from 'zod';
import type { AuditLog } from '../audit/service.js';
import { actorOf, remoteAddress } from '../http/request.js';
import { clearSessionCookie, sessionToken, setSessionCookie } from '../http/session.js';
import { validate } from '../http/validate.js';
import { allow, requireUser, type AuthEnv } from './middleware.js';
import { actionsOf } from './permissions.js';
import { newUserSchema, passwordSchema, userPatchSchema, type AuthService } from './service.js';

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

/** The user and what their role may do (the panel shows only what it may); their own password. */
export function meRoutes(auth: AuthService, audit: AuditLog) {
  return new Hono<AuthEnv>()
    .use(requireUser(auth))
    .get('/', (c) => c.json({ user: c.get('user'), can: actionsOf(c.get('user').role) }, 200))
    .post('/password', validate('json', passwordSchema.extend({ current: z.string().min(1).max(256) })), async (c) => {
      const { password, current } = c.req.valid('json');
      const user = await auth.setPassword(c.get('user').id, password, { password: current, keepToken: sessionToken(c) });
      audit.record(actorOf(c), 'user.password-changed', { type: 'user', id: user.id });
      return c.json({ user }, 200);
    });
}

export function usersRoutes(auth: AuthService, audit: AuditLog) {
  return new Hono<AuthEnv>()
    .use(allow('users.manage'))
    .get('/', (c) => c.json({ users: auth.listUsers() }, 200))
    .get('/:id', (c) => c.json({ user: auth.getUser(c.req.param('id')) }, 200))
    .post('/', validate('json', newUserSchema), async (c) => {
      const user = await auth.createUser(c.req.valid('json'));
      audit.record(actorOf(c), 'user.created', { type: 'user', id: user.id }, { username: user.username, role: user.role });
      return c.json({ user }, 201);
    })
    .patch('/:id', validate('json', userPatchSchema), (c) => {
      const patch = c.req.valid('json');
      const { before, after } = auth.updateUser(c.req.param('id'), patch);
      const action = patch.disabled === true && !before.disabled ? 'user.disabled' : patch.disabled === false && before.disabled ? 'user.enabled' : 'user.updated';
      const changed = Object.fromEntries(Object.keys(patch).map((k) => [k, { from: before[k as keyof typeof before], to: after[k as keyof typeof after] }]));
      audit.record(actorOf(c), action, { type: 'user', id: after.id }, { username: after.username, changed });
      return c.json({ user: after }, 200);
    })
    /** An admin sets a new password (the user forgot theirs); the user's sessions end. */
    .post('/:id/password', validate('json', passwordSchema), async (c) => {
      const user = await auth.setPassword(c.req.param('id'), c.req.valid('json').password);
      audit.record(actorOf(c), 'user.password-reset', { type: 'user', id: user.id }, { username: user.username });
      return c.json({ user }, 200);
    });
}
