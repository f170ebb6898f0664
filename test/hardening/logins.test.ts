import { describe, expect, it } from 'vitest';
import { createTestApp, useTestApp } from '../helpers/app.js';
import { ADMIN_PASSWORD } from '../helpers/system.js';

const login = (username: string, password: string) => ({ method: 'POST', json: { username, password } });

describe('the login limit holds against attempts sent at once, and locks the source, never the account', () => {
  const t = useTestApp();

  it('counts forty simultaneous wrong passwords as forty: five get 401, the rest 429 at once', async () => {
    const attacker = t.as(undefined, '203.0.113.40');
    const answers = await Promise.all(Array.from({ length: 40 }, () => attacker('/api/auth/login', login('admin', 'wrong-guess'))));
    const statuses = answers.map((r) => r.status);
    expect(statuses.filter((s) => s === 401).length).toBeLessThanOrEqual(5);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(35);
    const body = await answers.find((r) => r.status === 429)!.json();
    expect(['too_many_attempts', 'login_busy']).toContain(body.error.code);
  });

  it('lets the real admin in from another address while one address floods the login with a hundred attempts', async () => {
    const attacker = t.as(undefined, '203.0.113.41');
    const flood = Promise.all(Array.from({ length: 100 }, () => attacker('/api/auth/login', login('admin', 'another-guess'))));
    const started = performance.now();
    const real = await t.as(undefined, '198.51.100.7')('/api/auth/login', login('admin', ADMIN_PASSWORD));
    const tookMs = performance.now() - started;
    expect(real.status).toBe(200);
    expect(tookMs).toBeLessThan(3000);
    expect((await flood).every((r) => r.status === 401 || r.status === 429)).toBe(true);
  });

  it('keeps refusing the flooding address with 429 but never the account: the right password from elsewhere works', async () => {
    const attacker = t.as(undefined, '203.0.113.42');
    for (let i = 0; i < 6; i++) await attacker('/api/auth/login', login('admin', `guess-${i}`));
    expect((await attacker('/api/auth/login', login('admin', 'guess-x'))).status).toBe(429);
    expect((await t.as(undefined, '198.51.100.8')('/api/auth/login', login('admin', ADMIN_PASSWORD))).status).toBe(200);
  });

  it('takes about as long to refuse an unknown user as a wrong password for a real one', async () => {
    const timed = async (username: string, address: string) => {
      const start = performance.now();
      const res = await t.as(undefined, address)('/api/auth/login', login(username, 'not-the-password'));
      expect(res.status).toBe(401);
      return performance.now() - start;
    };
    const known: number[] = [];
    const unknown: number[] = [];
    for (let i = 0; i < 3; i++) {
      known.push(await timed('admin', `192.0.2.${10 + i}`));
      unknown.push(await timed('nobody-here', `192.0.2.${20 + i}`));
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[1];
    const ratio = median(unknown) / median(known);
    expect(ratio).toBeGreaterThan(0.6);
    expect(ratio).toBeLessThan(1.7);
  });

  it('refuses passwords that are only spaces or among the most common ones, for new users and resets', async () => {
    for (const password of ['          ', 'password', '12345678', 'aaaaaaaaaa']) {
      const res = await t.api('/api/users', { method: 'POST', json: { username: 'weak-one', password, role: 'editor' } });
      expect(res.status, JSON.stringify(password)).toBe(422);
      expect((await res.json()).error.code).toBe('weak_password');
    }
    const made = await (await t.api('/api/users', { method: 'POST', json: { username: 'strong-one', password: 'mua-lua-chin-2026', role: 'editor' } })).json();
    expect((await t.api(`/api/users/${made.user.id}/password`, { method: 'POST', json: { password: 'qwerty123' } })).status).toBe(422);
  });
});

describe('behind a reverse proxy (TRUST_PROXY)', () => {
  it('limits each client by its X-Forwarded-For address, not the proxy\'s; without TRUST_PROXY the header is ignored', async () => {
    const behind = await createTestApp({ env: { TRUST_PROXY: 'true' } });
    const direct = await createTestApp();
    try {
      const via = (app: typeof behind, client: string) => (password: string) =>
        // The proxy appends the address it saw; anything before it the client may have written.
        app.as(undefined, '10.0.0.1')('/api/auth/login', { ...login('admin', password), headers: { 'x-forwarded-for': `198.18.0.1, ${client}` } });
      for (let i = 0; i < 5; i++) expect((await via(behind, '203.0.113.9')('wrong')).status).toBe(401);
      expect((await via(behind, '203.0.113.9')('wrong')).status).toBe(429);
      // Another client behind the same proxy is not locked out.
      expect((await via(behind, '198.51.100.9')(ADMIN_PASSWORD)).status).toBe(200);

      for (let i = 0; i < 5; i++) await via(direct, `203.0.113.${100 + i}`)('wrong');
      // Without TRUST_PROXY every forwarded address is the proxy's one address: it is the one limited.
      expect((await via(direct, '198.51.100.10')(ADMIN_PASSWORD)).status).toBe(429);
    } finally {
      await behind.stop();
      await direct.stop();
    }
  });

  it('marks the session cookie Secure when the proxy says the client came over HTTPS', async () => {
    const behind = await createTestApp({ env: { TRUST_PROXY: 'true' } });
    try {
      const https = await behind.as()('/api/auth/login', { ...login('admin', ADMIN_PASSWORD), headers: { 'x-forwarded-proto': 'https' } });
      expect(https.headers.get('set-cookie')).toMatch(/;\s*Secure/i);
      const http = await behind.as()('/api/auth/login', login('admin', ADMIN_PASSWORD));
      expect(http.headers.get('set-cookie')).not.toMatch(/;\s*Secure/i);
    } finally {
      await behind.stop();
    }
  });
});
