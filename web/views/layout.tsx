import type { Child } from 'hono/jsx';

export function Layout({ title, children, user, can = [] }: { title: string; children: Child; user?: { displayName: string | null; username: string }; can?: string[] }) {
  return (
    <html lang="vi">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{title} · Loa Làng</title>
        <link rel="stylesheet" href="/static/style.css" />
      </head>
      <body>
        <header class="top">
          <strong>📢 Loa Làng</strong>
          {user && (
            <nav>
              <a href="/">Tổng quan</a>
              {can.includes('programs.view') && <a href="/programs">Chương trình</a>}
            </nav>
          )}
          {user && (
            <form method="post" action="/logout" class="who">
              <span>{user.displayName ?? user.username}</span>
              <button type="submit">Đăng xuất</button>
            </form>
          )}
        </header>
        <main>{children}</main>
      </body>
    </html>
  );
}
