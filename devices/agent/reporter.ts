import { randomUUID } from 'node:crypto';
import { topics, type DeviceReport } from '../protocol/index.js';
import type { Link } from './link.js';
import { Outbox } from './outbox.js';
import type { Timers } from './timers.js';

/** An event before it gets its id and time. */
export type EventBody = Omit<DeviceReport, 'id' | 'at'> & Record<string, unknown>;

/**
 * The gateway's two ways of telling the server what happened: `event()` for what must arrive (stored
 * on disk first, see Outbox), `report()` for what the next telemetry makes good if it is lost.
 */
/** After a send the broker did not acknowledge over a live link, the queue is tried again this much later. */
export const RETRY_MS = 30_000;

export class Reporter {
  private readonly outbox: Outbox;
  private retry: unknown = null;

  constructor(private readonly o: {
    id: string;
    dir: string;
    /** Server time: each event's `at`. */
    timers: Timers;
    /** The queue's order on disk; the gateway's own clock, which does not jump when the offset is measured. Default `timers`. */
    queueClock?: () => number;
    link: Pick<Link, 'connected' | 'publish' | 'publishAcked'>;
    log: (msg: string, extra?: object) => void;
  }) {
    const queueClock = o.queueClock ?? (() => o.timers.now());
    this.outbox = new Outbox(o.dir, queueClock, (payload) => o.link.publishAcked(topics.event(o.id), payload), () => o.link.connected, () => {
      if (this.retry !== null) return;
      o.log('an event was not acknowledged; trying again', { inMs: RETRY_MS });
      this.retry = o.timers.setTimeout(() => {
        this.retry = null;
        void this.flush();
      }, RETRY_MS);
    });
  }

  /** Queues an event on disk; resolves once it is stored (sending happens as the link allows). */
  event(e: EventBody): Promise<void> {
    const full = { id: randomUUID(), at: this.o.timers.now(), ...e };
    return this.outbox.add(full).catch((err) => this.o.log('outbox write failed', { err: String(err) }));
  }

  /** Sends now if connected (QoS 1), without the disk queue, so a schedule change costs the gateway no extra fsync. */
  report(e: EventBody) {
    if (!this.o.link.connected) return;
    this.o.link.publish(topics.event(this.o.id), JSON.stringify({ id: randomUUID(), at: this.o.timers.now(), ...e }), { qos: 1 });
  }

  /** Sends what is queued, oldest first. */
  flush() {
    return this.outbox.flush();
  }

  /** Stops the retry timer (the agent is stopping). */
  stop() {
    if (this.retry !== null) this.o.timers.clearTimeout(this.retry);
    this.retry = null;
  }

  /** Events not yet acknowledged by the broker. */
  pending() {
    return this.outbox.pending();
  }
}
