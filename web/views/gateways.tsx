import { DEVICE_FLAGS, type DeviceFlag, type DeviceView } from '../../server/devices/service.js';
import type { Zone } from '../../server/zones/service.js';
import { Empty, Field, FormError, type Errors } from './components.js';
import { DeviceRow, FLAG_LABELS } from './device-row.js';
import { Layout, type Viewer } from './layout.js';

export interface GatewaysData {
  viewer: Viewer;
  zones: Zone[];
  devices: DeviceView[];
  /** How many gateways have each problem (the filter chips say it). */
  counts: Record<DeviceFlag, number>;
  filter: DeviceFlag | null;
  total: number;
  now: number;
  hasMap: boolean;
}

export function GatewayList({ data }: { data: GatewaysData }) {
  const zoneName = new Map(data.zones.map((z) => [z.id, z.name]));
  const url = `/cum-loa${data.filter ? `?loc=${data.filter}` : ''}`;
  return (
    <div id="fleet" hx-get={url} hx-select="#fleet" hx-disinherit="*" hx-swap="outerHTML" hx-trigger="sse:devices-changed, live-restored from:body">
      <nav class="chips" aria-label="Lọc cụm loa">
        <a href="/cum-loa" aria-current={data.filter ? undefined : 'page'}>Tất cả ({data.total})</a>
        {DEVICE_FLAGS.map((f) => <a href={`/cum-loa?loc=${f}`} aria-current={data.filter === f ? 'page' : undefined}>{FLAG_LABELS[f]} ({data.counts[f]})</a>)}
      </nav>
      {data.devices.length
        ? <ul class="devices">{data.devices.map((d) => <DeviceRow d={d} zoneName={zoneName.get(d.zoneId) ?? d.zoneId} now={data.now} />)}</ul>
        : <Empty>{data.filter ? `Không có cụm loa nào đang "${FLAG_LABELS[data.filter].toLowerCase()}".` : 'Chưa có cụm loa nào.'}</Empty>}
    </div>
  );
}

export const ZoneOptions = ({ zones, selected }: { zones: Zone[]; selected?: string }) => (
  <>{zones.map((z) => <option value={z.id} selected={z.id === selected}>{z.name}</option>)}</>
);

export interface GatewayFormValues { name?: string; id?: string; zoneId?: string; lat?: string; lon?: string; test?: boolean }

export function AddGatewayForm({ zones, values = {}, errors }: { zones: Zone[]; values?: GatewayFormValues; errors?: Errors }) {
  if (!zones.length) return <Empty>Tạo ít nhất một <a href="/thon">thôn</a> trước khi thêm cụm loa.</Empty>;
  return (
    <form id="add-gateway" class="stack" hx-post="/cum-loa" hx-swap="outerHTML">
      <FormError errors={errors} />
      <div class="grid2">
        <Field label="Tên cụm loa" name="name" errors={errors}><input name="name" value={values.name} required maxlength={100} placeholder="Cụm loa nhà văn hoá thôn Đông" /></Field>
        <Field label="Thôn" name="zoneId" errors={errors}><select name="zoneId" required><ZoneOptions zones={zones} selected={values.zoneId} /></select></Field>
        <Field label="Mã cụm loa (không bắt buộc)" name="id" errors={errors} hint="Chữ thường không dấu, số, dấu gạch ngang; để trống thì máy chủ tự đặt.">
          <input name="id" value={values.id} pattern="[a-z0-9][a-z0-9\-]{2,63}" autocapitalize="none" placeholder="thon-dong-1" />
        </Field>
        <Field label="Vĩ độ (không bắt buộc)" name="lat" errors={errors}><input name="lat" value={values.lat} inputmode="decimal" placeholder="21.0285" /></Field>
        <Field label="Kinh độ (không bắt buộc)" name="lon" errors={errors}><input name="lon" value={values.lon} inputmode="decimal" placeholder="105.8542" /></Field>
      </div>
      <label class="check"><input type="checkbox" name="test" value="1" checked={values.test} /> Cụm loa thử nghiệm (chỉ nhận tin diễn tập)</label>
      <button type="submit">Thêm cụm loa</button>
    </form>
  );
}

/** The secret, once: the gateway's whole config to download, and the one command that starts it with it. */
export function SecretPanel({ device, secret, server, rotated }: { device: { id: string; name: string }; secret: string; server: string; rotated?: boolean }) {
  const config = JSON.stringify({ server, id: device.id, secret }, null, 2);
  return (
    <section id="add-gateway" class="card secret" data-device-id={device.id} role="status">
      <h3>{rotated ? 'Mã bí mật mới' : 'Đã thêm'} {device.name}</h3>
      <p><strong>Mã bí mật chỉ hiện một lần này.</strong> Tải tệp cấu hình về và chép sang cụm loa ngay{rotated ? '; mã cũ đã hết hiệu lực' : ''}.</p>
      <p class="secret-value">Mã bí mật: <code data-field="secret">{secret}</code></p>
      <p><a class="button" download="gateway.json" href={`data:application/json;charset=utf-8,${encodeURIComponent(config + '\n')}`} data-action="download-config">Tải gateway.json</a></p>
      <p>Trên cụm loa, trong thư mục Loa Làng, chạy:</p>
      <pre><code data-field="install">npm run gateway -- --config gateway.json</code></pre>
      <p class="muted">Cài thành dịch vụ tự khởi động: xem hướng dẫn “Installing a hamlet gateway” (docs/gateway.md).</p>
      {!rotated && <p><a href="/cum-loa" hx-boost="true">Thêm cụm loa khác</a></p>}
    </section>
  );
}

export function GatewaysPage({ data }: { data: GatewaysData }) {
  const manage = data.viewer.can.includes('devices.manage');
  return (
    <Layout title="Cụm loa" viewer={data.viewer} section="/cum-loa">
      <h1>Cụm loa</h1>
      {data.hasMap && <p><a href="/cum-loa/ban-do">Xem trên bản đồ</a></p>}
      <GatewayList data={data} />
      {manage && (
        <section class="card" id="them">
          <h2>Thêm cụm loa</h2>
          <AddGatewayForm zones={data.zones} />
        </section>
      )}
    </Layout>
  );
}
