import { Hono } from 'hono';
import { z } from 'zod';
import { requireRole, type AuthEnv } from '../auth/middleware.js';
import { ApiError } from '../http/errors.js';
import { CATEGORIES, type Category, type ProgramsService } from './service.js';

const fields = z.object({
  title: z.string().trim().min(1, 'title is required').max(200),
  category: z.enum(CATEGORIES as [Category, ...Category[]]).default('other'),
});

export function programsRoutes(programs: ProgramsService) {
  return new Hono<AuthEnv>()
    .get('/', (c) => c.json({ programs: programs.list() }, 200))
    .get('/:id', (c) => c.json({ program: programs.get(c.req.param('id')) }, 200))
    .post('/', requireRole('editor', 'approver'), async (c) => {
      if (!(c.req.header('content-type') ?? '').startsWith('multipart/form-data')) {
        throw new ApiError(415, 'unsupported_media_type', 'Send multipart/form-data with a file field and a title');
      }
      const body = await c.req.parseBody().catch(() => {
        throw new ApiError(400, 'bad_multipart', 'The multipart body could not be read');
      });
      const file = body.file;
      if (!(file instanceof File)) throw new ApiError(400, 'file_missing', 'Add the audio as the form field "file"');
      const parsed = fields.safeParse({ title: body.title ?? file.name, category: body.category || undefined });
      if (!parsed.success) throw new ApiError(400, 'invalid_request', parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
      const program = await programs.upload({
        ...parsed.data, file: { bytes: new Uint8Array(await file.arrayBuffer()), name: file.name || 'upload' }, userId: c.get('user').id,
      });
      return c.json({ program }, 201);
    });
}
