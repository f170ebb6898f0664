import type { Logger } from './logger.js';

/** Every event features exchange. Features never import each other; they listen here. */
export interface EventMap {
  'device.status': { deviceId: string };
  'device.created': { deviceId: string; zoneId: string };
  'device.deleted': { deviceId: string };
  /** The device's secret changed (or it was deleted): any live session must end now. */
  'device.credentials-revoked': { deviceId: string };
  /** A gateway said it is online (connect, reconnect, or resync after the server came back). */
  'device.online': { deviceId: string };
  'zone.changed': { zoneId: string };
  /** zoneIds: every zone whose devices may be affected (before and after the change). */
  'schedule.changed': { scheduleId: string; zoneIds: string[] | 'all' };
  /** What airs changed (a version was approved): manifests must follow. */
  'program.changed': { programId: string };
  /** Anything about a program changed (new version, submitted, decided, renamed): for the panel. */
  'program.updated': { programId: string };
  'job.updated': { job: import('./jobs/service.js').JobView };
  'manifest.published': { deviceId: string; version: number };
  /** A chunk of a rebuild is published, every manifest in it acknowledged by the broker. */
  'manifests.published': { manifests: { deviceId: string; version: number }[] };
  'playlog.stored': { deviceId: string; occurrenceId: string; programId: string; result: string };
}

type Listener<K extends keyof EventMap> = (payload: EventMap[K]) => void | Promise<void>;

export interface Bus {
  on<K extends keyof EventMap>(event: K, owner: string, listener: Listener<K>): () => void;
  emit<K extends keyof EventMap>(event: K, payload: EventMap[K]): void;
}

/** Each listener is wrapped so one failure is logged, never spread to the emitter or other listeners. */
export function createBus(log: Logger): Bus {
  const listeners = new Map<keyof EventMap, Set<{ owner: string; fn: Listener<any> }>>();
  return {
    on(event, owner, fn) {
      const set = listeners.get(event) ?? new Set();
      listeners.set(event, set);
      const entry = { owner, fn };
      set.add(entry);
      return () => set.delete(entry);
    },
    emit(event, payload) {
      for (const { owner, fn } of listeners.get(event) ?? []) {
        try {
          const r = fn(payload);
          if (r && typeof (r as Promise<void>).catch === 'function') {
            (r as Promise<void>).catch((err) => log.error(`listener ${owner} failed on ${String(event)}`, { err: String(err) }));
          }
        } catch (err) {
          log.error(`listener ${owner} failed on ${String(event)}`, { err: String(err) });
        }
      }
    },
  };
}
