import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { beforeAll, describe, expect, it } from 'vitest';
import { useTestApp } from './helpers/app.js';
import { speechLikeWav } from './helpers/audio.js';
import { approvedProgram, approverSession, createDevice, createZone, finishedJob, uploadProgram, type Api } from './helpers/system.js';

const EDITOR = { username: 'can-bo-van-hoa', password: 'van-hoa-password', role: 'editor', displayName: 'Nguyễn Thị Văn Hoá' };
const RFC_822 = /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d\d (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d\d:\d\d:\d\d GMT$/;
const VIETNAMESE_DATE = /(thứ (Hai|Ba|Tư|Năm|Sáu|Bảy)|Chủ nhật), \d\d\/\d\d\/\d{4}/;

interface FeedItem {
  title: string;
  guid: { '#text': string; '@_isPermaLink': string };
  pubDate: string;
  enclosure: { '@_url': string; '@_length': string; '@_type': string };
  description: string;
}

describe('nghe lại: what an officer made public, for residents, without a login', () => {
  const t = useTestApp();
  const resident = (address = '198.51.100.7') => t.as(undefined, address);
  let editor: Api;
  const ids = {} as Record<'greeting' | 'spoken' | 'private' | 'unapproved', string>;
  const patch = (id: string, json: unknown, who = editor) => who(`/api/programs/${id}`, { method: 'PATCH', json });
  const feed = async (address?: string) => {
    const res = await resident(address)('/nghe-lai/feed.xml');
    expect(res.status).toBe(200);
    return { res, body: await res.text() };
  };
  const parse = (body: string) => new XMLParser({ ignoreAttributes: false, isArray: (name) => name === 'item' }).parse(body);
  const items = async (): Promise<FeedItem[]> => parse((await feed()).body).rss.channel.item ?? [];
  const mp3Of = async (programId: string) => {
    const { program } = await (await t.api(`/api/programs/${programId}`)).json();
    return readFile(t.server.media.assetPath(program.airing.sha256, 'mp3'));
  };

  beforeAll(async () => {
    const zone = await createZone(t, 'Thôn Đông');
    await createDevice(t, 'thon-dong-loa-1', zone);
    expect((await t.api('/api/users', { method: 'POST', json: EDITOR })).status).toBe(201);
    editor = t.as(await t.login(EDITOR.username, EDITOR.password));
    const wav = join(t.dir, 'loi-chao.wav');
    await speechLikeWav(wav, 3);
    ids.greeting = (await approvedProgram(t, wav, 'Lời chào năm mới của Chủ tịch UBND xã')).id;
    ids.private = (await approvedProgram(t, wav, 'Họp nội bộ cán bộ thôn')).id;

    const spoken = await t.api('/api/programs/tts', { method: 'POST', json: { title: 'Lịch tiếp công dân tháng 3', category: 'procedure', text: 'Chủ tịch UBND xã tiếp công dân vào sáng thứ Năm.' } });
    const job = await finishedJob(t, (await spoken.json()).job.id);
    expect(job.status).toBe('succeeded');
    ids.spoken = job.result!.programId;
    await t.api(`/api/programs/${ids.spoken}/submit`, { method: 'POST' });
    expect((await t.as(await approverSession(t))(`/api/programs/${ids.spoken}/approve`, { method: 'POST', json: { version: 1 } })).status).toBe(200);

    const draft = await uploadProgram(t, wav, 'Dự thảo thông báo chưa duyệt');
    ids.unapproved = (await finishedJob(t, (await draft.json()).job.id)).result!.programId;

    for (const id of [ids.greeting, ids.spoken, ids.unapproved]) expect((await patch(id, { public: true })).status).toBe(200);
  }, 120_000);

  it('lets officers mark a program public with PATCH {public}, not technicians, and records who did it', async () => {
    expect((await (await t.api(`/api/programs/${ids.greeting}`)).json()).program.public).toBe(true);
    await t.api('/api/users', { method: 'POST', json: { username: 'ky-thuat', password: 'ky-thuat-password', role: 'technician' } });
    const technician = t.as(await t.login('ky-thuat', 'ky-thuat-password'));
    expect((await patch(ids.private, { public: true }, technician)).status).toBe(403);
    expect((await patch(ids.private, { public: 'yes' })).status).toBe(400);
    const { entries } = await (await t.api(`/api/audit?action=program.made-public&targetId=${ids.greeting}`)).json();
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ actorName: EDITOR.username, targetType: 'program' });
  });

  it('shows each public, approved broadcast on a Vietnamese page: title, date, category, player, and the text that was read', async () => {
    const res = await resident()('/nghe-lai');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    const page = await res.text();
    expect(page).toMatch(/^<!doctype html><html lang="vi">/);
    expect(page).toContain('name="viewport" content="width=device-width, initial-scale=1"');
    expect(page).toContain('Lời chào năm mới của Chủ tịch UBND xã');
    expect(page).toContain('Lịch tiếp công dân tháng 3');
    expect(page).toMatch(VIETNAMESE_DATE);
    expect(page).toContain('Lời chào, chúc mừng');
    expect(page).toContain('Thủ tục hành chính');
    expect(page).toContain('Chủ tịch UBND xã tiếp công dân vào sáng thứ Năm.');
    expect(page).toContain(`<audio controls="" preload="none" src="/nghe-lai/audio/${ids.greeting}.mp3">`);
    expect(page).toContain('href="/nghe-lai/feed.xml"');
  });

  it('serves an RSS 2.0 podcast feed a real XML parser reads, with an enclosure per broadcast', async () => {
    const { res, body } = await feed();
    expect(res.headers.get('content-type')).toBe('application/rss+xml; charset=utf-8');
    const rss = parse(body).rss;
    expect(rss['@_version']).toBe('2.0');
    expect(rss.channel).toMatchObject({ title: expect.stringContaining('Nghe lại'), link: 'http://localhost/nghe-lai', language: 'vi', description: expect.any(String) });
    expect(rss.channel['atom:link']['@_href']).toBe('http://localhost/nghe-lai/feed.xml');
    const list: FeedItem[] = rss.channel.item;
    expect(list.map((i) => i.title).sort()).toEqual(['Lịch tiếp công dân tháng 3', 'Lời chào năm mới của Chủ tịch UBND xã']);
    for (const item of list) {
      expect(item.pubDate).toMatch(RFC_822);
      expect(item.guid['@_isPermaLink']).toBe('false');
      expect(item.enclosure['@_type']).toBe('audio/mpeg');
      expect(item.enclosure['@_url']).toMatch(/^http:\/\/localhost\/nghe-lai\/audio\/[\w-]+\.mp3$/);
    }
    expect(list.find((i) => i.title.startsWith('Lịch'))!.description).toBe('Chủ tịch UBND xã tiếp công dân vào sáng thứ Năm.');
  });

  it('downloads each enclosure: the airing MP3 byte for byte, as long as the feed says', async () => {
    for (const item of await items()) {
      const res = await resident()(new URL(item.enclosure['@_url']).pathname);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('audio/mpeg');
      const bytes = Buffer.from(await res.arrayBuffer());
      expect(bytes.length).toBe(Number(item.enclosure['@_length']));
      expect(res.headers.get('content-length')).toBe(item.enclosure['@_length']);
      const id = new URL(item.enclosure['@_url']).pathname.split('/').pop()!.replace('.mp3', '');
      expect(bytes.equals(await mp3Of(id))).toBe(true);
    }
  });

  it('answers Range requests and revalidation, and lets caches keep the audio, feed and page', async () => {
    const path = `/nghe-lai/audio/${ids.greeting}.mp3`;
    const whole = await mp3Of(ids.greeting);
    const part = await resident()(path, { headers: { range: 'bytes=100-199' } });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe(`bytes 100-199/${whole.length}`);
    expect(Buffer.from(await part.arrayBuffer()).equals(whole.subarray(100, 200))).toBe(true);
    const first = await resident()(path);
    expect(first.headers.get('cache-control')).toMatch(/^public, max-age=\d+$/);
    // Other sites may embed the player and fetch the feed; the panel's routes stay same-origin.
    expect(first.headers.get('cross-origin-resource-policy')).toBe('cross-origin');
    expect(first.headers.get('access-control-allow-origin')).toBe('*');
    expect((await resident()('/healthz')).headers.get('cross-origin-resource-policy')).toBe('same-origin');
    const etag = first.headers.get('etag')!;
    expect((await resident()(path, { headers: { 'if-none-match': etag } })).status).toBe(304);
    for (const url of ['/nghe-lai', '/nghe-lai/feed.xml']) {
      const res = await resident()(url);
      expect(res.headers.get('cache-control')).toMatch(/^public/);
      expect((await resident()(url, { headers: { 'if-none-match': res.headers.get('etag')! } })).status).toBe(304);
    }
  });

  it('never shows a program that is not public or not approved, and its audio is 404 to the public', async () => {
    const page = await (await resident()('/nghe-lai')).text();
    const { body } = await feed();
    for (const title of ['Họp nội bộ cán bộ thôn', 'Dự thảo thông báo chưa duyệt']) {
      expect(page).not.toContain(title);
      expect(body).not.toContain(title);
    }
    for (const id of [ids.private, ids.unapproved, 'pg_nothing']) {
      const res = await resident()(`/nghe-lai/audio/${id}.mp3`);
      expect(res.status).toBe(404);
      expect(await res.json()).toEqual({ error: { code: 'not_found', message: expect.any(String) } });
    }
  });

  it('keeps serving the approved version while a newer one waits, and takes a program down when it is unmarked', async () => {
    const aired = await mp3Of(ids.greeting);
    const wav = join(t.dir, 'ban-moi.wav');
    await speechLikeWav(wav, 2);
    const form = new FormData();
    form.set('file', new Blob([await readFile(wav)]), 'ban-moi.wav');
    const job = await finishedJob(t, (await (await t.api(`/api/programs/${ids.greeting}/versions`, { method: 'POST', body: form })).json()).job.id);
    expect(job.status).toBe('succeeded');
    const res = await resident()(`/nghe-lai/audio/${ids.greeting}.mp3`);
    expect(Buffer.from(await res.arrayBuffer()).equals(aired)).toBe(true);

    expect((await patch(ids.greeting, { public: false })).status).toBe(200);
    expect((await items()).map((i) => i.title)).toEqual(['Lịch tiếp công dân tháng 3']);
    expect((await resident()(`/nghe-lai/audio/${ids.greeting}.mp3`)).status).toBe(404);
    expect((await (await t.api(`/api/audit?action=program.made-private&targetId=${ids.greeting}`)).json()).entries).toHaveLength(1);
    await patch(ids.greeting, { public: true });
  });

  it('lets out no gateway id, user, hash or internal media path in the page or the feed', async () => {
    const page = await (await resident()('/nghe-lai')).text();
    const { body } = await feed();
    const { program } = await (await t.api(`/api/programs/${ids.spoken}`)).json();
    for (const text of [page, body]) {
      for (const secret of ['thon-dong-loa-1', 'Thôn Đông', EDITOR.username, EDITOR.displayName, 'Quản trị', 'admin', 'us_', '/media/', program.airing.sha256, 'chu-tich']) {
        expect(text, secret).not.toContain(secret);
      }
    }
  });

  it('answers 429 with the error shape past PUBLIC_RATE_PER_MINUTE from one address, and only that address', async () => {
    const flood = '203.0.113.9';
    for (let i = 0; i < 120; i++) expect((await resident(flood)('/nghe-lai/feed.xml')).status).toBe(200);
    const refused = await resident(flood)('/nghe-lai');
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('60');
    expect(await refused.json()).toEqual({ error: { code: 'rate_limited', message: expect.any(String), details: { retryAfterSeconds: 60 } } });
    expect((await resident('203.0.113.10')('/nghe-lai')).status).toBe(200);
    t.clock.advance(61_000);
    expect((await resident(flood)('/nghe-lai')).status).toBe(200);
  });
});
