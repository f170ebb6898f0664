import { Hono } from 'hono';
import { z } from 'zod';
import type { AuditLog } from '../audit/service.js';
import { allow, type AuthEnv } from '../auth/middleware.js';
import { ApiError } from '../http/errors.js';
import { actorOf } from '../http/request.js';
import { validate } from '../http/validate.js';
import type { CommandsService } from './service.js';

const body = z.discriminatedUnion('type', [
  z.object({ type: z.literal('stop') }),
  z.object({ type: z.literal('resync') }),
  z.object({ type: z.literal('reboot-agent') }),
  z.object({ type: z.literal('set-volume'), volume: z.number().int().min(0).max(100) }),
  z.object({ type: z.literal('play-now'), programId: z.string().min(1), priority: z.enum(['normal', 'priority', 'emergency']).default('priority') }),
]).and(z.object({ ttlSeconds: z.number().int().min(5).max(3600).default(60) }));

export interface PlayableProgram {
  id: string;
  title: string;
  status: string;
  /** The approved audio on air; null when no version is approved. */
  airing: { sha256: string; bytes: number; durationMs: number; url: string } | null;
}

export function commandsRoutes(commands: CommandsService, deviceExists: (id: string) => void, program: (id: string) => PlayableProgram, audit: AuditLog) {
  return new Hono<AuthEnv>()
    .get('/:id/commands', allow('devices.view'), (c) => {
      deviceExists(c.req.param('id'));
      return c.json({ commands: commands.list(c.req.param('id')) }, 200);
    })
    .post('/:id/commands', allow('devices.command'), validate('json', body), async (c) => {
      const id = c.req.param('id');
      deviceExists(id);
      const b = c.req.valid('json');
      let item;
      if (b.type === 'play-now') {
        const p = program(b.programId);
        if (!p.airing) throw new ApiError(422, 'program_not_approved', `Program ${p.id} is ${p.status}; only approved programs can air`);
        item = { occurrenceId: `cmd-${id}`, programId: p.id, title: p.title, priority: b.priority, startAt: 0, asset: p.airing };
      }
      const row = await commands.send(id, {
        type: b.type, ttlMs: b.ttlSeconds * 1000, ...('volume' in b ? { volume: b.volume } : {}), ...(item ? { item } : {}),
      }, c.get('user').id);
      audit.record(actorOf(c), 'broadcast.command', { type: 'device', id }, {
        command: b.type, ...(item ? { programId: item.programId, priority: item.priority } : {}), ...('volume' in b ? { volume: b.volume } : {}),
      });
      return c.json({ command: row }, 202);
    });
}
