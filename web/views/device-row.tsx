import type { DeviceFlag, DeviceView } from '../../server/devices/service.js';
import { formatSpan } from '../format.js';
import { Ago } from './components.js';

export const FLAG_LABELS: Record<DeviceFlag, string> = {
  offline: 'Mất kết nối',
  'out-of-sync': 'Chưa nhận lịch mới',
  'clock-skew': 'Lệch giờ',
  'disk-low': 'Sắp đầy bộ nhớ',
  'version-mismatch': 'Sai phiên bản lịch',
};

/** Whether the gateway holds the schedule the server last sent it, said as a technician says it. */
export function syncText(d: DeviceView, now: number): string {
  if (d.manifestVersion === 0) return 'Chưa có lịch nào';
  if (d.appliedVersion >= d.manifestVersion) return 'Đã nhận lịch mới nhất';
  return `Chưa nhận lịch mới — ${formatSpan(now - (d.lagSince ?? now))}`;
}

export const clockText = (ms: number) => `${Math.abs(ms) < 1000 ? `${Math.round(Math.abs(ms))} ms` : `${(Math.abs(ms) / 1000).toFixed(1).replace('.', ',')} giây`} ${ms > 0 ? 'nhanh' : 'chậm'}`;

export interface DeviceRowProps {
  d: DeviceView;
  zoneName: string;
  now: number;
}

/**
 * One gateway: the only function that draws one. Pages list it; the live stream (/p/live) sends the
 * same element again whenever the gateway changes, and htmx swaps it in place.
 */
export function DeviceRow({ d, zoneName, now }: DeviceRowProps) {
  const t = d.telemetry;
  const problems = d.flags.filter((f) => f !== 'offline' && f !== 'out-of-sync');
  return (
    <li class="device" data-device-id={d.id} data-online={d.online ? 'yes' : 'no'} sse-swap={`dev-${d.id}`} hx-swap="outerHTML">
      <div class="device-name">
        <a href={`/cum-loa/${d.id}`}><strong>{d.name}</strong></a>
        <small class="muted">{zoneName} · <code>{d.id}</code>{d.test ? ' · thử nghiệm' : ''}</small>
      </div>
      <div class="device-state">
        <span data-field="status"><span class={d.online ? 'badge on' : 'badge off'}>{d.online ? 'Trực tuyến' : 'Mất kết nối'}</span></span>
        <span class="muted">Lần cuối thấy <span data-field="lastSeen"><Ago ms={d.lastSeenAt} now={now} never="chưa kết nối" /></span></span>
      </div>
      <div class="device-sync" data-field="sync" data-synced={d.flags.includes('out-of-sync') ? 'no' : 'yes'}>{syncText(d, now)}</div>
      <div class="device-playing" data-field="playing">{d.playing ? `▶ ${d.playing.title}` : '—'}</div>
      <div class="device-meta muted">
        {t ? `Âm lượng ${t.volume}%` : 'Chưa có số liệu'}
        {d.agentVersion ? ` · phiên bản ${d.agentVersion}` : ''}
        {t?.clockOffsetMs !== undefined ? ` · đồng hồ ${clockText(t.clockOffsetMs)}` : ''}
        {t ? ` · còn ${Math.round(t.diskFreeMb)} MB` : ''}
        {problems.map((f) => <span class="chip warn">{FLAG_LABELS[f]}</span>)}
      </div>
    </li>
  );
}
