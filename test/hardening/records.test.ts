import { describe, expect, it } from 'vitest';
import { seedApprovedProgram, useTestApp } from '../helpers/app.js';
import { createDevice, createZone } from '../helpers/system.js';

describe('users an admin manages', () => {
  const t = useTestApp();
  const newUser = async (username: string, role = 'editor') =>
    (await (await t.api('/api/users', { method: 'POST', json: { username, password: `${username}-mat-khau`, role } })).json()).user;

  it('changes role and display name, and a disabled user\'s sessions end at once', async () => {
    const u = await newUser('can-bo-a');
    const cookie = await t.login('can-bo-a', 'can-bo-a-mat-khau');
    expect((await t.as(cookie)('/api/me')).status).toBe(200);
    const renamed = await (await t.api(`/api/users/${u.id}`, { method: 'PATCH', json: { displayName: 'Chị Lan', role: 'approver' } })).json();
    expect(renamed.user).toMatchObject({ displayName: 'Chị Lan', role: 'approver', disabled: false });
    const again = await t.login('can-bo-a', 'can-bo-a-mat-khau');
    expect((await t.api(`/api/users/${u.id}`, { method: 'PATCH', json: { disabled: true } })).status).toBe(200);
    expect((await t.as(again)('/api/me')).status).toBe(401);
    const refused = await t.as()('/api/auth/login', { method: 'POST', json: { username: 'can-bo-a', password: 'can-bo-a-mat-khau' } });
    expect(refused.status).toBe(403);
    expect((await refused.json()).error.code).toBe('account_disabled');
    await t.api(`/api/users/${u.id}`, { method: 'PATCH', json: { disabled: false } });
    expect((await t.as(await t.login('can-bo-a', 'can-bo-a-mat-khau'))('/api/me')).status).toBe(200);
  });

  it('resets a forgotten password (the old sessions end), and lets a user change their own (their session stays)', async () => {
    const u = await newUser('can-bo-b');
    const old = await t.login('can-bo-b', 'can-bo-b-mat-khau');
    expect((await t.api(`/api/users/${u.id}/password`, { method: 'POST', json: { password: 'mat-khau-moi-2026' } })).status).toBe(200);
    expect((await t.as(old)('/api/me')).status).toBe(401);
    const mine = await t.login('can-bo-b', 'mat-khau-moi-2026');
    const wrong = await t.as(mine)('/api/me/password', { method: 'POST', json: { current: 'sai', password: 'mat-khau-cua-toi-1' } });
    expect(wrong.status).toBe(403);
    expect((await t.as(mine)('/api/me/password', { method: 'POST', json: { current: 'mat-khau-moi-2026', password: 'mat-khau-cua-toi-1' } })).status).toBe(200);
    expect((await t.as(mine)('/api/me')).status).toBe(200);
    expect((await t.as()('/api/auth/login', { method: 'POST', json: { username: 'can-bo-b', password: 'mat-khau-cua-toi-1' } })).status).toBe(200);
  });

  it('never leaves the commune without an active admin', async () => {
    const { users } = await (await t.api('/api/users')).json();
    const admin = users.find((u: { username: string }) => u.username === 'admin');
    const res = await t.api(`/api/users/${admin.id}`, { method: 'PATCH', json: { disabled: true } });
    expect(res.status).toBe(409);
    expect((await res.json()).error.code).toBe('last_admin');
  });
});

describe('the audit log records every change that matters', () => {
  const t = useTestApp();
  const audit = async (targetId: string) => (await (await t.api(`/api/audit?targetId=${targetId}`)).json()).entries
    .map((e: { action: string; actorName: string; address: string }) => [e.action, e.actorName, e.address]).reverse();

  it('users created, changed, disabled and reset; zones created, changed and deleted; gateways created, moved, re-keyed and deleted', async () => {
    const user = (await (await t.api('/api/users', { method: 'POST', json: { username: 'ky-thuat', password: 'ky-thuat-mat-khau', role: 'technician' } })).json()).user;
    await t.api(`/api/users/${user.id}`, { method: 'PATCH', json: { displayName: 'Anh Tuấn' } });
    await t.api(`/api/users/${user.id}`, { method: 'PATCH', json: { disabled: true } });
    await t.api(`/api/users/${user.id}/password`, { method: 'POST', json: { password: 'ky-thuat-moi-2026' } });
    expect(await audit(user.id)).toEqual([
      ['user.created', 'admin', '127.0.0.1'], ['user.updated', 'admin', '127.0.0.1'], ['user.disabled', 'admin', '127.0.0.1'], ['user.password-reset', 'admin', '127.0.0.1'],
    ]);

    const a = await createZone(t, 'Thôn A');
    const b = await createZone(t, 'Thôn B');
    await t.api(`/api/zones/${a}`, { method: 'PATCH', json: { quietStart: '21:30' } });
    const d = await createDevice(t, 'thon-a-1', a);
    await t.api(`/api/devices/${d.id}`, { method: 'PATCH', json: { zoneId: b } });
    await t.api(`/api/devices/${d.id}/rotate-secret`, { method: 'POST' });
    await t.api(`/api/devices/${d.id}`, { method: 'DELETE' });
    await t.api(`/api/zones/${a}`, { method: 'DELETE' });
    expect((await audit(a)).map((e: string[]) => e[0])).toEqual(['zone.created', 'zone.updated', 'zone.deleted']);
    expect((await audit(d.id)).map((e: string[]) => e[0])).toEqual(['device.created', 'device.moved', 'device.secret-rotated', 'device.deleted']);
    const quiet = (await (await t.api(`/api/audit?targetId=${a}&action=zone.updated`)).json()).entries[0];
    expect(quiet.details.changed).toEqual({ quietStart: { from: '22:00', to: '21:30' } });
  });
});

describe('deleting a hamlet', () => {
  const t = useTestApp();

  it('is refused while schedules target it, naming them; with withSchedules=true they let it go and nothing is left dangling', async () => {
    const a = await createZone(t, 'Thôn Xóa', { quietStart: '00:00', quietEnd: '00:00' });
    const b = await createZone(t, 'Thôn Giữ', { quietStart: '00:00', quietEnd: '00:00' });
    const programId = seedApprovedProgram(t, 'Tin làng', 30_000);
    const only = await (await t.api('/api/schedules', { method: 'POST', json: { programId, zoneIds: [a], rule: { type: 'once', at: '2026-03-03T08:00:00+07:00' } } })).json();
    const both = await (await t.api('/api/schedules', { method: 'POST', json: { programId, zoneIds: [a, b], rule: { type: 'once', at: '2026-03-03T09:00:00+07:00' } } })).json();
    const refused = await t.api(`/api/zones/${a}`, { method: 'DELETE' });
    expect(refused.status).toBe(409);
    const { error } = await refused.json();
    expect(error.code).toBe('zone_has_schedules');
    expect(error.message).toContain('Tin làng');
    expect(error.details.schedules.map((s: { id: string }) => s.id).sort()).toEqual([only.schedule.id, both.schedule.id].sort());

    expect((await t.api(`/api/zones/${a}?withSchedules=true`, { method: 'DELETE' })).status).toBe(204);
    expect((await t.api(`/api/schedules/${only.schedule.id}`)).status).toBe(404);
    expect((await (await t.api(`/api/schedules/${both.schedule.id}`)).json()).schedule.zoneIds).toEqual([b]);
  });
});
