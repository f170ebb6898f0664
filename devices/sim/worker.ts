import mqtt from 'mqtt';
import { join } from 'node:path';
import { recordSink, reportingSink } from '../agent/sinks.js';
import { realTimers } from '../agent/timers.js';
import { startFleet } from './fleet.js';
import { fleetClock as at, startCpuProfile, type SliceSpec, type WorkerEvent } from './workers.js';

/**
 * One worker process of a simulated fleet (see workers.ts): real gateway agents, or plain MQTT
 * subscribers for the baseline. Its slice comes as the first IPC message; every arrival is reported
 * back with an absolute timestamp.
 */
// The fleet ends with the process that started it, even if that one crashed.
process.on('disconnect', () => process.exit(0));
const spec = await new Promise<SliceSpec>((resolve) => process.once('message', (m) => resolve(m as SliceSpec)));
const post = (e: WorkerEvent) => process.send!(e);
const stops: (() => void | Promise<void>)[] = [];

if (spec.kind === 'agents') {
  const fleet = await startFleet({
    server: spec.server, mqttUrl: spec.mqttUrl, serverPublicKey: spec.serverPublicKey, devices: spec.devices, cacheRoot: spec.cacheRoot,
    extra: (d) => ({
      ...spec.agent, onApplied: (version) => post({ type: 'applied', id: d.id, version, at: at() }),
      // Each play's start and end, when the bench asks: the moment the speaker would begin or stop.
      ...(spec.reportPlays ? { sink: reportingSink(recordSink(join(spec.cacheRoot, d.id), realTimers), (e) => post({ ...e, id: d.id, at: at() } as WorkerEvent)) } : {}),
    }),
  });
  stops.push(...fleet.agents.map((a) => () => a.kill()));
} else {
  for (let i = 0; i < spec.clients.length; i += 100) {
    await Promise.all(spec.clients.slice(i, i + 100).map(async ({ id, topic, username, password }) => {
      const c = mqtt.connect(spec.mqttUrl, { clientId: id, username, password, reconnectPeriod: 0 });
      await new Promise<void>((resolve, reject) => c.once('connect', () => resolve()).once('error', reject));
      // A connection lost later shows as a missing arrival in the caller's figures, not as a crash.
      c.on('error', () => {});
      c.on('message', () => post({ type: 'message', id, at: at() }));
      await c.subscribeAsync(topic, { qos: 1 });
      stops.push(() => void c.end(true));
    }));
  }
}
post({ type: 'ready' });
// Benchmarks may record a CPU profile of this worker.
let stopProfile: (() => Promise<string>) | undefined;
process.on('message', async (m: { type: 'stop' | 'profile-start' | 'profile-stop' }) => {
  if (m.type === 'profile-start') {
    stopProfile = await startCpuProfile();
  } else if (m.type === 'profile-stop' && stopProfile) {
    post({ type: 'profile', profile: await stopProfile() });
  } else if (m.type === 'stop') {
    await Promise.all(stops.map((s) => s()));
    post({ type: 'stopped' });
  }
});
