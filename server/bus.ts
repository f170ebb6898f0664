import type { AlertStatusReport, DeviceState, PlayedReport, Telemetry } from '../devices/protocol/index.js';
import type { JobView } from './jobs/service.js';
import type { Logger } from './logger.js';

/**
 * Every event features exchange in the server ("bus events"). Features never import each other;
 * they emit here and listen here, in their own start(). Names say what happened.
 */
export interface BusEvents {
  'device.created': { deviceId: string; zoneId: string };
  'device.moved': { deviceId: string; fromZoneId: string; toZoneId: string };
  'device.deleted': { deviceId: string; zoneId: string };
  /** The device's secret changed (or it was deleted): any live session must end now. */
  'device.credentials-revoked': { deviceId: string };
  /** Something a technician sees about a device changed (online, telemetry, sync). */
  'device.status-changed': { deviceId: string };

  // What gateways report over MQTT, parsed once at the boundary (server/mqtt/inbox.ts).
  'device.state-reported': { deviceId: string; state: DeviceState };
  'device.telemetry-reported': { deviceId: string; telemetry: Telemetry };
  'device.manifest-applied': { deviceId: string; version: number };
  'device.manifest-rejected': { deviceId: string; version?: number; reason: string };
  'device.command-result': { deviceId: string; seq: number; result: 'done' | 'rejected' | 'failed'; reason?: string };
  'device.played': { deviceId: string; report: PlayedReport };
  'device.alert-status': { deviceId: string; report: AlertStatusReport };
  /** An emergency broadcast changed: created, confirmed, fired, cancelled, expired, or a gateway reported. */
  'broadcast.updated': { broadcastId: string };
  /** An emergency broadcast went out to its gateways: each now owes a play. */
  'broadcast.fired': { broadcastId: string };
  /** A CAP alert came in, or a person aired or set one aside. */
  'cap.received': { capAlertId: string };
  /** Expected plays were settled (played, interrupted, cancelled, missed). */
  'plays.settled': { count: number; missed: number };
  /** Missed plays opened, grew or resolved an incident technicians see. */
  'incident.updated': { incidentId: string };
  /**
   * A gateway holds a manifest version the server never published (its database was restored from an
   * older backup): the next manifest must go above it, or the gateway would refuse it as older.
   */
  'device.version-ahead': { deviceId: string; reported: number };
  /** A gateway said it is online (connect, reconnect, or resync after the server came back). */
  'device.online': { deviceId: string };

  /** A zone was created, renamed, given other quiet hours, or deleted. */
  'zone.changed': { zoneId: string };
  /** zoneIds: every zone whose devices may be affected (before and after the change). */
  'schedule.changed': { scheduleId: string; zoneIds: string[] | 'all' };
  /** What airs changed (a version was approved): manifests must follow. */
  'program.airing-changed': { programId: string };
  /** Anything about a program changed (new version, submitted, decided, renamed): for the panel. */
  'program.updated': { programId: string };
  'job.updated': { job: JobView };
  /** Manifests published and acknowledged by the broker: a chunk of a rebuild, or a resync (ms: handed to the broker → acknowledged). */
  'manifests.published': { manifests: { deviceId: string; version: number }[]; ms?: number };
  /** A rebuild finished: how long it took, how many devices it looked at and how many got a new manifest. */
  'manifests.rebuilt': { ms: number; published: number; considered: number };
  /** A housekeeping job ran (on its schedule or by hand), and whether it succeeded. */
  'housekeeping.ran': { job: string; ok: boolean; ms: number; at: number };
  /** A play a gateway reported was stored (once per report id). */
  'playlog.stored': { deviceId: string; occurrenceId: string; programId: string; result: string };
}

type Listener<K extends keyof BusEvents> = (payload: BusEvents[K]) => void | Promise<void>;

export interface Bus {
  /** Registers a listener under its owner's name; returns a function that removes it. */
  on<K extends keyof BusEvents>(event: K, owner: string, listener: Listener<K>): () => void;
  emit<K extends keyof BusEvents>(event: K, payload: BusEvents[K]): void;
  /** Removes every listener the owner registered: a feature's stop(). */
  removeListeners(owner: string): void;
}

/** Each listener is wrapped so one failure is logged, never spread to the emitter or other listeners. */
export function createBus(log: Logger): Bus {
  const listeners = new Map<keyof BusEvents, Set<{ owner: string; fn: Listener<any> }>>();
  const failed = (owner: string, event: string) => (err: unknown) => log.error(`listener ${owner} failed on ${event}`, { err: String(err) });
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
          if (r && typeof (r as Promise<void>).catch === 'function') (r as Promise<void>).catch(failed(owner, event));
        } catch (err) {
          failed(owner, event)(err);
        }
      }
    },
    removeListeners(owner) {
      for (const set of listeners.values()) for (const entry of set) if (entry.owner === owner) set.delete(entry);
    },
  };
}

/** What every feature that reacts to events exposes: start() registers its listeners, stop() removes them. */
export interface Feature {
  start(): void | Promise<void>;
  stop(): void | Promise<void>;
}
