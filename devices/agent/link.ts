import mqtt, { type MqttClient } from 'mqtt';
import { safeJson, serverState, isAlertTopic, topics } from '../protocol/index.js';
import type { Timers } from './timers.js';

/** A dead link must not stall the outbox: an event without PUBACK by then is sent again later. */
const PUBACK_TIMEOUT_MS = 10_000;

export interface LinkOptions {
  id: string;
  secret: string;
  mqttUrl: string;
  agentVersion: string;
  /** This run's session counter, repeated in every state message (and the will). */
  session: () => number;
  keepaliveSec?: number;
  reconnectMinMs?: number;
  reconnectMaxMs?: number;
  /** Backoff and PUBACK deadlines run on these. */
  timers: Timers;
  /** Jitter of the backoff: a number in [0, 1). */
  random: () => number;
  log: (msg: string, extra?: object) => void;
  onManifest(payload: Buffer): void;
  onCommand(payload: Buffer): void;
  onAlert(payload: Buffer): void;
  /** The online state went out (connect, server back online, resync). */
  onOnline(): void;
  /** Subscribed again after a connect: whatever waited for the link can go. */
  onConnected(): void;
}

/**
 * Exponential backoff with full jitter (AWS architecture blog), so a fleet does not reconnect in
 * lockstep: anywhere between `min` and min·2^attempt, the latter capped at `max`.
 */
export function backoffDelay(attempt: number, min: number, max: number, random: () => number): number {
  const ceiling = Math.min(max, min * 2 ** attempt);
  return min + random() * Math.max(0, ceiling - min);
}

/**
 * The gateway's MQTT session: its will, the retained online/offline state, the four subscriptions,
 * reconnection, and publishing. What a message means is for the callbacks to decide.
 */
export class Link {
  private client?: MqttClient;
  private stopped = false;
  private attempt = 0;
  private cancelReconnect?: () => void;

  constructor(private readonly o: LinkOptions) {}

  get mqtt() {
    return this.client;
  }
  get connected() {
    return !!this.client?.connected;
  }

  start() {
    this.stopped = false;
    const o = this.o;
    // Reconnection is ours (reconnectPeriod 0): mqtt.js would retry at a fixed period, the whole fleet at once.
    const client = mqtt.connect(o.mqttUrl, {
      clientId: o.id, username: o.id, password: o.secret, clean: true,
      keepalive: o.keepaliveSec ?? 30, reconnectPeriod: 0, connectTimeout: 10_000,
      will: { topic: topics.state(o.id), payload: Buffer.from(this.stateMessage('offline')), qos: 1, retain: true },
    });
    this.client = client;
    client.on('connect', () => {
      this.attempt = 0;
      // Subscribed first, then online: the server may send a command as soon as it sees us online.
      client.subscribe([topics.manifest(o.id), topics.cmd(o.id), topics.alerts(o.id), topics.serverState], { qos: 1 }, (err) => {
        // A broker that refuses one topic (SUBACK 0x80) still delivers the others [MQTT-3.9.3-2].
        if (err) o.log('subscription refused', { err: err.message });
        this.announce();
        o.onConnected();
      });
    });
    client.on('message', (topic, payload) => {
      if (topic === topics.manifest(o.id)) o.onManifest(payload);
      else if (topic === topics.cmd(o.id)) o.onCommand(payload);
      else if (isAlertTopic(o.id, topic)) o.onAlert(payload);
      else if (topic === topics.serverState) {
        // The server (re)started: say online again so it resyncs this gateway's manifest.
        const s = serverState.safeParse(safeJson(payload));
        if (s.success && s.data.state === 'online') this.announce();
      }
    });
    client.on('close', () => this.scheduleReconnect());
    client.on('error', (err) => o.log('mqtt error', { err: err.message }));
  }

  /** Publishes the retained online state, if connected. */
  announce() {
    if (!this.client?.connected) return;
    this.client.publish(topics.state(this.o.id), this.stateMessage('online'), { qos: 1, retain: true });
    this.o.onOnline();
  }

  /** Hands a message to the client as it is; the caller checks `connected` when it matters. */
  publish(topic: string, payload: string, opts: { qos: 0 | 1; retain?: boolean }) {
    this.client?.publish(topic, payload, opts);
  }

  /** Publishes at QoS 1 and resolves on PUBACK; rejects when not connected or when no PUBACK comes in time. */
  publishAcked(topic: string, payload: string): Promise<void> {
    const client = this.client;
    if (!client?.connected) return Promise.reject(new Error('not connected'));
    return new Promise((resolve, reject) => {
      const timer = this.o.timers.setTimeout(() => reject(new Error('no PUBACK within 10 s')), PUBACK_TIMEOUT_MS);
      client.publish(topic, payload, { qos: 1 }, (err) => {
        this.o.timers.clearTimeout(timer);
        if (err) reject(err);
        else resolve();
      });
    });
  }

  /**
   * Orderly stop: says offline itself, then closes without waiting for messages in flight. No
   * DISCONNECT goes out on that forced close, so the broker also publishes the will, which says the same.
   */
  async stop() {
    this.stopped = true;
    this.cancelReconnect?.();
    if (this.client?.connected) {
      await this.client.publishAsync(topics.state(this.o.id), this.stateMessage('offline'), { qos: 1, retain: true }).catch(() => {});
    }
    await this.client?.endAsync(true);
  }

  /** Abrupt loss, as a power cut or a dead 4G link: the socket is destroyed, no DISCONNECT is sent. */
  kill() {
    this.stopped = true;
    this.cancelReconnect?.();
    this.client?.options && (this.client.options.reconnectPeriod = 0);
    this.client?.stream.destroy();
    this.client?.end(true);
  }

  private stateMessage(state: 'online' | 'offline') {
    return JSON.stringify({ state, session: this.o.session(), agentVersion: this.o.agentVersion });
  }

  private scheduleReconnect() {
    if (this.stopped || this.cancelReconnect) return;
    const { timers, random, reconnectMinMs = 1000, reconnectMaxMs = 60_000 } = this.o;
    const handle = timers.setTimeout(() => {
      this.cancelReconnect = undefined;
      if (!this.stopped && this.client && !this.client.connected) this.client.reconnect();
    }, backoffDelay(this.attempt++, reconnectMinMs, reconnectMaxMs, random));
    this.cancelReconnect = () => {
      timers.clearTimeout(handle);
      this.cancelReconnect = undefined;
    };
  }
}
