/**
 * Provisions one gateway through the API and writes the agent's JSON config file:
 *   npm run provision -- --server http://127.0.0.1:8080 --zone "Thôn Đông" --id thon-dong-1 --out gateway.json
 * Uses the admin login from LOALANG_ADMIN_USER / LOALANG_ADMIN_PASSWORD. An existing device of that
 * id is deleted and created anew, since a secret is only shown at creation.
 */
import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    server: { type: 'string', default: 'http://127.0.0.1:8080' }, zone: { type: 'string' }, id: { type: 'string' },
    out: { type: 'string' }, sink: { type: 'string', default: 'command' }, cache: { type: 'string' }, retry: { type: 'string', default: '60' },
  },
});
if (!values.zone || !values.id || !values.out) {
  console.error('usage: npm run provision -- --server URL --zone NAME --id DEVICE_ID --out FILE [--sink record|command] [--cache DIR]');
  process.exit(2);
}
const server = values.server!;
const user = process.env.LOALANG_ADMIN_USER ?? 'admin';
const password = process.env.LOALANG_ADMIN_PASSWORD;
if (!password) {
  console.error('provision: set LOALANG_ADMIN_PASSWORD');
  process.exit(2);
}

// The server may still be starting (docker compose starts both at once).
let cookie = '';
for (let i = 0; ; i++) {
  try {
    const res = await fetch(`${server}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: user, password }) });
    if (!res.ok) throw new Error(`login: HTTP ${res.status}`);
    cookie = res.headers.get('set-cookie')!.split(';')[0];
    break;
  } catch (err) {
    if (i >= Number(values.retry)) throw err;
    await new Promise((r) => setTimeout(r, 1000));
  }
}
const api = async (path: string, method = 'GET', json?: unknown) => {
  const res = await fetch(`${server}${path}`, { method, headers: { cookie, 'content-type': 'application/json' }, body: json ? JSON.stringify(json) : undefined });
  if (!res.ok && res.status !== 404) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return res.status === 204 || res.status === 404 ? null : res.json();
};
const zones = (await api('/api/zones')).zones as { id: string; name: string }[];
const zoneId = zones.find((z) => z.name === values.zone)?.id ?? (await api('/api/zones', 'POST', { name: values.zone })).zone.id;
await api(`/api/devices/${values.id}`, 'DELETE');
const { device } = await api('/api/devices', 'POST', { id: values.id, name: `Cụm loa ${values.zone}`, zoneId });
const config = { server, id: device.id, secret: device.secret, sink: values.sink, ...(values.cache ? { cache: values.cache } : {}) };
await writeFile(values.out!, JSON.stringify(config, null, 2), { mode: 0o600 });
console.log(`provisioned ${device.id} in ${values.zone}; config written to ${values.out}`);
