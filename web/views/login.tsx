import { Layout } from './layout.js';

/** The login form; on a first start with no user, how to create the admin instead of a form that cannot work. */
export function LoginPage({ error, username, noUsers }: { error?: string; username?: string; noUsers?: boolean }) {
  if (noUsers) {
    return (
      <Layout title="Chưa có tài khoản">
        <section class="card login">
          <h1>Chưa có tài khoản nào</h1>
          <p>Máy chủ chưa có người dùng nào nên chưa thể đăng nhập. Dừng máy chủ rồi khởi động lại, đặt mật khẩu cho tài khoản quản trị <code>admin</code>:</p>
          <pre><code>LOALANG_ADMIN_PASSWORD='một mật khẩu dài' npm start</code></pre>
          <p>Sau đó đăng nhập với tên <code>admin</code> và mật khẩu vừa đặt, rồi tạo tài khoản cho cán bộ văn hoá, lãnh đạo duyệt và kỹ thuật viên.</p>
        </section>
      </Layout>
    );
  }
  return (
    <Layout title="Đăng nhập">
      <form method="post" action="/login" class="card login">
        <h1>Đăng nhập</h1>
        {error && <p class="form-error" role="alert">{error}</p>}
        <label>
          <span class="label">Tên đăng nhập</span>
          <input name="username" autocomplete="username" autocapitalize="none" value={username} required autofocus />
        </label>
        <label>
          <span class="label">Mật khẩu</span>
          <input name="password" type="password" autocomplete="current-password" required />
        </label>
        <button type="submit">Đăng nhập</button>
      </form>
    </Layout>
  );
}
