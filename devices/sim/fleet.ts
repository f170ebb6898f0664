import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { GatewayAgent, type AgentOptions } from '../agent/agent.js';
import { recordSink } from '../agent/sinks.js';
import { realTimers, type Timers } from '../agent/timers.js';

export interface SimDevice { id: string; secret: string }

/**
 * N gateway agents in one process, each with its own cache dir and a recording sink, started 100 at
 * a time. `extra` may depend on the device (a per-gateway `onApplied`, say).
 * Used by `npm run demo`, the tests and the benchmark's worker processes.
 */
export async function startFleet(o: {
  server: string; mqttUrl: string; serverPublicKey: string; devices: SimDevice[]; cacheRoot: string;
  timers?: Timers; keepaliveSec?: number; telemetryMs?: number; extra?: Partial<AgentOptions> | ((d: SimDevice) => Partial<AgentOptions>);
}) {
  const timers = o.timers ?? realTimers;
  const agents: GatewayAgent[] = [];
  for (let i = 0; i < o.devices.length; i += 100) {
    agents.push(...(await Promise.all(o.devices.slice(i, i + 100).map(async (d) => {
      const cacheDir = join(o.cacheRoot, d.id);
      await mkdir(cacheDir, { recursive: true });
      const agent = new GatewayAgent({
        id: d.id, secret: d.secret, server: o.server, mqttUrl: o.mqttUrl, serverPublicKey: o.serverPublicKey, cacheDir,
        sink: recordSink(cacheDir, timers), timers, keepaliveSec: o.keepaliveSec, telemetryMs: o.telemetryMs,
        ...(typeof o.extra === 'function' ? o.extra(d) : o.extra),
      });
      await agent.start();
      return agent;
    }))));
  }
  return {
    agents,
    byId: (id: string) => agents[o.devices.findIndex((d) => d.id === id)],
    sinkFile: (id: string) => join(o.cacheRoot, id, 'sink.jsonl'),
    stop: () => Promise.all(agents.map((a) => a.stop())),
  };
}
