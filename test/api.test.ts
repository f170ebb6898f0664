import { describe, expect, it } from 'vitest';
import { useTestApp } from './helpers/app.js';
import { ADMIN_PASSWORD, createZone } from './helpers/system.js';

describe('the HTTP API', () => {
  const t = useTestApp();
  const anonymous = () => t.as();

  it.each([
    ['GET', '/api/zones'], ['POST', '/api/zones'], ['GET', '/api/devices'], ['POST', '/api/programs'],
    ['POST', '/api/schedules'], ['GET', '/api/occurrences'], ['GET', '/api/playlogs'], ['GET', '/api/me'], ['GET', '/api/events'],
  ])('answers 401 with the error shape to an unauthenticated %s %s', async (method, path) => {
    const res = await anonymous()(path, { method });
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ error: { code: 'unauthenticated', message: expect.any(String) } });
  });

  it('serves health and login without a session', async () => {
    const health = await (await anonymous()('/healthz')).json();
    // The ffmpeg in use is there for the operator: the system's build, or the one bundled on npm.
    expect(health).toEqual({ ok: true, mqtt: 'connected', db: 'ok', ffmpeg: expect.stringMatching(/^\S+ \(.+\)$/), signing: expect.stringMatching(/^(libsodium|node:crypto|starting)$/) });
  });

  it('sets an HttpOnly, SameSite=Lax session cookie on login and forgets it on logout', async () => {
    const res = await anonymous()('/api/auth/login', { method: 'POST', json: { username: 'admin', password: ADMIN_PASSWORD } });
    const cookie = res.headers.get('set-cookie')!;
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);
    const session = cookie.split(';')[0];
    expect((await t.as(session)('/api/me')).status).toBe(200);
    await t.as(session)('/api/auth/logout', { method: 'POST' });
    expect((await t.as(session)('/api/me')).status).toBe(401);
  });

  it('refuses a wrong password with 401 and, after five, answers 429', async () => {
    const attempt = () => anonymous()('/api/auth/login', { method: 'POST', json: { username: 'ghost', password: 'nope' } });
    for (let i = 0; i < 5; i++) expect((await attempt()).status).toBe(401);
    expect((await attempt()).status).toBe(429);
  });

  it('answers malformed JSON with 400 malformed_json and creates nothing', async () => {
    const before = (await (await t.api('/api/zones')).json()).zones.length;
    const res = await t.api('/api/zones', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"name": "Thôn' });
    expect(res.status).toBe(400);
    expect((await res.json()).error.code).toBe('malformed_json');
    expect((await (await t.api('/api/zones')).json()).zones.length).toBe(before);
  });

  it('answers a body that breaks the schema with 400 invalid_request naming the field', async () => {
    const res = await t.api('/api/zones', { method: 'POST', json: { name: '', quietStart: '25:00' } });
    expect(res.status).toBe(400);
    const { error } = await res.json();
    expect(error.code).toBe('invalid_request');
    expect(error.details.map((d: { path: string }) => d.path).sort()).toEqual(['name', 'quietStart']);
  });

  it('refuses a device in an unknown zone with 422 unknown_zone', async () => {
    const res = await t.api('/api/devices', { method: 'POST', json: { id: 'thon-xa-1', name: 'x', zoneId: 'zn_nowhere' } });
    expect(res.status).toBe(422);
    expect((await res.json()).error.code).toBe('unknown_zone');
    expect((await t.api('/api/devices/thon-xa-1')).status).toBe(404);
  });

  it('returns a device secret once, and never again', async () => {
    const zone = await createZone(t, 'Thôn Thượng');
    const created = await (await t.api('/api/devices', { method: 'POST', json: { id: 'thon-thuong-1', name: 'Cụm loa', zoneId: zone } })).json();
    expect(created.device.secret).toEqual(expect.any(String));
    const again = await (await t.api('/api/devices/thon-thuong-1')).json();
    expect(again.device.secret).toBeUndefined();
    expect((await t.api('/api/devices', { method: 'POST', json: { id: 'thon-thuong-1', name: 'x', zoneId: zone } })).status).toBe(409);
  });

  it('refuses a schedule for an unknown program or zone, or in the past, with 422', async () => {
    const zone = await createZone(t, 'Thôn Hạ');
    const unknownProgram = await t.api('/api/schedules', { method: 'POST', json: { programId: 'pg_none', zoneIds: [zone], rule: { type: 'once', at: '2099-01-01T07:00:00+07:00' } } });
    expect((await unknownProgram.json()).error.code).toBe('unknown_program');
    const badRule = await t.api('/api/schedules', { method: 'POST', json: { programId: 'pg_none', zoneIds: [zone], rule: { type: 'once', at: 'tomorrow' } } });
    expect(badRule.status).toBe(400);
    expect((await t.api('/api/schedules')).status).toBe(200);
    expect((await (await t.api('/api/schedules')).json()).schedules).toEqual([]);
  });

  it('refuses a cross-site form post (CSRF) even with a valid session', async () => {
    const res = await t.api('/api/zones', { method: 'POST', headers: { origin: 'http://evil.example', 'content-type': 'application/json' }, body: JSON.stringify({ name: 'x' }) });
    expect(res.status).toBe(403);
    expect((await res.json()).error.code).toBe('cross_site_request');
  });

  it('lets only an admin create users, and enforces roles on device provisioning', async () => {
    const made = await t.api('/api/users', { method: 'POST', json: { username: 'canbo', password: 'van-hoa-xa-123', role: 'editor', displayName: 'Cán bộ văn hoá' } });
    expect(made.status).toBe(201);
    const editor = await t.login('canbo', 'van-hoa-xa-123');
    const asEditor = t.as(editor);
    expect((await asEditor('/api/users')).status).toBe(403);
    expect((await asEditor('/api/devices', { method: 'POST', json: { name: 'x', zoneId: 'z' } })).status).toBe(403);
    expect((await asEditor('/api/zones')).status).toBe(200);
  });

  it('answers unknown routes with 404 in the error shape', async () => {
    const res = await t.api('/api/nothing-here');
    expect(res.status).toBe(404);
    expect((await res.json()).error.code).toBe('not_found');
  });
});
