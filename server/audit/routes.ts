import { Hono } from 'hono';
import { z } from 'zod';
import { allow, type AuthEnv } from '../auth/middleware.js';
import { validate } from '../http/validate.js';
import type { AuditLog } from './service.js';

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
    .use(allow('audit.view'))
    .get('/', validate('query', query), (c) => c.json(audit.list(c.req.valid('query')), 200));
}
