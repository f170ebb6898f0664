import { Layout } from './layout.js';

export interface DashboardDevice {
  id: string;
  name: string;
  zoneId: string;
  online: boolean;
  lastSeenAt: number | null;
  manifestVersion: number;
  appliedVersion: number;
  playing: { title: string } | null;
}
export interface DashboardData {
  communeName: string;
  timeZone: string;
  user: { displayName: string | null; username: string };
  /** What the user may do (from the permission table): the panel shows only that. */
  can: string[];
  zones: { id: string; name: string; quietStart: string; quietEnd: string }[];
  devices: DashboardDevice[];
}

export const formatTime = (ms: number | null, timeZone: string) =>
  ms === null ? 'chưa kết nối' : new Intl.DateTimeFormat('vi-VN', { timeZone, dateStyle: 'short', timeStyle: 'medium' }).format(ms);

/** One gateway row; panel.js re-renders the same cells from SSE `device` events. */
export function DeviceRow({ d, timeZone }: { d: DashboardDevice; timeZone: string }) {
  return (
    <tr data-device-id={d.id}>
      <td>
        <strong>{d.name}</strong>
        <br />
        <code>{d.id}</code>
      </td>
      <td data-field="status">
        <span class={d.online ? 'badge on' : 'badge off'}>{d.online ? 'Trực tuyến' : 'Mất kết nối'}</span>
      </td>
      <td data-field="lastSeen" data-ms={d.lastSeenAt ?? ''}>{formatTime(d.lastSeenAt, timeZone)}</td>
      <td data-field="version">
        {d.appliedVersion} / {d.manifestVersion}
      </td>
      <td data-field="playing">{d.playing ? `▶ ${d.playing.title}` : '—'}</td>
    </tr>
  );
}

export function DashboardPage({ data }: { data: DashboardData }) {
  const online = data.devices.filter((d) => d.online).length;
  return (
    <Layout title="Tổng quan" user={data.user} can={data.can}>
      <h1>{data.communeName}</h1>
      <p class="summary" data-tz={data.timeZone}>
        <span id="online-count">{online}</span> / {data.devices.length} cụm loa trực tuyến
      </p>
      {data.zones.length === 0 && <p>Chưa có thôn nào. Tạo thôn và cụm loa qua API hoặc chạy <code>npm run demo</code>.</p>}
      {data.zones.map((z) => (
        <section class="card zone" data-zone-id={z.id}>
          <h2>{z.name}</h2>
          <p class="muted">Giờ yên tĩnh {z.quietStart}–{z.quietEnd}</p>
          <table>
            <thead>
              <tr>
                <th>Cụm loa</th>
                <th>Trạng thái</th>
                <th>Lần cuối thấy</th>
                <th>Lịch đã áp dụng / đã gửi</th>
                <th>Đang phát</th>
              </tr>
            </thead>
            <tbody>
              {data.devices.filter((d) => d.zoneId === z.id).map((d) => <DeviceRow d={d} timeZone={data.timeZone} />)}
            </tbody>
          </table>
        </section>
      ))}
      <script type="module" src="/static/panel.js"></script>
    </Layout>
  );
}
