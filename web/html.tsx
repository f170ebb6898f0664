import { html } from 'hono/html';
import type { Child } from 'hono/jsx';
import { Layout } from './views/layout.js';

export const page = (body: Child) => html`<!doctype html>${body}`;

/** What a browser is shown for a page that does not exist (the API keeps its JSON answer). */
export const notFoundPage = () => page(
  <Layout title="Không có trang này">
    <section class="card"><h1>Không có trang này</h1><p>Trang bạn mở không có (hoặc chưa được làm). <a href="/">Về trang đầu</a>.</p></section>
  </Layout>,
);
