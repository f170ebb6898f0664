import { Hono, type Context } from 'hono';
import { can, ROLES, type Role } from '../../server/auth/permissions.js';
import { formOf, need, type PanelDeps, type PanelEnv } from '../context.js';
import { fieldErrors } from '../errors.js';
import { page } from '../html.js';
import { HamletsPage, NewZoneForm, ZoneRow, type ZoneRowData, type ZoneValues } from '../views/hamlets.js';
import { NewUserForm, UserRow, UsersPage } from '../views/users.js';

const USER_FIELDS = {
  username: 'Tên đăng nhập gồm 3–32 ký tự: chữ thường không dấu, số, dấu chấm, gạch dưới, gạch ngang.',
  password: 'Mật khẩu cần ít nhất 8 ký tự.',
  role: 'Chọn vai trò.',
  displayName: 'Họ tên tối đa 100 ký tự.',
};
const USER_CODES = { username_taken: 'username', weak_password: 'password' };
const ZONE_FIELDS = { name: 'Nhập tên thôn (tối đa 100 ký tự).', quietStart: 'Giờ dạng HH:MM, ví dụ 22:00.', quietEnd: 'Giờ dạng HH:MM, ví dụ 05:30.' };

async function zoneValues(c: Context): Promise<ZoneValues> {
  const f = await formOf(c);
  return { name: f.one('name'), quietStart: f.one('quietStart'), quietEnd: f.one('quietEnd'), noQuiet: f.has('noQuiet') };
}
// Equal start and end mean no quiet hours (the API's convention).
const zoneBody = (v: ZoneValues) => ({ name: v.name, ...(v.noQuiet ? { quietStart: '00:00', quietEnd: '00:00' } : { quietStart: v.quietStart, quietEnd: v.quietEnd }) });

/** The commune's set-up: users (admin) and hamlets. */
export function adminPages(d: PanelDeps) {
  const zoneRow = (id: string): ZoneRowData => ({
    z: d.zones.get(id), devices: d.devices.idsInZones([id]).length, schedules: d.schedules.targeting(id),
  });
  const zoneRowProps = (c: Context<PanelEnv>) => ({ canEdit: can(c.get('user').role, 'zones.edit'), canDelete: can(c.get('user').role, 'zones.delete') });

  return new Hono<PanelEnv>()
    .get('/nguoi-dung', need('users.manage'), (c) =>
      c.html(page(<UsersPage viewer={c.get('viewer')} users={d.auth.listUsers()} tz={d.timeZone} selfId={c.get('user').id} />)))
    .post('/nguoi-dung', need('users.manage'), async (c) => {
      const f = await formOf(c);
      const values = { username: f.one('username'), displayName: f.one('displayName'), role: f.one('role') as Role };
      const r = await d.api(c, '/api/users', { method: 'POST', json: {
        ...values, displayName: values.displayName || undefined, role: ROLES.includes(values.role) ? values.role : undefined, password: f.one('password'),
      } });
      if (!r.ok) return c.html(<NewUserForm values={values} errors={fieldErrors(r.error, USER_FIELDS, USER_CODES)} />);
      return c.html(<NewUserForm created={values.username} />, 201, { 'HX-Trigger': 'user-created' });
    })
    .post('/nguoi-dung/:id', need('users.manage'), async (c) => {
      const id = c.req.param('id');
      const f = await formOf(c);
      const action = f.one('do');
      const path = `/api/users/${encodeURIComponent(id)}`;
      const r = action === 'password'
        ? await d.api(c, `${path}/password`, { method: 'POST', json: { password: f.one('password') } })
        : await d.api(c, path, { method: 'PATCH', json: action === 'update'
          ? { displayName: f.one('displayName') || null, role: f.one('role') }
          : { disabled: action === 'disable' } });
      const saved = { update: 'Đã lưu.', password: 'Đã đặt mật khẩu mới; người này phải đăng nhập lại.', disable: 'Đã khoá; người này đã bị đăng xuất.', enable: 'Đã mở khoá.' }[action];
      const u = d.auth.getUser(id);
      return c.html(<UserRow u={u} tz={d.timeZone} self={u.id === c.get('user').id}
        errors={r.ok ? undefined : fieldErrors(r.error, USER_FIELDS, USER_CODES)} saved={r.ok ? saved : undefined} />);
    })
    .get('/thon', need('zones.view'), (c) =>
      c.html(page(<HamletsPage viewer={c.get('viewer')} rows={d.zones.list().map((z) => zoneRow(z.id))} />)))
    .post('/thon', need('zones.edit'), async (c) => {
      const values = await zoneValues(c);
      const r = await d.api<{ zone: { name: string } }>(c, '/api/zones', { method: 'POST', json: zoneBody(values) });
      if (!r.ok) return c.html(<NewZoneForm values={values} errors={fieldErrors(r.error, ZONE_FIELDS)} />);
      return c.html(<NewZoneForm created={r.body.zone.name} />, 201, { 'HX-Trigger': 'zone-created' });
    })
    .post('/thon/:id', need('zones.edit'), async (c) => {
      const id = c.req.param('id');
      const r = await d.api(c, `/api/zones/${encodeURIComponent(id)}`, { method: 'PATCH', json: zoneBody(await zoneValues(c)) });
      return c.html(<ZoneRow row={zoneRow(id)} {...zoneRowProps(c)} errors={r.ok ? undefined : fieldErrors(r.error, ZONE_FIELDS)} saved={r.ok ? 'Đã lưu.' : undefined} />);
    })
    .post('/thon/:id/xoa', need('zones.delete'), async (c) => {
      const id = c.req.param('id');
      const f = await formOf(c);
      const r = await d.api(c, `/api/zones/${encodeURIComponent(id)}${f.one('withSchedules') === 'true' ? '?withSchedules=true' : ''}`, { method: 'DELETE' });
      if (r.ok) return c.body(null, 200, { 'HX-Trigger': 'zone-created' });
      return c.html(<ZoneRow row={zoneRow(id)} {...zoneRowProps(c)} errors={fieldErrors(r.error)} confirmRelease={r.error.code === 'zone_has_schedules'} />);
    });
}
