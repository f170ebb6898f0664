import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { speechLikeWav } from '../helpers/audio.js';
import { seedApprovedProgram, useTestApp } from '../helpers/app.js';
import { createDevice, createZone, type Api } from '../helpers/system.js';

describe('emergency broadcasts: who may send them, and the two-person rule', () => {
  const t = useTestApp();
  const as = {} as Record<'chair' | 'viceChair' | 'officer' | 'technician', Api>;
  let zone: string;
  let programId: string;
  const send = (who: Api, json: unknown) => who('/api/broadcasts/emergency', { method: 'POST', json });

  beforeAll(async () => {
    const users = [['chair', 'approver'], ['viceChair', 'approver'], ['officer', 'editor'], ['technician', 'technician']] as const;
    for (const [name, role] of users) {
      const username = `u-${name.toLowerCase()}`;
      await t.api('/api/users', { method: 'POST', json: { username, password: `${username}-mat-khau`, role } });
      as[name] = t.as(await t.login(username, `${username}-mat-khau`));
    }
    zone = await createZone(t, 'Thôn Ven Sông');
    await createDevice(t, 'thon-ven-song-1', zone);
    await createDevice(t, 'thon-ven-song-2', zone);
    programId = seedApprovedProgram(t, 'Cảnh báo lũ', 40_000, 'news');
  });

  it('lets the chair fire an approved program directly, to every gateway of the hamlets chosen [Circular 39/2020: khẩn cấp]', async () => {
    const res = await send(as.chair, { zoneIds: [zone], content: { type: 'program', programId }, riskLevel: 3, note: 'Lũ lên nhanh' });
    expect(res.status).toBe(201);
    const { broadcast } = await res.json();
    expect(broadcast.broadcast).toMatchObject({ status: 'active', title: 'Cảnh báo lũ', riskLevel: 3, repeatTimes: 3, gapSeconds: 300, volume: 90, createdByName: 'u-chair' });
    // Nobody is connected here: each gateway's part waits, with since when it has been away.
    expect(broadcast.targets.map((x: { deviceId: string; status: string }) => [x.deviceId, x.status]).sort()).toEqual([['thon-ven-song-1', 'pending'], ['thon-ven-song-2', 'pending']]);
    expect(broadcast.counts).toEqual({ pending: 2 });
  });

  it('holds what an officer prepares from a recording or text for an approver, who is not the one who prepared it', async () => {
    // A program already approved goes out at once (the rule is off for those by default) …
    expect((await (await send(as.officer, { zoneIds: [zone], content: { type: 'program', programId } })).json()).broadcast.broadcast.status).toBe('active');
    // … but a broadcast prepared by an approver as text needs no second person, and one by an officer does.
    const prepared = await (await send(as.technician, { zoneIds: 'all', content: { type: 'recording', sha256: (await (await t.api(`/api/programs/${programId}`)).json()).program.airing.sha256 } })).json();
    const id = prepared.broadcast.broadcast.id;
    expect(prepared.broadcast.broadcast.status).toBe('awaiting-confirmation');
    expect(prepared.broadcast.targets).toEqual([]);
    expect((await as.officer(`/api/broadcasts/${id}/confirm`, { method: 'POST' })).status).toBe(403);
    const confirmed = await as.viceChair(`/api/broadcasts/${id}/confirm`, { method: 'POST' });
    expect(confirmed.status).toBe(200);
    expect((await confirmed.json()).broadcast.broadcast).toMatchObject({ status: 'active', confirmedBy: expect.any(String) });
  });

  it('never lets the person who prepared a broadcast be its second person', async () => {
    const me = (await (await as.chair('/api/me')).json()).user;
    const asset = (await (await t.api(`/api/programs/${programId}`)).json()).program.airing;
    // Prepared by the chair under the rule (as the service does for anyone who may not fire alone).
    const b = await t.server.broadcasts.create({ zoneIds: [zone], content: { kind: 'text', title: 'Sơ tán', text: 'Sơ tán ngay', asset } },
      { id: me.id, name: me.username, address: '127.0.0.1' }, false);
    expect(b.status).toBe('awaiting-confirmation');
    const own = await as.chair(`/api/broadcasts/${b.id}/confirm`, { method: 'POST' });
    expect(own.status).toBe(403);
    expect((await own.json()).error.code).toBe('two_person_rule');
    expect((await as.viceChair(`/api/broadcasts/${b.id}/confirm`, { method: 'POST' })).status).toBe(200);
    expect((await as.viceChair(`/api/broadcasts/${b.id}/confirm`, { method: 'POST' })).status).toBe(409);
  });

  it('lets whoever prepared a broadcast cancel it, an approver cancel any, and nobody else', async () => {
    const mine = (await (await send(as.officer, { zoneIds: [zone], content: { type: 'program', programId } })).json()).broadcast.broadcast.id;
    const chairs = (await (await send(as.chair, { zoneIds: [zone], content: { type: 'program', programId } })).json()).broadcast.broadcast.id;
    expect((await as.officer(`/api/broadcasts/${chairs}/cancel`, { method: 'POST', json: {} })).status).toBe(403);
    const cancelled = await (await as.officer(`/api/broadcasts/${mine}/cancel`, { method: 'POST', json: { reason: 'Nhầm thôn' } })).json();
    expect(cancelled.broadcast.broadcast).toMatchObject({ status: 'cancelled', cancelReason: 'Nhầm thôn', revision: 2 });
    // A gateway that never got it never will.
    expect(cancelled.broadcast.counts).toEqual({ cancelled: 2 });
    expect((await as.viceChair(`/api/broadcasts/${chairs}/cancel`, { method: 'POST', json: {} })).status).toBe(200);
    expect((await as.viceChair(`/api/broadcasts/${chairs}/cancel`, { method: 'POST', json: {} })).status).toBe(409);
    const trail = (await (await as.chair(`/api/audit?targetId=${mine}`)).json()).entries.map((e: { action: string; actorName: string }) => [e.action, e.actorName]);
    expect(trail).toEqual([['broadcast.emergency-cancelled', 'u-officer'], ['broadcast.emergency-fired', 'u-officer']]);
  });

  it('marks a gateway that stayed offline until the broadcast expired as missed, with since when it was away', async () => {
    const id = (await (await send(as.chair, { zoneIds: [zone], content: { type: 'program', programId }, expiresAt: '2026-03-02T08:30:00+07:00' })).json()).broadcast.broadcast.id;
    t.clock.set(Date.parse('2026-03-02T08:31:00+07:00'));
    await t.server.broadcasts.expire(id);
    const { broadcast } = await (await as.technician(`/api/broadcasts/${id}`)).json();
    expect(broadcast.broadcast.status).toBe('expired');
    expect(broadcast.targets.every((x: { status: string; reason: string }) => x.status === 'missed' && /offline|no answer/.test(x.reason))).toBe(true);
  });

  it('refuses an unapproved program, an unknown recording, an expiry in the past and an empty choice of hamlets, changing nothing', async () => {
    const before = (await (await t.api('/api/broadcasts')).json()).broadcasts.length;
    const draft = (await (await t.api('/api/programs')).json()).programs.length;
    expect(draft).toBeGreaterThan(0);
    const cases: [unknown, number, string][] = [
      [{ zoneIds: [zone], content: { type: 'program', programId: 'pg_none' } }, 404, 'not_found'],
      [{ zoneIds: [zone], content: { type: 'recording', sha256: 'b'.repeat(64) } }, 422, 'unknown_recording'],
      [{ zoneIds: [zone], content: { type: 'program', programId }, expiresAt: '2020-01-01T00:00:00+07:00' }, 422, 'already_expired'],
      [{ zoneIds: [], content: { type: 'program', programId } }, 400, 'invalid_request'],
    ];
    for (const [body, status, code] of cases) {
      const res = await send(as.chair, body);
      expect(res.status, JSON.stringify(body)).toBe(status);
      expect((await res.json()).error.code).toBe(code);
    }
    expect((await (await t.api('/api/broadcasts')).json()).broadcasts.length).toBe(before);
  });

  it('takes a recording made on the spot, normalised at once, and airs it; a file that is not audio is refused and leaves nothing', async () => {
    const upload = async (who: Api, body: Blob, name: string) => {
      const form = new FormData();
      form.set('file', body, name);
      return who('/api/broadcasts/recordings', { method: 'POST', body: form });
    };
    const wav = join(t.dir, 'tai-cho.wav');
    await speechLikeWav(wav, 3);
    const res = await upload(as.officer, new Blob([await readFile(wav)]), 'tai-cho.wav');
    expect(res.status).toBe(201);
    const { recording } = await res.json();
    expect(recording).toMatchObject({ sha256: expect.stringMatching(/^[0-9a-f]{64}$/), durationMs: expect.any(Number) });
    expect(Math.abs(recording.durationMs - 3000)).toBeLessThan(500);
    // The chair airs it directly; an officer's would wait for a second person (text and recordings).
    const fired = await send(as.chair, { zoneIds: [zone], content: { type: 'recording', sha256: recording.sha256, title: 'Thông báo khẩn' } });
    expect(fired.status).toBe(201);
    expect((await fired.json()).broadcast.broadcast).toMatchObject({ status: 'active', title: 'Thông báo khẩn', contentKind: 'recording' });

    const assets = await readdir(join(t.dir, 'media', 'assets'));
    const text = join(t.dir, 'ghi-chu.txt');
    await writeFile(text, 'không phải âm thanh');
    const refused = await upload(as.officer, new Blob([await readFile(text)]), 'ghi-chu.txt');
    expect(refused.status).toBe(422);
    expect((await refused.json()).error.code).toMatch(/audio/);
    expect(await readdir(join(t.dir, 'media', 'assets'))).toEqual(assets);
    expect(await readdir(join(t.dir, 'media', 'tmp'))).toEqual([]);
    // A viewer of broadcasts who may not prepare one cannot upload for one either.
    expect((await upload(t.as(), new Blob([await readFile(wav)]), 'x.wav')).status).toBe(401);
  });
});
