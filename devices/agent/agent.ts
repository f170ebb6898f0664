import { join } from 'node:path';
import { Alerts, type AlertResult } from './alerts.js';
import { Arming } from './arming.js';
import { AssetCache } from './cache.js';
import { ClockOffset } from './clock-offset.js';
import { commandHandlers, Commands, type CommandResult } from './commands.js';
import { InFlight } from './in-flight.js';
import { Link } from './link.js';
import { ManifestStore, type ManifestOutcome } from './manifest-store.js';
import type { AgentOptions } from './options.js';
import { Player } from './player.js';
import { Reporter } from './reporter.js';
import { Schedule } from './schedule.js';
import { AgentState } from './state.js';
import { TelemetrySender } from './telemetry.js';
import { realTimers, type Timers } from './timers.js';

/** How long stop() waits for downloads and state writes under way. */
const STOP_WAIT_MS = 3000;

export const AGENT_VERSION = '0.2.0';
export type { AgentOptions } from './options.js';

/**
 * The gateway agent: keeps the signed manifest and its audio in a local cache and plays each item
 * at its startAt (server time) from that cache, connected or not; plays emergency alerts at once.
 * Reports state, telemetry and what it played. This class only wires the parts together.
 */
export class GatewayAgent {
  readonly timers: Timers;
  private readonly inFlight = new InFlight();
  private readonly state: AgentState;
  private readonly link: Link;
  private readonly reporter: Reporter;
  private readonly clock: ClockOffset;
  private readonly telemetry: TelemetrySender;
  private readonly cache: AssetCache;
  private readonly arming: Arming;
  private readonly player: Player;
  private readonly schedule: Schedule;
  private readonly manifests: ManifestStore;
  private readonly commands: Commands;
  private readonly alerts: Alerts;
  private runStartedAt: number;

  constructor(o: AgentOptions) {
    const timers = (this.timers = o.timers ?? realTimers);
    // Network time, even when plays follow a simulated clock: a week that passes in a second must not fire a week of reconnects.
    const linkTimers = o.linkTimers ?? realTimers;
    const log = o.log ?? (() => {});
    const authorization = 'Basic ' + Buffer.from(`${o.id}:${o.secret}`).toString('base64');
    const path = (...p: string[]) => join(o.cacheDir, ...p);
    const follow = o.followServerClock ?? true;
    this.runStartedAt = timers.now();
    this.clock = new ClockOffset({
      server: o.server, authorization, clock: timers, timers: linkTimers, follow, onMeasured: () => this.schedule.clockMeasured(),
    });
    // Server time: what plays are armed by, expiries are checked on and reports say.
    const server = this.clock.serverTimers;
    this.state = new AgentState(path('state.json'), o.volume ?? 80);
    this.link = new Link({
      id: o.id, secret: o.secret, mqttUrl: o.mqttUrl, agentVersion: AGENT_VERSION, session: () => this.state.session,
      keepaliveSec: o.keepaliveSec, reconnectMinMs: o.reconnectMinMs, reconnectMaxMs: o.reconnectMaxMs,
      timers: linkTimers, random: o.random ?? Math.random, log,
      onManifest: (payload) => void this.onManifest(payload),
      onCommand: (payload) => void this.onCommand(payload),
      onAlert: (payload) => void this.onAlert(payload),
      onOnline: () => this.telemetry.afterOnline(),
      onConnected: () => void this.reporter.flush(),
    });
    this.reporter = new Reporter({ id: o.id, dir: path('outbox'), timers: server, queueClock: () => timers.now(), link: this.link, log });
    const event = this.reporter.event.bind(this.reporter);
    this.telemetry = new TelemetrySender({
      id: o.id, cacheDir: o.cacheDir, timers, now: server.now, link: this.link, clock: this.clock,
      // 60 s: with MQTT keepalive pings at 30 s in between, an idle gateway costs about 5 MB a month.
      everyMs: o.telemetryMs ?? 60_000,
      snapshot: () => ({ volume: this.state.volume, manifestVersion: this.manifests.version, playing: this.player.playing }),
    });
    this.cache = new AssetCache({ dir: path('assets'), server: o.server, authorization, log });
    this.arming = new Arming({ timers: server, inFlight: this.inFlight, cache: this.cache, due: (item) => void this.player.due(item) });
    const missingReason = (item: { asset: { sha256: string } }) => this.cache.failure(item.asset.sha256);
    this.player = new Player({
      timers: server, sink: o.sink, inFlight: this.inFlight, state: this.state, lateToleranceMs: o.lateToleranceMs ?? 5000, maxHoldMs: o.maxHoldMs,
      file: (item) => this.arming.take(item), release: (id) => this.arming.release(id), missingReason,
      event, changed: () => this.telemetry.send(),
    });
    this.schedule = new Schedule({
      timers: server, state: this.state, arming: this.arming, player: this.player, cache: this.cache, event,
      budgetBytes: (o.cacheBudgetMb ?? 1024) * 1048576, offset: () => this.clock.appliedMs,
      trusted: () => !follow || this.clock.measured, runStartedAt: () => this.runStartedAt,
    });
    this.manifests = new ManifestStore({
      id: o.id, serverPublicKey: o.serverPublicKey, file: path('manifest.json'), reporter: this.reporter, log,
      accepted: (m) => {
        this.schedule.apply(m);
        o.onApplied?.(m.version);
      },
    });
    const handlers = commandHandlers({
      silence: () => this.player.silence(),
      setVolume: async (volume) => {
        this.state.volume = volume;
        await this.state.save();
        this.telemetry.send();
      },
      resync: () => this.link.announce(),
      playNow: (item) => void this.player.due(item),
      flush: () => this.reporter.flush(),
      reboot: o.onReboot,
    }, server);
    // Until the clock is measured, an expiry waits (at most 2 s) for the exchange a connection starts.
    const clockReady = () => (follow && !this.clock.measured ? this.clock.soon(2000) : undefined);
    this.commands = new Commands({ id: o.id, serverPublicKey: o.serverPublicKey, timers: server, state: this.state, handlers, event, log, clockReady });
    this.alerts = new Alerts({
      id: o.id, serverPublicKey: o.serverPublicKey, timers: server, state: this.state, log, event,
      play: (item, hooks) => void this.player.due(item, hooks),
      fetch: (asset) => this.inFlight.track(this.cache.fetch(asset, { urgent: true })), missingReason,
      report: (e) => this.reporter.report(e), clockReady,
    });
  }

