import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { z } from 'zod';
import { allow, type AuthEnv } from '../auth/middleware.js';
import { ApiError } from '../http/errors.js';
import { validate } from '../http/validate.js';
import { normalizeVietnamese } from './normalize.js';
import type { TtsProvider } from './provider.js';
import { fillTemplate, TemplateError, TEMPLATES } from './templates.js';

/** What to speak: text as written, or a template and its fields. Its length is checked against the limit by speechSource. */
export const speechText = z.union([
  z.object({ text: z.string().trim().min(1) }),
  z.object({ templateId: z.string(), fields: z.record(z.string(), z.string().max(2000)) }),
]);

const tooLong = (chars: number, maxChars: number) => new ApiError(413, 'text_too_long',
  `The text has ${chars === Infinity ? 'too many' : chars.toLocaleString('en')} characters; at most ${maxChars.toLocaleString('en')} are spoken at once. Split it into several programs.`,
  { maxChars });

/**
 * A JSON body can hold the limit's characters as \u escapes (6 bytes each) and a little more: past that
 * it is refused before it is parsed.
 */
export const speechBodyLimit = (maxChars: number) => bodyLimit({
  maxSize: maxChars * 6 + 64 * 1024,
  onError: () => {
    throw tooLong(Infinity, maxChars);
  },
});

/**
 * The text a speech request will say, before normalisation: as written, or a filled template. Longer than
 * `maxChars` (MAX_SPEECH_CHARS) is refused here, before any normalisation or synthesis.
 */
export function speechSource(body: z.infer<typeof speechText>, maxChars: number): string {
  let text: string;
  if ('text' in body) text = body.text;
  else {
    try {
      text = fillTemplate(body.templateId, body.fields).text;
    } catch (err) {
      if (err instanceof TemplateError) throw new ApiError(422, 'template_incomplete', err.message, { missing: err.missing });
      throw err;
    }
  }
  const chars = [...text.normalize('NFC')].length;
  if (chars > maxChars) throw tooLong(chars, maxChars);
  return text;
}

/** `/api/tts`: templates, voices, and a preview of what the engine will be given. */
export function ttsRoutes(tts: TtsProvider, maxChars: number) {
  return new Hono<AuthEnv>()
    .use(allow('programs.edit'))
    .get('/templates', (c) => c.json({ templates: TEMPLATES }, 200))
    .get('/voices', (c) => c.json({ provider: tts.name, voices: tts.voices, defaultVoice: tts.defaultVoice, maxChars }, 200))
    /** What the speech engine will be given: the filled template, normalised. */
    .post('/preview', speechBodyLimit(maxChars), validate('json', speechText), (c) => {
      const text = speechSource(c.req.valid('json'), maxChars);
      return c.json({ text, spoken: normalizeVietnamese(text) }, 200);
    });
}
