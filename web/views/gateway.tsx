import type { CommandRow } from '../../server/commands/service.js';
import type { DeviceView } from '../../server/devices/service.js';
import type { Playlog } from '../../server/playlogs/service.js';
import type { Zone } from '../../server/zones/service.js';
import { formatDateTime } from '../format.js';
import { Ago, Empty, Field, FormError, type Errors } from './components.js';
import { DeviceRow } from './device-row.js';
import { ZoneOptions } from './gateways.js';
import { Layout, type Viewer } from './layout.js';

const COMMAND_NAMES: Record<string, string> = {
  'set-volume': 'Đặt âm lượng', stop: 'Dừng phát', resync: 'Nhận lại lịch', 'reboot-agent': 'Khởi động lại phần mềm', 'play-now': 'Phát ngay',
};
const RESULT_NAMES: Record<CommandRow['result'], string> = { sent: 'Đã gửi, chờ cụm loa trả lời', done: 'Cụm loa đã thực hiện', rejected: 'Cụm loa từ chối', failed: 'Cụm loa báo lỗi' };
export const PLAY_RESULT_NAMES: Record<string, string> = { completed: 'Đã phát hết', interrupted: 'Bị ngắt giữa chừng', failed: 'Lỗi khi phát', missed: 'Bỏ lỡ', cancelled: 'Đã huỷ' };

export function CommandsList({ deviceId, commands, tz, now, error }: { deviceId: string; commands: CommandRow[]; tz: string; now: number; error?: string }) {
  // An answer can come between this list being rendered and being swapped in, and its signal is then
  // lost with the old list: while a command waits, the list also looks again by itself.
  const waiting = commands.some((cm) => cm.result === 'sent' && cm.expiresAt > now);
  return (
    <div id="commands" hx-disinherit="*" hx-get={`/cum-loa/${deviceId}/lenh`} hx-swap="outerHTML"
      hx-trigger={`sse:commands-${deviceId}, live-restored from:body${waiting ? ', load delay:1500ms' : ''}`}>
      {error && <p class="form-error" role="alert">{error}</p>}
      {commands.length === 0 ? <Empty>Chưa gửi lệnh nào.</Empty> : (
        <ul class="log">
          {commands.slice(0, 10).map((cm) => {
            // The stored envelope holds the signed payload as the exact JSON text that was signed.
            const p = JSON.parse(JSON.parse(cm.payload).payload) as { volume?: number };
            const expired = cm.result === 'sent' && cm.expiresAt < now;
            return (
              <li data-seq={cm.seq} data-result={expired ? 'expired' : cm.result}>
                <strong>{COMMAND_NAMES[cm.type] ?? cm.type}{p.volume !== undefined ? ` ${p.volume}%` : ''}</strong>
                {' — '}<span data-field="result" class={`result ${cm.result}`}>{expired ? 'Hết hạn, cụm loa không nhận được' : RESULT_NAMES[cm.result]}{cm.reason ? `: ${cm.reason}` : ''}</span>
                <small class="muted"> · gửi lúc {formatDateTime(cm.createdAt, tz)}</small>
              </li>
            );
          })}
        </ul>
      )}
    </div>
  );
}

