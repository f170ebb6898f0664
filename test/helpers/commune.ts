import { join } from 'node:path';
import type { GatewayAgent } from '../../devices/agent/agent.js';
import { speechLikeWav } from './audio.js';
import { approverSession, createDevice, createZone, finishedJob, NO_QUIET_HOURS, testAgent, tomorrowAt, uploadProgram, type TestSystem } from './system.js';

export const PEOPLE = {
  officer: { username: 'can-bo', password: 'can-bo-van-hoa-2026', role: 'editor', displayName: 'Nguyễn Thị Lan' },
  chair: { username: 'chu-tich', password: 'chu-tich-password', role: 'approver', displayName: 'Chủ tịch UBND xã' },
  technician: { username: 'ky-thuat', password: 'ky-thuat-vien-2026', role: 'technician', displayName: 'Lê Văn Cường' },
} as const;

async function ok(res: Response, what: string) {
  if (!res.ok) throw new Error(`${what}: ${res.status} ${await res.text()}`);
  return res.status === 204 ? null : res.json();
}

/**
 * A commune as the panel shows it after a few weeks: people, three hamlets, gateways (two online
 * with agents), programs approved, waiting and spoken from text, schedules of every common kind.
 */
export async function seedCommune(t: TestSystem) {
  for (const p of [PEOPLE.officer, PEOPLE.technician]) await ok(await t.api('/api/users', { method: 'POST', json: p }), `user ${p.username}`);
  const chair = t.as(await approverSession(t));
  const officer = t.as(await t.login(PEOPLE.officer.username, PEOPLE.officer.password));
  const dong = await createZone(t, 'Thôn Đông', NO_QUIET_HOURS);
  const tay = await createZone(t, 'Thôn Tây');
  const tdp = await createZone(t, 'Tổ dân phố 3');
  const devices = [
    { ...(await createDevice(t, 'thon-dong-1', dong)), lat: 21.0285, lon: 105.8542 },
    { ...(await createDevice(t, 'thon-tay-1', tay)), lat: 21.0312, lon: 105.8468 },
    { ...(await createDevice(t, 'to-dan-pho-3', tdp)), lat: 21.0251, lon: 105.8601 },
  ];
  for (const d of devices) await ok(await t.api(`/api/devices/${d.id}`, { method: 'PATCH', json: { name: `Cụm loa ${d.id}`, lat: d.lat, lon: d.lon } }), 'device');
  const agents: GatewayAgent[] = [];
  for (const d of devices.slice(0, 2)) {
    const a = testAgent(t, d, join(t.dir, 'gw', d.id), { keepaliveSec: 5 });
    await a.start();
    agents.push(a);
  }

  const wav = join(t.dir, 'ban-tin.wav');
  await speechLikeWav(wav, 4);
  const approve = async (id: string, version = 1) => ok(await chair(`/api/programs/${id}/approve`, { method: 'POST', json: { version } }), 'approve');
  const upload = async (title: string, category: string) => {
    const job = await finishedJob(t, (await ok(await uploadProgram({ api: officer }, wav, title, { category }), 'upload')).job.id);
    return job.result!.programId;
  };
  const speak = async (json: object) => (await finishedJob(t, (await ok(await officer('/api/programs/tts', { method: 'POST', json }), 'tts')).job.id)).result!.programId;
  const news = await upload('Bản tin thời sự sáng thứ Hai', 'news');
  const law = await upload('Phổ biến Luật Thực hiện dân chủ ở cơ sở', 'law');
  const reception = await speak({
    title: 'Lịch tiếp công dân tháng 12', templateId: 'citizen-reception',
    fields: { who: 'Chủ tịch UBND xã', date: '15/12/2026', time: 'từ 7h30 đến 11h', place: 'trụ sở UBND xã' },
  });
  const vaccine = await speak({ title: 'Thông báo tiêm vắc-xin cho trẻ', category: 'news', text: 'UBND xã thông báo: sáng thứ Bảy ngày 12/12/2026, trạm y tế xã tiêm vắc-xin sởi cho trẻ từ 9 tháng tuổi. Đề nghị các gia đình đưa trẻ đến đúng giờ.' });
  for (const id of [news, law, reception, vaccine]) await ok(await officer(`/api/programs/${id}/submit`, { method: 'POST' }), 'submit');
  for (const id of [news, law, reception]) await approve(id);

  const at = (hhmm: string) => tomorrowAt(hhmm);
  const schedule = async (json: object) => ok(await officer('/api/schedules', { method: 'POST', json }), 'schedule');
  await schedule({ programId: news, zoneIds: 'all', priority: 'normal', rule: { type: 'rrule', dtstart: at('06:30'), rrule: 'FREQ=WEEKLY;BYDAY=MO,TH' } });
  await schedule({ programId: law, zoneIds: [dong, tay], rule: { type: 'lunar', day: 15, time: '19:00' } });
  await schedule({ programId: reception, zoneIds: [dong], priority: 'priority', rule: { type: 'rrule', dtstart: at('17:00'), rrule: 'FREQ=DAILY;INTERVAL=2' } });
  return { zones: { dong, tay, tdp }, devices, agents, programs: { news, law, reception, vaccine }, officer, chair };
}
