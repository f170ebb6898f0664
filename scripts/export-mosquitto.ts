/**
 * `npm run mqtt:export-acl -- --out DIR`: writes Mosquitto's password file and ACL file for every
 * device in DATA_DIR's database, plus the server's own account (MQTT_USERNAME / MQTT_PASSWORD).
 * Run it again after creating a device or rotating a secret, then reload Mosquitto (SIGHUP).
 * The password file is written 0600: give it to the user Mosquitto runs as (`chown mosquitto`), or
 * name that user with `--run-as`.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { createBus } from '../server/bus.js';
import { systemClock } from '../server/clock.js';
import { loadConfigOrExit } from '../server/config.js';
import { openDb } from '../server/db/client.js';
import { createDevicesService } from '../server/devices/service.js';
import { createLogger } from '../server/logger.js';
import { SERVER_USERNAME } from '../server/mqtt/acl.js';
import { mosquittoHash } from '../server/mqtt/credentials.js';
import { mosquittoAcl, mosquittoConf, mosquittoPasswords } from '../server/mqtt/mosquitto.js';

const { values } = parseArgs({
  options: { out: { type: 'string', default: './mosquitto' }, port: { type: 'string', default: '1883' }, 'run-as': { type: 'string' } },
});
const config = loadConfigOrExit();
if (!config.mqttPassword) {
  console.error('mqtt:export-acl: set MQTT_PASSWORD (and MQTT_USERNAME) to the credentials the server will use on the broker');
  process.exit(2);
}
const { db, sqlite } = openDb(join(config.dataDir, 'loalang.db'));
const devices = createDevicesService({ db, bus: createBus(createLogger('silent')), clock: systemClock, zoneExists: () => true });
const serverUsername = config.mqttUsername ?? SERVER_USERNAME;
const out = resolve(values.out!);
mkdirSync(out, { recursive: true });
const passwordFile = join(out, 'passwd');
const aclFile = join(out, 'acl');
const entries = [{ id: serverUsername, hash: mosquittoHash(config.mqttPassword) }, ...devices.mosquittoCredentials()];
writeFileSync(passwordFile, mosquittoPasswords(entries), { mode: 0o600 });
writeFileSync(aclFile, mosquittoAcl(serverUsername));
writeFileSync(join(out, 'mosquitto.conf'), mosquittoConf({ port: Number(values.port), passwordFile, aclFile, runAs: values['run-as'] }));
sqlite.close();
console.log(`wrote ${passwordFile} (${entries.length} accounts), ${aclFile} and ${join(out, 'mosquitto.conf')}`);
