import type { DeviceView } from '../../server/devices/service.js';
import type { IncidentRow } from '../../server/plays/incidents.js';
import { REASON_LABELS } from '../../server/reports/summary.js';
import { formatDateTime } from '../format.js';
import type { Zone } from '../../server/zones/service.js';
import { Ago, Empty } from './components.js';
import { DeviceRow } from './device-row.js';
import { Layout, type Viewer } from './layout.js';

export interface DashboardData {
  communeName: string;
  viewer: Viewer;
  zones: Zone[];
  devices: DeviceView[];
  now: number;
  /** Open incidents (missed plays grouped per gateway and reason), for those who may read plays. */
  incidents?: IncidentRow[];
  timeZone: string;
}

/** Missed plays, grouped: one line per gateway and reason while it lasts, however many plays it cost. */
export function IncidentsCard({ incidents, devices, now, tz }: { incidents: IncidentRow[]; devices: DeviceView[]; now: number; tz: string }) {
  const names = new Map(devices.map((d) => [d.id, d.name]));
  return (
    <section class="card incidents" id="incidents">
      <h2>Sự cố: lượt phát bị lỡ</h2>
      {incidents.length === 0 ? <Empty>Không có sự cố nào đang mở: mọi lượt phát gần đây đều đã phát.</Empty> : (
        <ul class="log">
          {incidents.map((i) => (
            <li class="incident" data-device-id={i.deviceId} data-reason={i.reasonKind}>
              <strong><a href={`/cum-loa/${i.deviceId}`}>{names.get(i.deviceId) ?? i.deviceId}</a></strong>
              {`: ${i.count} lượt bị lỡ — ${REASON_LABELS[i.reasonKind] ?? i.reason}. `}
              <span class="muted">{`Từ ${formatDateTime(i.firstAt, tz)}, gần nhất `}<Ago ms={i.lastAt} now={now} />.</span>
            </li>
          ))}
        </ul>
      )}
      <p><a href="/bao-cao">Xem báo cáo phát theo kế hoạch</a></p>
    </section>
  );
}

/** Hamlets and their gateways, live: rows are swapped in by the live stream as gateways report. */
export function FleetByHamlet({ zones, devices, now, url }: { zones: Zone[]; devices: DeviceView[]; now: number; url: string }) {
  return (
    <div id="fleet" hx-get={url} hx-select="#fleet" hx-disinherit="*" hx-swap="outerHTML" hx-trigger="sse:devices-changed, live-restored from:body">
      {zones.map((z) => {
        const mine = devices.filter((d) => d.zoneId === z.id);
        return (
          <section class="card zone" data-zone-id={z.id}>
            <h2>{z.name}</h2>
            <p class="muted">{z.quietStart === z.quietEnd ? 'Không có giờ yên tĩnh' : `Giờ yên tĩnh ${z.quietStart}–${z.quietEnd}`} · {mine.length} cụm loa</p>
            {mine.length ? <ul class="devices">{mine.map((d) => <DeviceRow d={d} zoneName={z.name} now={now} />)}</ul> : <Empty>Thôn này chưa có cụm loa.</Empty>}
          </section>
        );
      })}
    </div>
  );
}

export function DashboardPage({ data }: { data: DashboardData }) {
  const online = data.devices.filter((d) => d.online).length;
  const can = (a: string) => data.viewer.can.includes(a as never);
  return (
    <Layout title="Tổng quan" viewer={data.viewer} section="/">
      <h1>{data.communeName}</h1>
      <p class="summary">
        <strong><span id="online-count" sse-swap="summary">{online}</span> / {data.devices.length}</strong> cụm loa trực tuyến
        {' · '}<a href="/cum-loa?loc=offline">xem cụm loa mất kết nối</a>
      </p>
      {data.zones.length === 0 && (
        <section class="card">
          <h2>Bắt đầu</h2>
          {can('zones.edit') ? (
            <ol>
              <li><a href="/thon">Tạo các thôn, tổ dân phố</a> và giờ yên tĩnh của từng nơi.</li>
              {can('devices.manage') && <li><a href="/cum-loa#them">Thêm cụm loa</a> cho mỗi thôn và cài đặt bằng tệp <code>gateway.json</code>.</li>}
              {can('users.manage') && <li><a href="/nguoi-dung">Tạo tài khoản</a> cho cán bộ văn hoá, lãnh đạo duyệt và kỹ thuật viên.</li>}
            </ol>
          ) : <Empty>Chưa có thôn nào. Quản trị viên cần tạo thôn và cụm loa trước.</Empty>}
        </section>
      )}
      {data.incidents && <IncidentsCard incidents={data.incidents} devices={data.devices} now={data.now} tz={data.timeZone} />}
      <FleetByHamlet zones={data.zones} devices={data.devices} now={data.now} url="/" />
    </Layout>
  );
}
