import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Hono, type Context } from 'hono';
import { html } from 'hono/html';
import type { Child } from 'hono/jsx';
import { sessionUser } from '../server/auth/middleware.js';
import { actionsOf, can } from '../server/auth/permissions.js';
import type { AuthService } from '../server/auth/service.js';
import { ApiError } from '../server/http/errors.js';
import { remoteAddress } from '../server/http/request.js';
import { clearSessionCookie, sessionToken, setSessionCookie } from '../server/http/session.js';
import { DashboardPage, type DashboardData } from './views/dashboard.js';
import { LoginPage } from './views/login.js';
import { ProgramsPage } from './views/programs.js';

const STATIC_DIR = join(dirname(fileURLToPath(import.meta.url)), 'static');
const TYPES: Record<string, string> = { '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8' };
const page = (body: Child) => html`<!doctype html>${body}`;

const staticFiles = new Map(
  ['panel.js', 'programs.js', 'style.css'].map((f) => [f, { body: readFileSync(join(STATIC_DIR, f)), type: TYPES[f.slice(f.lastIndexOf('.'))] }]),
);

/** The panel: server-rendered pages; the data arrive as plain arguments. */
export function webRoutes(auth: AuthService, dashboard: (user: DashboardData['user']) => Omit<DashboardData, 'can'>, sessionTtlMs: number, maxUploadMb: number) {
  return new Hono()
    .get('/static/:file', (c) => {
      const f = staticFiles.get(c.req.param('file'));
      if (!f) return c.notFound();
      return c.body(f.body, 200, { 'Content-Type': f.type, 'Cache-Control': 'no-cache' });
    })
    .get('/login', (c) => c.html(page(<LoginPage />)))
    .post('/login', async (c: Context) => {
      const form = await c.req.parseBody();
      try {
        const { token } = await auth.login(String(form.username ?? ''), String(form.password ?? ''), remoteAddress(c));
        setSessionCookie(c, token, sessionTtlMs);
        return c.redirect('/', 303);
      } catch (err) {
        const message = err instanceof ApiError && err.code === 'too_many_attempts'
          ? 'Đăng nhập sai quá nhiều lần; vui lòng thử lại sau 15 phút.'
          : 'Sai tên đăng nhập hoặc mật khẩu.';
        return c.html(page(<LoginPage error={message} />), err instanceof ApiError ? err.status : 500);
      }
    })
    .post('/logout', (c) => {
      const token = sessionToken(c);
      if (token) auth.logout(token);
      clearSessionCookie(c);
      return c.redirect('/login', 303);
    })
    .get('/', (c) => {
      const user = sessionUser(auth, c);
      if (!user) return c.redirect('/login', 303);
      return c.html(page(<DashboardPage data={{ ...dashboard(user), can: actionsOf(user.role) }} />));
    })
    .get('/programs', (c) => {
      const user = sessionUser(auth, c);
      if (!user) return c.redirect('/login', 303);
      if (!can(user.role, 'programs.view')) return c.redirect('/', 303);
      return c.html(page(<ProgramsPage user={user} can={actionsOf(user.role)} maxUploadMb={maxUploadMb} />));
    });
}
