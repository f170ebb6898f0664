import { Hono } from 'hono';
import type { PanelDeps, PanelEnv } from '../context.js';

export function schedulePages(_d: PanelDeps) {
  return new Hono<PanelEnv>();
}
