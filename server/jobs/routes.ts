import { Hono } from 'hono';
import { allow, type AuthEnv } from '../auth/middleware.js';
import type { Jobs } from './service.js';

export function jobsRoutes(jobs: Jobs) {
  return new Hono<AuthEnv>()
    .use(allow('programs.edit'))
    .get('/', (c) => c.json({ jobs: jobs.list() }, 200))
    .get('/:id', (c) => c.json({ job: jobs.get(c.req.param('id')) }, 200));
}
