import { ROLE_LABELS, ROLES, type Role } from '../../server/auth/permissions.js';
import type { UserView } from '../../server/auth/service.js';
import { formatDate } from '../format.js';
import { Field, FormError, type Errors } from './components.js';
import { Layout, type Viewer } from './layout.js';

const RoleOptions = ({ selected }: { selected?: Role }) => <>{ROLES.map((r) => <option value={r} selected={r === selected}>{ROLE_LABELS[r]}</option>)}</>;

export interface NewUserValues { username?: string; displayName?: string; role?: Role }

export function NewUserForm({ values = {}, errors, created }: { values?: NewUserValues; errors?: Errors; created?: string }) {
  return (
    <form id="new-user" class="stack" hx-post="/nguoi-dung" hx-swap="outerHTML">
      {created && <p class="ok" role="status">Đã tạo tài khoản {created}.</p>}
      <FormError errors={errors} />
      <div class="grid2">
        <Field label="Tên đăng nhập" name="username" errors={errors} hint="3–32 ký tự: chữ thường không dấu, số, dấu chấm, gạch dưới, gạch ngang.">
          <input name="username" value={values.username} required autocapitalize="none" autocomplete="off" pattern="[a-z0-9._\-]{3,32}" />
        </Field>
        <Field label="Họ tên hiển thị" name="displayName" errors={errors}><input name="displayName" value={values.displayName} maxlength={100} placeholder="Nguyễn Thị Lan" /></Field>
        <Field label="Vai trò" name="role" errors={errors}><select name="role"><RoleOptions selected={values.role ?? 'editor'} /></select></Field>
        <Field label="Mật khẩu" name="password" errors={errors} hint="Ít nhất 8 ký tự; không dùng mật khẩu phổ biến.">
          <input name="password" type="password" required minlength={8} autocomplete="new-password" />
        </Field>
      </div>
      <button type="submit">Tạo tài khoản</button>
    </form>
  );
}

export function UserRow({ u, tz, errors, saved, self }: { u: UserView; tz: string; errors?: Errors; saved?: string; self: boolean }) {
  const post = { 'hx-post': `/nguoi-dung/${u.id}`, 'hx-target': 'closest li', 'hx-swap': 'outerHTML' };
  return (
    <li class="user" data-user={u.username} data-disabled={u.disabled ? 'yes' : 'no'}>
      <div class="user-head">
        <strong>{u.displayName ?? u.username}</strong>
        <span class="muted"><code>{u.username}</code> · <span data-field="role">{ROLE_LABELS[u.role]}</span> · từ {formatDate(u.createdAt, tz)}</span>
        {u.disabled && <span class="badge off">Đã khoá</span>}
      </div>
      {saved && <p class="ok" role="status">{saved}</p>}
      <FormError errors={errors} />
      <details open={!!errors}>
        <summary>Sửa tài khoản {u.username}</summary>
        <div class="user-forms">
          <form class="row wrap" {...post}>
            <Field label="Họ tên hiển thị" name="displayName" errors={errors}><input name="displayName" value={u.displayName ?? ''} maxlength={100} /></Field>
            <Field label="Vai trò" name="role" errors={errors}><select name="role"><RoleOptions selected={u.role} /></select></Field>
            <input type="hidden" name="do" value="update" />
            <button type="submit">Lưu</button>
          </form>
          <form class="row wrap" {...post}>
            <Field label={`Mật khẩu mới cho ${u.username}`} name="password" errors={errors}>
              <input name="password" type="password" minlength={8} required autocomplete="new-password" />
            </Field>
            <input type="hidden" name="do" value="password" />
            <button type="submit" class="secondary" data-action="reset-password">Đặt lại mật khẩu</button>
          </form>
          {!self && (
            <form {...post} hx-confirm={u.disabled ? `Mở khoá ${u.username}?` : `Khoá ${u.username}? Người này bị đăng xuất ngay.`}>
              <input type="hidden" name="do" value={u.disabled ? 'enable' : 'disable'} />
              <button type="submit" class={u.disabled ? 'secondary' : 'danger'}>{u.disabled ? 'Mở khoá tài khoản' : 'Khoá tài khoản'}</button>
            </form>
          )}
        </div>
      </details>
    </li>
  );
}

export function UsersPage({ viewer, users, tz, selfId }: { viewer: Viewer; users: UserView[]; tz: string; selfId: string }) {
  return (
    <Layout title="Người dùng" viewer={viewer} section="/nguoi-dung">
      <h1>Người dùng</h1>
      <section class="card">
        <h2>Tạo tài khoản</h2>
        <NewUserForm />
      </section>
      <section class="card">
        <h2>Các tài khoản</h2>
        <ul id="users" class="users" hx-get="/nguoi-dung" hx-select="#users" hx-disinherit="*" hx-swap="outerHTML" hx-trigger="user-created from:body">
          {users.map((u) => <UserRow u={u} tz={tz} self={u.id === selfId} />)}
        </ul>
      </section>
    </Layout>
  );
}
