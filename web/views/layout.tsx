import type { Child } from 'hono/jsx';
import { ROLE_LABELS, type Action, type Role } from '../../server/auth/permissions.js';
import { NAV } from '../nav.js';

export interface Viewer {
  displayName: string | null;
  username: string;
  role: Role;
  can: Action[];
  /** Programs waiting for this approver's decision (the nav badge). */
  pending?: number;
  /** Emergencies on air now, and CAP alerts waiting for this approver: a banner on every page. */
  emergencies?: { id: string; title: string; riskLevel: number | null }[];
  capWaiting?: number;
}

export interface LayoutProps {
  title: string;
  children: Child;
  viewer?: Viewer;
  /** The nav entry to mark as the current page. */
  section?: string;
  /** Islands this page needs beside panel.js (calendar, map, programs). */
  scripts?: string[];
  styles?: string[];
}

/** Every page: header with the sections this role may open, the live-connection banner, main. */
export function Layout({ title, children, viewer, section, scripts = [], styles = [] }: LayoutProps) {
  const live = viewer ? { 'hx-ext': 'sse', 'sse-connect': '/p/live' } : {};
  return (
    <html lang="vi">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{title} · Loa Làng</title>
        <link rel="icon" href="data:," />
        <link rel="stylesheet" href="/static/style.css" />
        {styles.map((s) => <link rel="stylesheet" href={`/static/${s}`} />)}
        <script type="module" src="/static/panel.js"></script>
        {scripts.map((s) => <script type="module" src={`/static/${s}`}></script>)}
      </head>
      <body {...live} data-live={viewer ? 'connecting' : undefined}>
        <a class="skip" href="#main">Bỏ qua thanh điều hướng</a>
        <header class="top">
          <a class="brand" href="/">Loa Làng</a>
          {viewer && (
            <form method="post" action="/logout" class="who">
              <span class="who-name">{viewer.displayName ?? viewer.username}<small>{ROLE_LABELS[viewer.role]}</small></span>
              <button type="submit" class="ghost">Đăng xuất</button>
            </form>
          )}
          {viewer && (
            <nav aria-label="Các mục">
              {NAV.filter((n) => viewer.can.includes(n.action)).map((n) => (
                <a href={n.href} class={n.tone === 'danger' ? 'danger' : undefined} aria-current={section === n.href ? 'page' : undefined}>
                  {n.label}
                  {n.href === '/duyet' && <PendingCount n={viewer.pending ?? 0} />}
                </a>
              ))}
            </nav>
          )}
        </header>
        {viewer && (
          <div id="live-banner" class="banner" role="status" hidden>
            Mất kết nối trực tiếp với máy chủ: trạng thái cụm loa trên trang có thể đã cũ. Đang thử kết nối lại…
          </div>
        )}
        {viewer?.emergencies?.map((e) => (
          <div class="emergency-banner" role="status" data-risk={e.riskLevel ? String(e.riskLevel) : undefined}>
            Đang phát khẩn cấp: <a href={`/khan-cap/${e.id}`}>{e.title}</a>
          </div>
        ))}
        {viewer?.capWaiting ? (
          <div class="emergency-banner cap" role="alert">
            {`${viewer.capWaiting} cảnh báo thiên tai (CAP) đang chờ lãnh đạo quyết định phát hay bỏ qua. `}<a href="/khan-cap">Xem và quyết định</a>
          </div>
        ) : null}
        <main id="main">{children}</main>
      </body>
    </html>
  );
}

export const PendingCount = ({ n }: { n: number }) => (
  <span id="pending-count" class="count" hx-get="/duyet/dem" hx-trigger="sse:program" hx-swap="outerHTML">{n}</span>
);
