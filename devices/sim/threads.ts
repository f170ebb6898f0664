import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { AgentOptions } from '../agent/agent.js';
import type { SimDevice } from './fleet.js';

type AgentTuning = Pick<AgentOptions, 'keepaliveSec' | 'telemetryMs' | 'reconnectMinMs' | 'reconnectMaxMs'>;

/** What one thread hosts: a slice of gateway agents, or of plain subscribers (the baseline). */
export type SliceSpec =
  | { kind: 'agents'; devices: SimDevice[]; server: string; mqttUrl: string; serverPublicKey: string; cacheRoot: string; agent: AgentTuning }
  /** Plain MQTT clients, each subscribed to one topic; with a username and password they log in as that gateway. */
  | { kind: 'subscribers'; clients: { id: string; topic: string; username?: string; password?: string }[]; mqttUrl: string };

export type ThreadEvent =
  | { type: 'ready' } | { type: 'stopped' }
  /** A gateway verified, stored and applied a manifest; `at` is epoch ms (performance.timeOrigin + now). */
  | { type: 'applied'; id: string; version: number; at: number }
  /** A baseline subscriber received its message. */
  | { type: 'message'; id: string; at: number }
  /** A CPU profile of the thread (JSON), after profile-stop. */
  | { type: 'profile'; profile: string };

/** Absolute time comparable across threads. */
export const threadClock = () => performance.timeOrigin + performance.now();

/**
 * A simulated fleet spread over worker threads, so the server (main thread) and the gateways do not
 * share one event loop: on real hardware each gateway has its own CPU. Default: one thread per core
 * beyond the first, at least one.
 */
export async function startThreadedFleet(
  spec: SliceSpec, onEvent: (e: ThreadEvent) => void, threads = Math.max(1, availableParallelism() - 1),
) {
  const items: unknown[] = spec.kind === 'agents' ? spec.devices : spec.clients;
  const n = Math.min(threads, Math.max(1, items.length));
  // Workers run TypeScript through tsx's loader, registered inside each thread.
  const tsx = import.meta.resolve('tsx/esm/api');
  const entry = new URL('./thread.ts', import.meta.url).href;
  const code = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}); })`;
  const workers = Array.from({ length: n }, (_, k) => {
    const part = items.filter((_, i) => i % n === k);
    const slice: SliceSpec = spec.kind === 'agents' ? { ...spec, devices: part as SimDevice[] } : { ...spec, clients: part as typeof spec.clients };
    return new Worker(code, { eval: true, workerData: slice });
  });
  await Promise.all(workers.map((w) => new Promise<void>((resolve, reject) => {
    w.on('message', (e: ThreadEvent) => (e.type === 'ready' ? resolve() : onEvent(e)));
    w.on('error', (err) => {
      reject(err);
      console.error(`fleet thread failed: ${err.message}`);
    });
  })));
  return {
    threads: n,
    /** Starts a CPU profile in every thread; the returned function stops them and gives each profile's JSON. */
    profile() {
      for (const w of workers) w.postMessage({ type: 'profile-start' });
      return () => Promise.all(workers.map((w) => new Promise<string>((resolve) => {
        const on = (e: ThreadEvent) => e.type === 'profile' && (w.off('message', on), resolve(e.profile));
        w.on('message', on);
        w.postMessage({ type: 'profile-stop' });
      })));
    },
    async stop() {
      await Promise.all(workers.map((w) => new Promise<void>((resolve) => {
        w.on('message', (e: ThreadEvent) => e.type === 'stopped' && resolve());
        w.postMessage({ type: 'stop' });
      })));
      await Promise.all(workers.map((w) => w.terminate()));
    },
  };
}
