import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Hono, type Context } from 'hono';
import { ApiError } from '../server/http/errors.js';
import { remoteAddress } from '../server/http/request.js';
import { clearSessionCookie, sessionToken, setSessionCookie } from '../server/http/session.js';
import { clientAssets } from './assets.js';
import { panelSession, type PanelDeps, type PanelEnv } from './context.js';
import { explain } from './errors.js';
import { adminPages } from './pages/admin.js';
import { approvalPages } from './pages/approvals.js';
import { calendarPages } from './pages/calendar.js';
import { dashboardPage } from './pages/dashboard.js';
import { emergencyPages } from './pages/emergency.js';
import { gatewayPages } from './pages/gateways.js';
import { liveFragments } from './pages/live.js';
import { programPages } from './pages/programs.js';
import { reportPages } from './pages/reports.js';
import { schedulePages } from './pages/schedules.js';
import { page } from './html.js';
import { LoginPage } from './views/login.js';

export type { PanelDeps } from './context.js';

const STYLE = readFileSync(join(dirname(fileURLToPath(import.meta.url)), 'static', 'style.css'));
export { notFoundPage } from './html.js';

/** The panel: server-rendered pages and the fragments htmx swaps in; browser code only where a library needs it. */
export function webRoutes(d: PanelDeps) {
  void clientAssets().catch(() => {});
  const app = new Hono<PanelEnv>()
    .get('/static/style.css', (c) => c.body(STYLE, 200, { 'Content-Type': 'text/css; charset=utf-8', 'Cache-Control': 'no-cache' }))
    .get('/static/:file{[a-z-]+\\.(js|css)}', async (c) => {
      const f = (await clientAssets()).get(c.req.param('file'));
      if (!f) return c.notFound();
      return c.body(f.body as Uint8Array<ArrayBuffer>, 200, { 'Content-Type': f.type, 'Cache-Control': 'no-cache' });
    })
    .get('/login', (c) => c.html(page(<LoginPage noUsers={!d.auth.hasUsers()} />)))
    .post('/login', async (c: Context) => {
      const form = await c.req.parseBody();
      const username = String(form.username ?? '');
      try {
        const { token } = await d.auth.login(username, String(form.password ?? ''), remoteAddress(c));
        setSessionCookie(c, token, d.sessionTtlMs);
        return c.redirect('/', 303);
      } catch (err) {
        if (!(err instanceof ApiError)) throw err;
        return c.html(page(<LoginPage error={explain({ code: err.code, status: err.status })} username={username} />), err.status);
      }
    })
    .post('/logout', (c) => {
      const token = sessionToken(c);
      if (token) d.auth.logout(token);
      clearSessionCookie(c);
      return c.redirect('/login', 303);
    })
    .get('/programs', (c) => c.redirect('/chuong-trinh', 301));

  const session = panelSession(d);
  const signedIn = new Hono<PanelEnv>()
    // The API, media and gateway routes answer for themselves, even when they find nothing.
    .use('*', (c, next) => (/^\/(api|media|device|mqtt|static)\//.test(c.req.path) ? next() : session(c, next)))
    .route('/p/live', liveFragments(d))
    .route('/', dashboardPage(d))
    .route('/', gatewayPages(d))
    .route('/', adminPages(d))
    .route('/', programPages(d))
    .route('/', approvalPages(d))
    .route('/', reportPages(d))
    .route('/', emergencyPages(d))
    // The calendar's fixed paths (/lich/su-kien, /lich/luot) before a schedule's (/lich/:id).
    .route('/', calendarPages(d))
    .route('/', schedulePages(d));
  return app.route('/', signedIn);
}
