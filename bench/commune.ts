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

/**
 * The schedules of a busy federation of communes, as rows: daily, three times a week, lunar 1st/15th and
 * every national holiday, one in fifty for "all" hamlets, the rest on two hamlets each (from `day`).
 */
export function benchSchedules(n: number, zones: number, day: string) {
  const two = (x: number) => String(x).padStart(2, '0');
  const rules = [
    (i: number) => ({ type: 'rrule', dtstart: `${day}T${two(6 + (i % 14))}:${two(i % 60)}:00+07:00`, rrule: 'FREQ=DAILY' }),
    (i: number) => ({ type: 'rrule', dtstart: `${day}T${two(7 + (i % 12))}:15:00+07:00`, rrule: 'FREQ=WEEKLY;BYDAY=MO,WE,FR' }),
    (i: number) => ({ type: 'lunar', day: i % 2 ? 1 : 15, time: `${two(8 + (i % 10))}:00` }),
    (i: number) => ({ type: 'holidays', holidays: 'all', time: `${two(7 + (i % 3))}:30` }),
  ];
  return Array.from({ length: n }, (_, s) => ({
    id: `sc_${s}`, programId: `pg_${s % 50}`, zoneIds: (s % 50 === 0 ? 'all' : [`zn_${s % zones}`, `zn_${(s * 7) % zones}`]) as string[] | 'all',
    rule: rules[s % rules.length](s), priority: 'normal' as const, createdAt: 0, updatedAt: 0, seriesAnchor: 0,
  }));
}
