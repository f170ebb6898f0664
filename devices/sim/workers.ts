import { fork } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { AgentOptions } from '../agent/agent.js';
import type { SimDevice } from './fleet.js';

type AgentTuning = Pick<AgentOptions, 'keepaliveSec' | 'telemetryMs' | 'reconnectMinMs' | 'reconnectMaxMs'>;

/** What one worker process hosts: a slice of gateway agents, or of plain subscribers (the baseline). */
export type SliceSpec =
  | { kind: 'agents'; devices: SimDevice[]; server: string; mqttUrl: string; serverPublicKey: string; cacheRoot: string; agent: AgentTuning; reportPlays?: boolean }
  /** Plain MQTT clients, each subscribed to one topic; with a username and password they log in as that gateway. */
  | { kind: 'subscribers'; clients: { id: string; topic: string; username?: string; password?: string }[]; mqttUrl: string };

export type WorkerEvent =
  | { type: 'ready' } | { type: 'stopped' }
  /** A gateway verified, stored and applied a manifest; `at` is epoch ms (performance.timeOrigin + now). */
  | { type: 'applied'; id: string; version: number; at: number }
  /** A gateway's speaker began a play, or it ended (how): with `reportPlays`. */
  | { type: 'play-start'; id: string; occurrenceId: string; at: number }
  | { type: 'play-end'; id: string; occurrenceId: string; result: string; at: number }
  /** A baseline subscriber received its message. */
  | { type: 'message'; id: string; at: number }
  /** A CPU profile of the worker (JSON), after profile-stop. */
  | { type: 'profile'; profile: string };

/** Absolute time comparable across processes (epoch ms with sub-ms precision). */
export const fleetClock = () => performance.timeOrigin + performance.now();

/** Starts a CPU profile of this process; the returned function stops it and gives the profile as JSON. */
export async function startCpuProfile(): Promise<() => Promise<string>> {
  const session = new (await import('node:inspector/promises')).Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  return async () => {
    const { profile } = await session.post('Profiler.stop');
    session.disconnect();
    return JSON.stringify(profile);
  };
}

/**
 * A simulated fleet spread over worker processes, so the server and the gateways share neither an
 * event loop nor a process (each process has its own file-descriptor limit: 10,000 gateways need
 * 20,000 sockets). Default: one process per core beyond the first, at least one.
 */
export async function startFleetWorkers(
  spec: SliceSpec, onEvent: (e: WorkerEvent) => void, count = Math.max(1, availableParallelism() - 1),
) {
  const items: unknown[] = spec.kind === 'agents' ? spec.devices : spec.clients;
  const n = Math.min(count, Math.max(1, items.length));
  const entry = fileURLToPath(new URL('./worker.ts', import.meta.url));
  const children = Array.from({ length: n }, () =>
    fork(entry, [], { execArgv: ['--import', 'tsx'], serialization: 'advanced', stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }));
  await Promise.all(children.map((c, k) => new Promise<void>((resolve, reject) => {
    const part = items.filter((_, i) => i % n === k);
    c.send(spec.kind === 'agents' ? { ...spec, devices: part as SimDevice[] } : { ...spec, clients: part as typeof spec.clients });
    c.on('message', (e: WorkerEvent) => (e.type === 'ready' ? resolve() : onEvent(e)));
    c.once('exit', (code) => reject(new Error(`fleet worker exited with code ${code}`)));
  })));
  return {
    /** Starts a CPU profile in every worker; the returned function stops them and gives each profile's JSON. */
    profile() {
      for (const c of children) c.send({ type: 'profile-start' });
      return () => Promise.all(children.map((c) => new Promise<string>((resolve) => {
        const on = (e: WorkerEvent) => e.type === 'profile' && (c.off('message', on), resolve(e.profile));
        c.on('message', on);
        c.send({ type: 'profile-stop' });
      })));
    },
    async stop() {
      await Promise.all(children.map((c) => new Promise<void>((resolve) => {
        c.on('message', (e: WorkerEvent) => e.type === 'stopped' && resolve());
        c.send({ type: 'stop' });
      })));
      for (const c of children) c.kill('SIGKILL');
    },
  };
}
