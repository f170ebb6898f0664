import type { AudioSink } from './sinks.js';
import type { Timers } from './timers.js';

/** How a gateway agent is set up: by the CLI from its config, by the fleet simulator, by tests. */
export interface AgentOptions {
  id: string;
  secret: string;
  /** HTTP base URL of the server; relative asset URLs resolve against it. */
  server: string;
  mqttUrl: string;
  /** SPKI PEM of the server's Ed25519 key, pinned at provisioning. */
  serverPublicKey: string;
  cacheDir: string;
  sink: AudioSink;
  /** The gateway's own clock: plays start by it plus the measured offset to the server's, and telemetry's interval. */
  timers?: Timers;
  /**
   * Whether plays, expiries and report times follow the server's clock (this clock plus the offset
   * measured against /device/v1/time). Default true. A simulation whose timers are not in step with
   * the server's real clock (days passing in a second) sets it false: the offset it would measure is
   * the simulation's, not the gateway's.
   */
  followServerClock?: boolean;
  /** The link's own waits (reconnect backoff, PUBACK and HTTP deadlines); real time unless given. */
  linkTimers?: Timers;
  /** Jitter of the reconnect backoff, in [0, 1); Math.random unless given. */
  random?: () => number;
  keepaliveSec?: number;
  telemetryMs?: number;
  /** A play that could not start within this many ms of its startAt is logged as missed. */
  lateToleranceMs?: number;
  /** A normal or priority play held by an emergency longer than this is logged as missed. Default 30 minutes. */
  maxHoldMs?: number;
  volume?: number;
  /** Disk the asset cache may use; assets needed soonest are kept, later ones fetched just in time. Default 1024 MB. */
  cacheBudgetMb?: number;
  /** Called after a manifest is verified and stored (fleet simulator and benchmarks measure with it). */
  onApplied?: (version: number) => void;
  /** reboot-agent: how to restart (the CLI exits and lets systemd start it again). */
  onReboot?: () => void;
  /** Reconnect backoff: exponential from min to max, with full random jitter. */
  reconnectMinMs?: number;
  reconnectMaxMs?: number;
  log?: (msg: string, extra?: object) => void;
}
