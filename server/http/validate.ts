import { zValidator } from '@hono/zod-validator';
import { z, type ZodType } from 'zod';
import { strictInstant } from '../domain/time.js';
import { ApiError } from './errors.js';

type Target = 'json' | 'query' | 'param' | 'form';

/** zValidator that answers 400 with our error shape, listing every field problem. */
export const validate = <T extends ZodType, K extends Target>(target: K, schema: T) =>
  zValidator(target, schema, (result) => {
    if (!result.success) {
      const details = result.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
      throw new ApiError(400, 'invalid_request', `The request ${target} is not valid: ${details.map((d) => `${d.path || '(root)'}: ${d.message}`).join('; ')}`, details);
    }
  });

/** An ISO 8601 time with an offset that names a real instant (no 31 February, no +99:99 offset). */
export const isoInstant = z.string().max(40).refine((s) => strictInstant(s) !== null, {
  message: 'an ISO 8601 time with an offset that exists, e.g. 2026-12-31T20:00:00+07:00',
});
