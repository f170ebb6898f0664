import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { writeFileAtomic } from './files.js';

const provisioning = z.object({ deviceId: z.string(), mqttUrl: z.string(), serverPublicKey: z.string().includes('PUBLIC KEY') });
export type ProvisioningData = z.infer<typeof provisioning>;

/**
 * What the agent needs beyond its id and secret: the broker URL and the server's public key.
 * Fetched once with the device's credentials and pinned in the cache; later starts (even offline)
 * use the pinned copy, so a server that later presents another key is not believed.
 */
export async function loadProvisioning(o: { server: string; id: string; secret: string; cacheDir: string }): Promise<ProvisioningData> {
  const file = join(o.cacheDir, 'provisioning.json');
  const pinned = await readFile(file, 'utf8').then((t) => provisioning.parse(JSON.parse(t)), () => null);
  if (pinned) return pinned;
  const res = await fetch(new URL('/device/v1/provisioning', o.server), {
    headers: { authorization: 'Basic ' + Buffer.from(`${o.id}:${o.secret}`).toString('base64') },
  });
  if (!res.ok) throw new Error(`provisioning from ${o.server} failed: HTTP ${res.status} ${await res.text()}`);
  const data = provisioning.parse(await res.json());
  await writeFileAtomic(file, JSON.stringify(data, null, 2));
  return data;
}
