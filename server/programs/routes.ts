import { rm } from 'node:fs/promises';
import { Hono } from 'hono';
import { z } from 'zod';
import { allow, type AuthEnv } from '../auth/middleware.js';
import { CATEGORIES } from '../domain/categories.js';
import { ApiError } from '../http/errors.js';
import { actorOf } from '../http/request.js';
import { validate } from '../http/validate.js';
import { receiveAudio as receiveFile } from '../media/receive.js';
import type { MediaStore } from '../media/store.js';
import { speechBodyLimit, speechSource, speechText } from '../tts/routes.js';
import type { ProgramsService } from './service.js';

const category = z.enum(CATEGORIES);
const title = z.string().trim().min(1, 'title is required').max(200);
const uploadFields = z.object({
  title: title.optional(),
  category: category.default('other'),
  source: z.enum(['upload', 'recording']).default('upload'),
});

const speechOptions = z.object({
  voice: z.string().max(64).optional(),
  speakingRate: z.number().min(0.25).max(4).optional(),
  pitch: z.number().min(-20).max(20).optional(),
});
const heard = z.object({ version: z.number().int().positive() });
const newSpeech = z.object({ title, category: category.default('other') }).and(speechOptions).and(speechText);
const speechVersion = speechOptions.and(speechText);

/** A refused form leaves no file behind. */
async function parsedOrRemoved<T>(path: string, parse: () => T): Promise<T> {
  try {
    return parse();
  } catch (err) {
    await rm(path, { force: true });
    throw err;
  }
}

function fields<T extends z.ZodType>(schema: T, raw: unknown): z.infer<T> {
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw new ApiError(400, 'invalid_request', parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
  return parsed.data;
}

export function programsRoutes(programs: ProgramsService, media: MediaStore, maxSpeechChars: number) {
  const edit = allow('programs.edit');
  const speechLimit = speechBodyLimit(maxSpeechChars);
  return new Hono<AuthEnv>()
    .use(allow('programs.view'))
    .get('/', (c) => c.json({ programs: programs.list() }, 200))
    .get('/:id', (c) => c.json({ program: programs.get(c.req.param('id')) }, 200))
    .post('/', edit, async (c) => {
      const { fields: body, path, name } = await receiveFile(c, media);
      const f = await parsedOrRemoved(path, () =>
        fields(uploadFields, { title: body.title || name, category: body.category || undefined, source: body.source || undefined }));
      const job = await programs.startUpload({ ...f, path, name, actor: actorOf(c) });
      return c.json({ job }, 202);
    })
    .post('/tts', edit, speechLimit, validate('json', newSpeech), (c) => {
      const body = c.req.valid('json');
      const job = programs.startSpeech({ ...body, text: speechSource(body, maxSpeechChars), actor: actorOf(c) });
      return c.json({ job }, 202);
    })
    .post('/:id/versions', edit, async (c) => {
      const id = c.req.param('id');
      programs.get(id);
      const { fields: body, path, name } = await receiveFile(c, media);
      const f = await parsedOrRemoved(path, () => fields(uploadFields.pick({ source: true }), { source: body.source || undefined }));
      const job = await programs.startUpload({ ...f, programId: id, path, name, actor: actorOf(c) });
      return c.json({ job }, 202);
    })
    .post('/:id/versions/tts', edit, speechLimit, validate('json', speechVersion), (c) => {
      const body = c.req.valid('json');
      const job = programs.startSpeech({ ...body, programId: c.req.param('id'), text: speechSource(body, maxSpeechChars), actor: actorOf(c) });
      return c.json({ job }, 202);
    })
    // `public`: on the residents' "nghe lại" page and podcast feed (its approved version only, once there is one).
    .patch('/:id', edit, validate('json', z.object({ title: title.optional(), category: category.optional(), public: z.boolean().optional(), archived: z.boolean().optional() }).strict()), (c) => {
      const { archived, ...patch } = c.req.valid('json');
      const id = c.req.param('id');
      if (archived !== undefined) programs.setArchived(id, archived, actorOf(c));
      return c.json({ program: Object.keys(patch).length ? programs.update(id, patch, actorOf(c)) : programs.get(id) }, 200);
    })
    .delete('/:id', edit, (c) => {
      programs.remove(c.req.param('id'), actorOf(c));
      return c.body(null, 204);
    })
    .post('/:id/submit', edit, (c) => c.json({ program: programs.submit(c.req.param('id'), actorOf(c)) }, 200))
    // The decision names the version the chair listened to: a newer one is not approved unheard.
    .post('/:id/approve', allow('programs.decide'), validate('json', heard), (c) =>
      c.json({ program: programs.approve(c.req.param('id'), c.req.valid('json').version, actorOf(c)) }, 200))
    .post('/:id/reject', allow('programs.decide'), validate('json', heard.extend({ reason: z.string().trim().min(3, 'say why').max(1000) })), (c) =>
      c.json({ program: programs.reject(c.req.param('id'), c.req.valid('json').version, c.req.valid('json').reason, actorOf(c)) }, 200));
}
