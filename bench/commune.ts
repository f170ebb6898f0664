import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { speechLikeWav } from '../devices/sim/speech.js';

/** How the fleet benches call the API: GET without a body, POST with JSON or a form. */
export type BenchApi = (path: string, json?: unknown, body?: BodyInit) => Promise<any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** `zones` hamlets and `n` gateways spread over them (`gw-0`…), created through the API 20 at a time. */
export async function seedFleet(api: BenchApi, n: number, zones: number) {
  const zoneIds: string[] = [];
  for (let z = 0; z < zones; z++) zoneIds.push((await api('/api/zones', { name: `Thôn ${z}`, quietStart: '00:00', quietEnd: '00:00' })).zone.id);
  const creds: { id: string; secret: string }[] = [];
  for (let i = 0; i < n; i += 20) {
    creds.push(...(await Promise.all(Array.from({ length: Math.min(20, n - i) }, async (_, k) => {
      const { device } = await api('/api/devices', { id: `gw-${i + k}`, name: `gw ${i + k}`, zoneId: zoneIds[(i + k) % zones] });
      return { id: device.id as string, secret: device.secret as string };
    }))));
  }
  return { zoneIds, creds };
}

/** A speech-like recording uploaded, transcoded and submitted for approval; its program id. */
export async function submittedProgram(api: BenchApi, dir: string, title: string, seconds: number, category?: string): Promise<string> {
  const wav = join(dir, `${seconds}s.wav`);
  await speechLikeWav(wav, seconds);
  const form = new FormData();
  form.set('title', title);
  if (category) form.set('category', category);
  form.set('file', new Blob([await readFile(wav)]), 'upload.wav');
  let { job } = await api('/api/programs', undefined, form);
  while (job.status === 'queued' || job.status === 'running') {
    await new Promise((r) => setTimeout(r, 100));
    ({ job } = await api(`/api/jobs/${job.id}`));
  }
  await api(`/api/programs/${job.result.programId}/submit`, {});
  return job.result.programId as string;
}
