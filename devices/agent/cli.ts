import { mkdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { DEVICE_ID_PATTERN } from '../protocol/index.js';
import { GatewayAgent } from './agent.js';
import { loadProvisioning } from './provision.js';
import { commandSink, recordSink } from './sinks.js';
import { startSystemdNotify } from './systemd.js';
import { realTimers } from './timers.js';

const USAGE = `Usage: npm run gateway -- --server http://HOST:8080 --id ID --secret SECRET [--cache DIR]
       [--mqtt mqtt://HOST:1883] [--sink command|record] [--sink-command "ffplay -nodisp -autoexit {file}"]
       [--keepalive 30] [--telemetry-interval 60] [--volume 80] [--cache-budget-mb 1024] [--max-hold-minutes 30]
   or: npm run gateway -- --config gateway.json   (the same keys in JSON)`;

const options = z.object({
  server: z.string().url(),
  id: z.string().regex(DEVICE_ID_PATTERN, 'id: 3–64 of a-z 0-9 -'),
  secret: z.string().min(1),
  cache: z.string().optional(),
  mqtt: z.string().optional(),
  sink: z.enum(['command', 'record']).default('command'),
  'sink-command': z.string().optional(),
  keepalive: z.coerce.number().int().min(1).max(600).default(30),
  'telemetry-interval': z.coerce.number().min(1).default(60),
  volume: z.coerce.number().int().min(0).max(100).default(80),
  'cache-budget-mb': z.coerce.number().min(1).default(1024),
  'max-hold-minutes': z.coerce.number().min(0).default(30),
});

const { values } = parseArgs({
  options: {
    config: { type: 'string' }, server: { type: 'string' }, id: { type: 'string' }, secret: { type: 'string' },
    cache: { type: 'string' }, mqtt: { type: 'string' }, sink: { type: 'string' }, 'sink-command': { type: 'string' },
    keepalive: { type: 'string' }, 'telemetry-interval': { type: 'string' }, volume: { type: 'string' }, 'cache-budget-mb': { type: 'string' },
    'max-hold-minutes': { type: 'string' }, help: { type: 'boolean' },
  },
});
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}
const fromFile = values.config ? JSON.parse(readFileSync(values.config, 'utf8')) : {};
const parsed = options.safeParse({ ...fromFile, ...Object.fromEntries(Object.entries(values).filter(([k, v]) => v !== undefined && k !== 'config')) });
if (!parsed.success) {
  for (const i of parsed.error.issues) console.error(`gateway: ${i.path.join('.') || 'options'}: ${i.message}`);
  console.error(USAGE);
  process.exit(2);
}
const o = parsed.data;
const cacheDir = resolve(o.cache ?? `gateway-cache/${o.id}`);
mkdirSync(cacheDir, { recursive: true });
const log = (msg: string, extra?: object) => console.log(`${new Date().toISOString()} [gateway ${o.id}] ${msg}${extra ? ' ' + JSON.stringify(extra) : ''}`);

const prov = await loadProvisioning({ server: o.server, id: o.id, secret: o.secret, cacheDir });
const agent = new GatewayAgent({
  id: o.id, secret: o.secret, server: o.server, mqttUrl: o.mqtt ?? prov.mqttUrl, serverPublicKey: prov.serverPublicKey, cacheDir,
  sink: o.sink === 'record' ? recordSink(cacheDir, realTimers) : commandSink(o['sink-command']),
  keepaliveSec: o.keepalive, telemetryMs: o['telemetry-interval'] * 1000, volume: o.volume, cacheBudgetMb: o['cache-budget-mb'],
  maxHoldMs: o['max-hold-minutes'] * 60_000, log,
  // reboot-agent: exit cleanly; systemd (Restart=always) starts a fresh process.
  onReboot: () => setTimeout(() => process.exit(0), 200),
});
await agent.start();
log(`started: cache ${cacheDir}, broker ${o.mqtt ?? prov.mqttUrl}, sink ${o.sink}`);
startSystemdNotify(process.env, log);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, async () => {
    await agent.stop();
    process.exit(0);
  });
}
