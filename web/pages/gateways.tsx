import { Hono, type Context } from 'hono';
import { can } from '../../server/auth/permissions.js';
import { DEVICE_FLAGS, type DeviceFlag } from '../../server/devices/service.js';
import { formOf, need, type PanelDeps, type PanelEnv } from '../context.js';
import { explain, fieldErrors } from '../errors.js';
import { page } from '../html.js';
import { AsRunLog, CommandsList, EditGatewayForm, GatewayPage } from '../views/gateway.js';
import { AddGatewayForm, GatewaysPage, SecretPanel, type GatewayFormValues } from '../views/gateways.js';
import { MapPage } from '../views/map.js';

const GATEWAY_FIELDS = {
  name: 'Nhập tên cụm loa (tối đa 100 ký tự).',
  id: 'Mã chỉ gồm chữ thường không dấu, số và dấu gạch ngang, 3–64 ký tự.',
  zoneId: 'Chọn thôn.',
  lat: 'Vĩ độ là số từ -90 đến 90, ví dụ 21.0285.',
  lon: 'Kinh độ là số từ -180 đến 180, ví dụ 105.8542.',
};
const CODE_FIELDS = { device_exists: 'id', invalid_device_id: 'id', unknown_zone: 'zoneId' };

/** A coordinate as typed (with a comma or a dot), or what the API will refuse as not a number. */
const coordinate = (s: string) => (s === '' ? undefined : Number(s.replace(',', '.')));

/** Gateways: the list with its filters, one gateway's page, and what a technician or admin does to them. */
export function gatewayPages(d: PanelDeps) {
  const titles = () => new Map(d.programs.list().map((p) => [p.id, p.title]));
  const playlogs = (id: string) => d.playlogs.list({ deviceId: id, limit: 50 });
  const commandsOf = (c: Context, id: string, error?: string) =>
    <CommandsList deviceId={id} commands={d.commands.list(id)} tz={d.timeZone} now={d.now()} error={error} />;

  return new Hono<PanelEnv>()
    .get('/cum-loa', need('devices.view'), (c) => {
      const q = c.req.query('loc');
      const filter = (DEVICE_FLAGS as readonly string[]).includes(q ?? '') ? (q as DeviceFlag) : null;
      const all = d.devices.list();
      const counts = Object.fromEntries(DEVICE_FLAGS.map((f) => [f, all.filter((x) => x.flags.includes(f)).length])) as Record<DeviceFlag, number>;
      return c.html(page(<GatewaysPage data={{
        viewer: c.get('viewer'), zones: d.zones.list(), devices: filter ? all.filter((x) => x.flags.includes(filter)) : all, counts, filter,
        total: all.length, now: d.now(), hasMap: all.some((x) => x.lat !== null),
      }} />));
    })
    .get('/cum-loa/ban-do', need('devices.view'), (c) =>
      c.html(page(<MapPage viewer={c.get('viewer')} devices={d.devices.list()} zones={d.zones.list()} tileUrl={d.mapTileUrl} now={d.now()} />)))
    .post('/cum-loa', need('devices.manage'), async (c) => {
      const f = await formOf(c);
      const values: GatewayFormValues = { name: f.one('name'), id: f.one('id'), zoneId: f.one('zoneId'), lat: f.one('lat'), lon: f.one('lon'), test: f.has('test') };
      const r = await d.api<{ device: { id: string; name: string; secret: string } }>(c, '/api/devices', { method: 'POST', json: {
        name: values.name, zoneId: values.zoneId, ...(values.id ? { id: values.id } : {}),
        lat: coordinate(values.lat!), lon: coordinate(values.lon!), ...(values.test ? { test: true } : {}),
      } });
      if (!r.ok) return c.html(<AddGatewayForm zones={d.zones.list()} values={values} errors={fieldErrors(r.error, GATEWAY_FIELDS, CODE_FIELDS)} />);
      return c.html(<SecretPanel device={r.body.device} secret={r.body.device.secret} server={new URL(c.req.url).origin} />, 201);
    })
    .get('/cum-loa/:id', need('devices.view'), (c) => {
      const id = c.req.param('id');
      let device;
      try {
        device = d.devices.get(id);
      } catch {
        return c.notFound();
      }
      const role = c.get('user').role;
      return c.html(page(<GatewayPage data={{
        viewer: c.get('viewer'), d: device, zones: d.zones.list(), commands: d.commands.list(id),
        logs: can(role, 'devices.playlogs') ? playlogs(id) : null, titles: titles(), tz: d.timeZone, now: d.now(),
      }} />));
    })
    .get('/cum-loa/:id/lenh', need('devices.view'), (c) => c.html(commandsOf(c, c.req.param('id'))))
    .post('/cum-loa/:id/lenh', need('devices.command'), async (c) => {
      const id = c.req.param('id');
      const f = await formOf(c);
      const type = f.one('type');
      const r = await d.api(c, `/api/devices/${encodeURIComponent(id)}/commands`, { method: 'POST', json: {
        type, ...(type === 'set-volume' ? { volume: Number(f.one('volume')) } : {}),
      } });
      return c.html(commandsOf(c, id, r.ok ? undefined : r.error.code === 'invalid_request' ? 'Âm lượng là số từ 0 đến 100.' : explain(r.error)));
    })
    .get('/cum-loa/:id/nhat-ky', need('devices.playlogs'), (c) =>
      c.html(<AsRunLog deviceId={c.req.param('id')} logs={playlogs(c.req.param('id'))} titles={titles()} tz={d.timeZone} />))
    .post('/cum-loa/:id/sua', need('devices.manage'), async (c) => {
      const id = c.req.param('id');
      const f = await formOf(c);
      const r = await d.api(c, `/api/devices/${encodeURIComponent(id)}`, { method: 'PATCH', json: {
        name: f.one('name'), zoneId: f.one('zoneId'), lat: coordinate(f.one('lat')) ?? null, lon: coordinate(f.one('lon')) ?? null,
      } });
      if (r.ok) return c.body(null, 200, { 'HX-Refresh': 'true' });
      return c.html(<EditGatewayForm d={d.devices.get(id)} zones={d.zones.list()} errors={fieldErrors(r.error, GATEWAY_FIELDS, CODE_FIELDS)} />);
    })
    .post('/cum-loa/:id/ma-moi', need('devices.manage'), async (c) => {
      const id = c.req.param('id');
      const r = await d.api<{ device: { id: string; secret: string } }>(c, `/api/devices/${encodeURIComponent(id)}/rotate-secret`, { method: 'POST' });
      if (!r.ok) return c.html(<p id="add-gateway" class="form-error" role="alert">{explain(r.error)}</p>);
      return c.html(<SecretPanel device={{ id, name: d.devices.get(id).name }} secret={r.body.device.secret} server={new URL(c.req.url).origin} rotated />);
    })
    .post('/cum-loa/:id/xoa', need('devices.manage'), async (c) => {
      const r = await d.api(c, `/api/devices/${encodeURIComponent(c.req.param('id'))}`, { method: 'DELETE' });
      if (!r.ok) return c.html(<p class="form-error" role="alert">{explain(r.error)}</p>);
      return c.body(null, 200, { 'HX-Redirect': '/cum-loa' });
    });
}
