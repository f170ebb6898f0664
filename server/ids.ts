import { randomBytes } from 'node:crypto';

/** Short, URL-safe, prefixed ids: `zn_…` reads as a zone in logs. */
export const newId = (prefix: string) => `${prefix}_${randomBytes(9).toString('base64url').replace(/[-_]/g, 'x')}`;
