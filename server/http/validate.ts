import { zValidator } from '@hono/zod-validator';
import type { ZodType } from 'zod';
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