  get manifestVersion() {
    return this.manifests.version;
  }
  get session() {
    return this.state.session;
  }
  get mqtt() {
    return this.link.mqtt;
  }

  async start() {
    this.runStartedAt = this.timers.now();
    this.player.start();
    await this.cache.init();
    await this.state.open();
    // Offline first: whatever manifest we hold plays even if the broker is never reached.
    const cached = await this.manifests.load();
    if (cached) this.schedule.apply(cached);
    this.link.start();
    this.telemetry.start();
  }

  /** Orderly stop: says offline itself (no will needed), stops playing. */
  async stop() {
    this.telemetry.stop();
    this.reporter.stop();
    this.arming.cancelAll();
    this.player.stop();
    this.player.interrupt('agent stopped');
    await this.link.stop();
    // Downloads and the interrupted play's state write finish before stop() resolves, so whoever
    // stopped the agent can remove its directory; bounded, since a download may hang on a dead link.
    let bound: NodeJS.Timeout | undefined;
    await Promise.race([this.inFlight.settled(), new Promise<void>((r) => (bound = setTimeout(r, STOP_WAIT_MS).unref()))]);
    clearTimeout(bound);
  }

  /** Abrupt loss, as a power cut or a dead 4G link: the socket is destroyed, no DISCONNECT is sent. */
  kill() {
    this.telemetry.stop();
    this.reporter.stop();
    this.arming.cancelAll();
    // The play under way is left to end by itself: what died is the link, not the speaker.
    this.player.stop();
    this.link.kill();
  }

  /** Verifies, stores and arms a manifest; a bad signature or an older version leaves the cache untouched. */
  onManifest(raw: Buffer | string): Promise<ManifestOutcome> {
    return this.manifests.receive(raw);
  }

  onCommand(raw: Buffer | string): Promise<CommandResult> {
    return this.commands.run(raw);
  }

  /** Verifies an emergency alert and plays (or cancels) it at once; resolves once it is handed to the player. */
  onAlert(raw: Buffer | string): Promise<AlertResult> {
    return this.alerts.receive(raw);
  }

  /** NTP-style estimate of this gateway's clock against the server's (server minus ours). */
  measureClockOffset(): Promise<number | undefined> {
    return this.clock.measure();
  }

  /** Resolves when no asset check or download that a play waits on is under way (for simulated clocks). */
  settled() {
    return this.inFlight.settled();
  }

  /** Events not yet acknowledged by the broker (for tests and the technician's view). */
  pendingEvents() {
    return this.reporter.pending();
  }
}
