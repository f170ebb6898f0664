import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { toZonedIso } from '../server/domain/time.js';
import { useTestApp } from './helpers/app.js';
import { speechLikeWav } from './helpers/audio.js';
import { createDevice, createZone, finishedJob, NO_QUIET_HOURS, uploadProgram, type Api } from './helpers/system.js';

const ROLES = ['admin', 'editor', 'approver', 'technician'] as const;
type Role = (typeof ROLES)[number];

describe('approval: nothing airs until the chair approves it', () => {
  const t = useTestApp();
  const as = {} as Record<Role, Api>;
  let zone: string;
  let wavA: string;
  let wavB: string;
  // Each schedule at its own time, so none overlaps another on the hamlet's gateway.
  let slot = 0;
  const tomorrow = () => toZonedIso(t.clock.now() + 86400_000 + ++slot * 600_000, 'Asia/Ho_Chi_Minh');

  /** An upload by `who`, transcoded: the new program's id. */
  async function draft(who: Api, file = wavA, title = 'Thông báo tiêm chủng'): Promise<string> {
    const res = await uploadProgram({ api: who }, file, title);
    expect(res.status).toBe(202);
    const job = await finishedJob({ api: who }, (await res.json()).job.id);
    expect(job.status).toBe('succeeded');
    return job.result!.programId;
  }
  const post = (who: Api, path: string, json?: unknown) => who(path, { method: 'POST', ...(json ? { json } : {}) });
  const schedule = (who: Api, programId: string) => post(who, '/api/schedules', { programId, zoneIds: [zone], rule: { type: 'once', at: tomorrow() } });

  beforeAll(async () => {
    as.admin = t.api;
    for (const role of ROLES.filter((r) => r !== 'admin')) {
      const res = await post(t.api, '/api/users', { username: `u-${role}`, password: `${role}-password`, role });
      expect(res.status).toBe(201);
      as[role] = t.as(await t.login(`u-${role}`, `${role}-password`));
    }
    zone = await createZone(t, 'Thôn Trung', NO_QUIET_HOURS);
    await createDevice(t, 'thon-trung-1', zone);
    wavA = join(t.dir, 'a.wav');
    wavB = join(t.dir, 'b.wav');
    await speechLikeWav(wavA, 3);
    await speechLikeWav(wavB, 4);
  }, 60_000);

  it('walks draft → pending → approved, and only then can the program be scheduled', async () => {
    const id = await draft(as.editor);
    let p = (await (await as.editor(`/api/programs/${id}`)).json()).program;
    expect(p).toMatchObject({ status: 'draft', latestVersion: 1, airingVersion: null, airing: null });

    expect((await (await schedule(as.editor, id)).json()).error.code).toBe('program_not_approved');
    expect((await post(as.editor, `/api/programs/${id}/submit`)).status).toBe(200);
    expect((await schedule(as.editor, id)).status).toBe(422);

    const approved = await post(as.approver, `/api/programs/${id}/approve`, { version: 1 });
    expect(approved.status).toBe(200);
    p = (await approved.json()).program;
    expect(p).toMatchObject({ status: 'approved', airingVersion: 1 });
    expect(p.versions[0]).toMatchObject({ version: 1, status: 'approved', submittedAt: expect.any(Number), decidedAt: expect.any(Number) });
    expect((await schedule(as.editor, id)).status).toBe(201);
  });

  it('lets only an approver decide: not the editor who wrote it, not even admin', async () => {
    const id = await draft(as.editor);
    await post(as.editor, `/api/programs/${id}/submit`);
    for (const who of ['editor', 'admin', 'technician'] as const) {
      const res = await post(as[who], `/api/programs/${id}/approve`, { version: 1 });
      expect(res.status, who).toBe(403);
    }
    expect((await (await as.approver(`/api/programs/${id}`)).json()).program.status).toBe('pending');
  });

  it('rejects with a reason the editor can read, and a resubmission goes back to pending', async () => {
    const id = await draft(as.editor);
    await post(as.editor, `/api/programs/${id}/submit`);
    const noReason = await post(as.approver, `/api/programs/${id}/reject`, { version: 1, reason: '' });
    expect(noReason.status).toBe(400);
    const res = await post(as.approver, `/api/programs/${id}/reject`, { version: 1, reason: 'Sai ngày tiêm, đề nghị thu lại' });
    expect(res.status).toBe(200);
    const p = (await (await as.editor(`/api/programs/${id}`)).json()).program;
    expect(p.status).toBe('rejected');
    expect(p.versions[0].reason).toBe('Sai ngày tiêm, đề nghị thu lại');
    // The list carries each program's newest version too, without a read per program.
    const listed = (await (await as.editor('/api/programs')).json()).programs.find((x: { id: string }) => x.id === id);
    expect(listed.latest).toMatchObject({ version: 1, status: 'rejected', source: 'upload', reason: 'Sai ngày tiêm, đề nghị thu lại' });
    expect(listed.versions).toBeUndefined();
    expect((await schedule(as.editor, id)).status).toBe(422);
    expect((await post(as.editor, `/api/programs/${id}/submit`)).status).toBe(200);
  });

  it('refuses transitions out of order with 409 and changes nothing', async () => {
    const id = await draft(as.editor);
    const early = await post(as.approver, `/api/programs/${id}/approve`, { version: 1 });
    expect(early.status).toBe(409);
    expect((await early.json()).error).toMatchObject({ code: 'invalid_state', details: { status: 'draft', version: 1 } });
    await post(as.editor, `/api/programs/${id}/submit`);
    expect((await post(as.editor, `/api/programs/${id}/submit`)).status).toBe(409);
    await post(as.approver, `/api/programs/${id}/approve`, { version: 1 });
    expect((await post(as.approver, `/api/programs/${id}/reject`, { version: 1, reason: 'muộn rồi' })).status).toBe(409);
    expect((await (await as.editor(`/api/programs/${id}`)).json()).program.status).toBe('approved');
  });

  it('refuses to approve or reject a version that is no longer the newest, with 409 naming both versions', async () => {
    const id = await draft(as.editor);
    await post(as.editor, `/api/programs/${id}/submit`);
    // The chair listens to version 1 while the editor uploads version 2 and submits it.
    const form = new FormData();
    form.set('file', new Blob([await (await import('node:fs/promises')).readFile(wavB)]), 'b.wav');
    const res = await as.editor(`/api/programs/${id}/versions`, { method: 'POST', body: form });
    await finishedJob({ api: as.editor }, (await res.json()).job.id);
    await post(as.editor, `/api/programs/${id}/submit`);
    for (const decision of [{ path: 'approve', body: { version: 1 } }, { path: 'reject', body: { version: 1, reason: 'Không rõ tiếng' } }]) {
      const stale = await post(as.approver, `/api/programs/${id}/${decision.path}`, decision.body);
      expect(stale.status).toBe(409);
      expect((await stale.json()).error).toMatchObject({ code: 'version_changed', details: { decidedOn: 1, latestVersion: 2 } });
    }
    expect((await (await as.approver(`/api/programs/${id}`)).json()).program).toMatchObject({ status: 'pending', airingVersion: null });
    expect((await post(as.approver, `/api/programs/${id}/approve`, {})).status).toBe(400);
    expect((await post(as.approver, `/api/programs/${id}/approve`, { version: 2 })).status).toBe(200);
  });

  it('keeps airing the approved audio while a new version waits, and switches when it is approved', async () => {
    const id = await draft(as.editor);
    await post(as.editor, `/api/programs/${id}/submit`);
    const v1 = (await (await post(as.approver, `/api/programs/${id}/approve`, { version: 1 })).json()).program;

    const form = new FormData();
    form.set('file', new Blob([await (await import('node:fs/promises')).readFile(wavB)]), 'b.wav');
    const res = await as.editor(`/api/programs/${id}/versions`, { method: 'POST', body: form });
    expect(res.status).toBe(202);
    expect((await finishedJob({ api: as.editor }, (await res.json()).job.id)).result).toEqual({ programId: id, version: 2 });

    let p = (await (await as.editor(`/api/programs/${id}`)).json()).program;
    expect(p).toMatchObject({ status: 'draft', latestVersion: 2, airingVersion: 1 });
    expect(p.airing.sha256).toBe(v1.airing.sha256);
    expect(p.versions.map((v: { version: number; status: string }) => [v.version, v.status])).toEqual([[2, 'draft'], [1, 'approved']]);
    // Still schedulable, and what airs is version 1: the occurrence lasts as long as its audio.
    const { schedule: s } = await (await schedule(as.editor, id)).json();
    const airtime = async () => {
      const { occurrences } = await (await as.editor(`/api/occurrences?zoneId=${zone}`)).json();
      const o = occurrences.find((x: { scheduleId: string }) => x.scheduleId === s.id);
      return Date.parse(o.endAt) - Date.parse(o.startAt);
    };
    expect(await airtime()).toBe(v1.airing.durationMs);

    await post(as.editor, `/api/programs/${id}/submit`);
    p = (await (await post(as.approver, `/api/programs/${id}/approve`, { version: 2 })).json()).program;
    expect(p).toMatchObject({ status: 'approved', airingVersion: 2 });
    expect(p.airing.sha256).not.toBe(v1.airing.sha256);
    expect(p.airing.durationMs).toBeGreaterThan(v1.airing.durationMs);
    expect(await airtime()).toBe(p.airing.durationMs);
  });

  it('writes who, what, when and from which address to the audit log, readable by approvers and admin only', async () => {
    const id = await draft(as.editor, wavA, 'Lịch tiếp công dân');
    await post(as.editor, `/api/programs/${id}/submit`);
    await post(as.approver, `/api/programs/${id}/reject`, { version: 1, reason: 'Thiếu giờ tiếp' });
    await post(as.editor, `/api/programs/${id}/submit`);
    await post(as.approver, `/api/programs/${id}/approve`, { version: 1 });
    const created = await (await schedule(as.editor, id)).json();
    await as.editor(`/api/schedules/${created.schedule.id}`, { method: 'DELETE' });

    const res = await as.approver(`/api/audit?targetId=${id}`);
    expect(res.status).toBe(200);
    const { entries } = await res.json();
    expect(entries.map((e: { action: string; actorName: string }) => [e.action, e.actorName]).reverse()).toEqual([
      ['program.created', 'u-editor'], ['program.submitted', 'u-editor'], ['program.rejected', 'u-approver'],
      ['program.submitted', 'u-editor'], ['program.approved', 'u-approver'],
    ]);
    expect(entries.find((e: { action: string }) => e.action === 'program.rejected').details.reason).toBe('Thiếu giờ tiếp');
    for (const e of entries) {
      expect(e.address).toMatch(/127\.0\.0\.1/);
      expect(e.at).toBe(t.clock.now());
    }
    const sched = (await (await as.admin(`/api/audit?targetId=${created.schedule.id}`)).json()).entries;
    expect(sched.map((e: { action: string }) => e.action)).toEqual(['schedule.deleted', 'schedule.created']);
    expect(sched[1].details).toMatchObject({ programIds: [id], zoneIds: [zone], priority: 'normal' });

    expect((await as.editor('/api/audit')).status).toBe(403);
    expect((await as.technician('/api/audit')).status).toBe(403);
    const page = await (await as.admin('/api/audit?limit=2')).json();
    expect(page.entries).toHaveLength(2);
    const next = await (await as.admin(`/api/audit?limit=2&before=${page.next}`)).json();
    expect(next.entries[0].id).toBeLessThan(page.entries[1].id);
  });

  it('serves a program\'s audio to editors, approvers and admin, not to technicians', async () => {
    const id = await draft(as.editor);
    const { program } = await (await as.editor(`/api/programs/${id}`)).json();
    for (const role of ['admin', 'editor', 'approver'] as const) expect((await as[role](program.asset.mp3Url)).status, role).toBe(200);
    expect((await as.technician(program.asset.url)).status).toBe(401);
  });

  describe('every route, every role', () => {
    // [method, path, who may] — "may" means the role check lets the request through (it may still fail later: 400/404/409/422).
    const P = 'pg_nonexistent';
    const table: [string, string, Role[]][] = [
      ['GET', '/api/me', [...ROLES]],
      ['GET', '/api/users', ['admin']],
      ['POST', '/api/users', ['admin']],
      ['GET', '/api/zones', [...ROLES]],
      ['POST', '/api/zones', ['admin', 'editor', 'technician']],
      ['GET', '/api/devices', [...ROLES]],
      ['POST', '/api/devices', ['admin', 'technician']],
      ['POST', '/api/devices/none/rotate-secret', ['admin', 'technician']],
      ['POST', '/api/devices/none/commands', ['admin', 'approver', 'technician']],
      ['GET', '/api/programs', ['admin', 'editor', 'approver']],
      ['GET', `/api/programs/${P}`, ['admin', 'editor', 'approver']],
      ['POST', '/api/programs', ['admin', 'editor', 'approver']],
      ['POST', '/api/programs/tts', ['admin', 'editor', 'approver']],
      ['POST', `/api/programs/${P}/versions`, ['admin', 'editor', 'approver']],
      ['PATCH', `/api/programs/${P}`, ['admin', 'editor', 'approver']],
      ['POST', `/api/programs/${P}/submit`, ['admin', 'editor', 'approver']],
      ['POST', `/api/programs/${P}/approve`, ['approver']],
      ['POST', `/api/programs/${P}/reject`, ['approver']],
      ['GET', '/api/tts/templates', ['admin', 'editor', 'approver']],
      ['GET', '/api/tts/voices', ['admin', 'editor', 'approver']],
      ['POST', '/api/tts/preview', ['admin', 'editor', 'approver']],
      ['GET', '/api/jobs', ['admin', 'editor', 'approver']],
      ['GET', '/api/jobs/jb_none', ['admin', 'editor', 'approver']],
      ['GET', '/api/schedules', ['admin', 'editor', 'approver']],
      ['POST', '/api/schedules', ['admin', 'editor', 'approver']],
      ['DELETE', '/api/schedules/sc_none', ['admin', 'editor', 'approver']],
      ['GET', '/api/occurrences', ['admin', 'editor', 'approver']],
      ['GET', '/api/playlogs', ['admin', 'editor', 'approver']],
      ['GET', '/api/audit', ['admin', 'approver']],
    ];
    it.each(table)('%s %s is for %j, 403 for the others and 401 without a session', async (method, path, allowed) => {
      for (const role of ROLES) {
        const res = await as[role](path, { method, ...(method === 'GET' || method === 'DELETE' ? {} : { json: {} }) });
        if (allowed.includes(role)) expect(res.status, `${role} ${method} ${path}`).not.toBe(403);
        else {
          expect(res.status, `${role} ${method} ${path}`).toBe(403);
          expect((await res.json()).error.code).toBe('forbidden');
        }
      }
      expect((await t.as()(path, { method })).status).toBe(401);
    });
  });
});
