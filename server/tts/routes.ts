import { Hono } from 'hono';
import { z } from 'zod';
import { allow, type AuthEnv } from '../auth/middleware.js';
import { ApiError } from '../http/errors.js';
import { validate } from '../http/validate.js';
import { normalizeVietnamese } from './normalize.js';
import type { TtsProvider } from './provider.js';
import { fillTemplate, TemplateError, TEMPLATES } from './templates.js';

export const MAX_SPEECH_CHARS = 20_000;

/** What to speak: text as written, or a template and its fields. */
export const speechText = z.union([
  z.object({ text: z.string().trim().min(1).max(MAX_SPEECH_CHARS) }),
  z.object({ templateId: z.string(), fields: z.record(z.string(), z.string().max(2000)) }),
]);

/** The text a speech request will say, before normalisation: as written, or a filled template. */
export function speechSource(body: z.infer<typeof speechText>): string {
  if ('text' in body) return body.text;
  try {
    return fillTemplate(body.templateId, body.fields).text;
  } catch (err) {
    if (err instanceof TemplateError) throw new ApiError(422, 'template_incomplete', err.message, { missing: err.missing });
    throw err;
  }
}

/** `/api/tts`: templates, voices, and a preview of what the engine will be given. */
export function ttsRoutes(tts: TtsProvider) {
  return new Hono<AuthEnv>()
    .use(allow('programs.edit'))
    .get('/templates', (c) => c.json({ templates: TEMPLATES }, 200))
    .get('/voices', (c) => c.json({ provider: tts.name, voices: tts.voices, defaultVoice: tts.defaultVoice }, 200))
    /** What the speech engine will be given: the filled template, normalised. */
    .post('/preview', validate('json', speechText), (c) => {
      const text = speechSource(c.req.valid('json'));
      return c.json({ text, spoken: normalizeVietnamese(text) }, 200);
    });
}