export function AsRunLog({ deviceId, logs, titles, tz }: { deviceId: string; logs: Playlog[]; titles: Map<string, string>; tz: string }) {
  return (
    <div id="as-run" hx-disinherit="*" hx-get={`/cum-loa/${deviceId}/nhat-ky`} hx-trigger={`sse:playlog-${deviceId}, live-restored from:body`} hx-swap="outerHTML">
      {logs.length === 0 ? <Empty>Cụm loa chưa báo lượt phát nào.</Empty> : (
        <table class="table">
          <thead><tr><th>Lịch phát lúc</th><th>Chương trình</th><th>Kết quả</th></tr></thead>
          <tbody>
            {logs.map((l) => (
              <tr data-occurrence-id={l.occurrenceId} data-result={l.result}>
                <td>{formatDateTime(l.startAt, tz)}{Math.abs(l.startedAt - l.startAt) >= 1000 ? <small class="muted"> (bắt đầu lệch {Math.round((l.startedAt - l.startAt) / 1000)} giây)</small> : ''}</td>
                <td>{titles.get(l.programId) ?? 'Chương trình đã xoá'}</td>
                <td>{PLAY_RESULT_NAMES[l.result] ?? l.result}{l.reason ? <small class="muted"> — {l.reason}</small> : ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}

export function CommandForms({ d }: { d: DeviceView }) {
  const volume = d.telemetry?.volume ?? 80;
  const confirm = (what: string) => `${what} cho ${d.name}?`;
  return (
    <div class="commands">
      <form class="row" hx-post={`/cum-loa/${d.id}/lenh`} hx-target="#commands" hx-swap="outerHTML" hx-confirm={confirm('Gửi lệnh đặt âm lượng')}>
        <input type="hidden" name="type" value="set-volume" />
        <Field label="Âm lượng (%)" name="volume"><input type="number" name="volume" min={0} max={100} value={String(volume)} required /></Field>
        <button type="submit" data-command="set-volume">Đặt âm lượng</button>
      </form>
      <div class="row wrap">
        {(['stop', 'resync', 'reboot-agent'] as const).map((type) => (
          <form hx-post={`/cum-loa/${d.id}/lenh`} hx-target="#commands" hx-swap="outerHTML" hx-confirm={confirm(`Gửi lệnh “${COMMAND_NAMES[type]}”`)}>
            <input type="hidden" name="type" value={type} />
            <button type="submit" class="secondary" data-command={type}>{COMMAND_NAMES[type]}</button>
          </form>
        ))}
      </div>
    </div>
  );
}

export function EditGatewayForm({ d, zones, errors }: { d: DeviceView; zones: Zone[]; errors?: Errors }) {
  return (
    <form id="edit-gateway" class="stack" hx-post={`/cum-loa/${d.id}/sua`} hx-swap="outerHTML">
      <FormError errors={errors} />
      <div class="grid2">
        <Field label="Tên cụm loa" name="name" errors={errors}><input name="name" value={d.name} required maxlength={100} /></Field>
        <Field label="Thôn" name="zoneId" errors={errors}><select name="zoneId"><ZoneOptions zones={zones} selected={d.zoneId} /></select></Field>
        <Field label="Vĩ độ" name="lat" errors={errors}><input name="lat" value={d.lat ?? ''} inputmode="decimal" /></Field>
        <Field label="Kinh độ" name="lon" errors={errors}><input name="lon" value={d.lon ?? ''} inputmode="decimal" /></Field>
      </div>
      <button type="submit">Lưu</button>
    </form>
  );
}

export interface GatewayData {
  viewer: Viewer;
  d: DeviceView;
  zones: Zone[];
  commands: CommandRow[];
  logs: Playlog[] | null;
  titles: Map<string, string>;
  tz: string;
  now: number;
}

export function GatewayPage({ data }: { data: GatewayData }) {
  const { d, viewer } = data;
  const can = (a: string) => viewer.can.includes(a as never);
  const zone = data.zones.find((z) => z.id === d.zoneId);
  return (
    <Layout title={d.name} viewer={viewer} section="/cum-loa">
      <p><a href="/cum-loa">← Cụm loa</a></p>
      <h1>{d.name}</h1>
      <ul class="devices"><DeviceRow d={d} zoneName={zone?.name ?? d.zoneId} now={data.now} /></ul>
      <p class="muted">Thêm vào lúc {formatDateTime(d.createdAt, data.tz)} · số liệu gửi về <Ago ms={d.telemetry?.at ?? null} now={data.now} never="chưa có" /></p>
      {can('devices.command') && (
        <section class="card">
          <h2>Gửi lệnh</h2>
          <CommandForms d={d} />
          <h3>Lệnh đã gửi</h3>
          <CommandsList deviceId={d.id} commands={data.commands} tz={data.tz} now={data.now} />
        </section>
      )}
      {data.logs && (
        <section class="card">
          <h2>Nhật ký phát</h2>
          <AsRunLog deviceId={d.id} logs={data.logs} titles={data.titles} tz={data.tz} />
        </section>
      )}
      {can('devices.manage') && (
        <section class="card">
          <h2>Sửa, chuyển thôn</h2>
          <EditGatewayForm d={d} zones={data.zones} />
          <h3>Mã bí mật</h3>
          <div id="add-gateway">
            <button type="button" class="secondary" hx-post={`/cum-loa/${d.id}/ma-moi`} hx-target="#add-gateway" hx-swap="outerHTML"
              hx-confirm={`Tạo mã bí mật mới cho ${d.name}? Mã cũ hết hiệu lực ngay; phải chép tệp gateway.json mới sang cụm loa.`}>Tạo mã bí mật mới</button>
          </div>
          <h3>Xoá cụm loa</h3>
          <button type="button" class="danger" hx-post={`/cum-loa/${d.id}/xoa`} hx-confirm={`Xoá ${d.name}? Cụm loa sẽ không nhận lịch nữa.`}>Xoá cụm loa</button>
        </section>
      )}
    </Layout>
  );
}
