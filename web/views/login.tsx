import { Layout } from './layout.js';

export function LoginPage({ error }: { error?: string }) {
  return (
    <Layout title="Đăng nhập">
      <form method="post" action="/login" class="card login">
        <h1>Đăng nhập</h1>
        {error && <p class="error" role="alert">{error}</p>}
        <label>
          Tên đăng nhập
          <input name="username" autocomplete="username" required />
        </label>
        <label>
          Mật khẩu
          <input name="password" type="password" autocomplete="current-password" required />
        </label>
        <button type="submit">Đăng nhập</button>
      </form>
    </Layout>
  );
}
