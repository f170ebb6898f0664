import { Hono } from 'hono';
import type { PanelDeps, PanelEnv } from '../context.js';

export function programPages(_d: PanelDeps) {
  return new Hono<PanelEnv>();
}
