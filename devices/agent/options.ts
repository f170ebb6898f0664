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
  /** The clock plays start by, and telemetry's interval. */
  timers?: Timers;
  /** The link's own waits (reconnect backoff, PUBACK and HTTP deadlines); real time unless given. */
  linkTimers?: Timers;
  /** Jitter of the reconnect backoff, in [0, 1); Math.random unless given. */
  random?: () => number;
  keepaliveSec?: number;
  telemetryMs?: number;
  /** A play that could not start within this many ms of its startAt is logged as missed. */
  lateToleranceMs?: number;
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
