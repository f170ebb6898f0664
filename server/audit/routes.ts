import { Hono, type Context } from 'hono';
import { z } from 'zod';
import { requireRole, type AuthEnv } from '../auth/middleware.js';
import { remoteAddress } from '../auth/routes.js';
import { validate } from '../http/validate.js';
import type { Actor, AuditLog } from './service.js';

/** The acting user of a request, with the address it came from. */
export const actorOf = (c: Context<AuthEnv>): Actor => {
  const user = c.get('user');
  return { id: user.id, name: user.username, address: remoteAddress(c) };
};

const query = z.object({
  action: z.string().max(64).optional(),
  targetType: z.string().max(32).optional(),
  targetId: z.string().max(128).optional(),
  actor: z.string().max(128).optional(),
  before: z.coerce.number().int().positive().optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

export function auditRoutes(audit: AuditLog) {
  return new Hono<AuthEnv>()
    .use(requireRole('approver'))
    .get('/', validate('query', query), (c) => c.json(audit.list(c.req.valid('query')), 200));
}
