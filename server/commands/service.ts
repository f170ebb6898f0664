import { and, desc, eq, max } from 'drizzle-orm';
import { signPayload, topics, type Command, type ManifestItem, type SigningKeys } from '../../devices/protocol/index.js';
import type { Bus } from '../bus.js';
import type { Clock } from '../clock.js';
import type { Db } from '../db/client.js';
import { commands } from '../db/schema.js';
import { newId } from '../ids.js';
import type { Logger } from '../logger.js';
import type { DevicePlane } from '../mqtt/plane.js';

export type CommandRow = typeof commands.$inferSelect;
export interface CommandInput {
  type: Command['type'];
  volume?: number;
  item?: ManifestItem;
  ttlMs: number;
}

/**
 * Commands to one gateway: signed, numbered (seq, monotonic per device), expiring, never retained —
 * a command that could not be delivered in time must not fire hours later when the link returns.
 * From start(), the gateways' command-result reports settle them.
 */
export function createCommandsService({ db, bus, clock, log, plane, keys }: { db: Db; bus: Bus; clock: Clock; log: Logger; plane: DevicePlane; keys: SigningKeys }) {
  const owner = 'commands';
  return {
    async send(deviceId: string, input: CommandInput, userId: string | null): Promise<CommandRow> {
      const now = clock.now();
      const row = db.transaction((tx) => {
        const last = tx.select({ seq: max(commands.seq) }).from(commands).where(eq(commands.deviceId, deviceId)).get()?.seq ?? 0;
        const cmd: Command = {
          deviceId, seq: last + 1, issuedAt: now, expiresAt: now + input.ttlMs, type: input.type,
          ...(input.volume !== undefined ? { volume: input.volume } : {}), ...(input.item ? { item: input.item } : {}),
        };
        const r: CommandRow = {
          id: newId('cm'), deviceId, seq: cmd.seq, type: cmd.type, payload: JSON.stringify(signPayload(cmd, keys.privateKey)),
          createdBy: userId, createdAt: now, expiresAt: cmd.expiresAt, result: 'sent', reason: null, resultAt: null,
        };
        tx.insert(commands).values(r).run();
        return r;
      });
      // MQTT 5 message expiry lets an external broker drop it too; the signed expiresAt holds on any broker.
      await plane.publish(topics.cmd(deviceId), row.payload, { retain: false, qos: 1, expiryMs: row.expiresAt - now });
      return row;
    },
    list(deviceId: string, limit = 100): CommandRow[] {
      return db.select().from(commands).where(eq(commands.deviceId, deviceId)).orderBy(desc(commands.seq)).limit(limit).all();
    },
    start() {
      bus.on('device.command-result', owner, ({ deviceId, seq, result, reason }) => {
        // The first report wins: a later replay of the same seq, refused by the device, must not
        // overwrite what the original command did.
        const res = db.update(commands).set({ result, reason: reason ?? null, resultAt: clock.now() })
          .where(and(eq(commands.deviceId, deviceId), eq(commands.seq, seq), eq(commands.result, 'sent'))).run();
        if (!res.changes) log.info('command-result for a command already settled or unknown', { deviceId, seq, result, reason });
      });
    },
    stop() {
      bus.removeListeners(owner);
    },
  };
}
export type CommandsService = ReturnType<typeof createCommandsService>;
