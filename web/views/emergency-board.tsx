import type { Child } from 'hono/jsx';
import { RISK_COLOURS, type RiskLevel } from '../../server/broadcasts/risk-levels.js';
import type { BroadcastRow } from '../../server/broadcasts/service.js';
import { formatDateTime, formatSpan } from '../format.js';
import { Field } from './components.js';
import { Counts, RiskBadge, STATUS_LABELS, TARGET_LABELS } from './emergency.js';
import { Layout, type Viewer } from './layout.js';

export interface BoardTarget { deviceId: string; deviceName: string; zoneName: string; status: string; reason: string | null; offlineSince: number | null; updatedAt: number }

/** The live board's body: per gateway, where its part is; swapped in again as gateways report. */
export function Board({ b, targets, counts, tz, now, canCancel }: { b: BroadcastRow; targets: BoardTarget[]; counts: Record<string, number>; tz: string; now: number; canCancel: boolean }) {
  const open = b.status === 'active' || b.status === 'awaiting-confirmation';
  // While it is open the board asks again when the live stream says it changed, and every 5 s besides.
  const live = open ? { 'hx-get': `/khan-cap/${b.id}/bang`, 'hx-trigger': `sse:broadcast-${b.id}, every 5s`, 'hx-swap': 'outerHTML' } : {};
  return (
    <div id="board" {...live} data-status={b.status}>
      <p class="board-head">
        <span class={`badge st-${b.status}`}>{STATUS_LABELS[b.status] ?? b.status}</span> <Counts counts={counts} />
      </p>
      {b.status === 'cancelled' && <p class="muted">{`Dừng lúc ${formatDateTime(b.cancelledAt ?? now, tz)}${b.cancelReason ? `: ${b.cancelReason}` : ''}`}</p>}
      <ul class="targets">
        {targets.map((t) => (
          <li class={`target st-${t.status}`} data-device-id={t.deviceId} data-status={t.status}>
            <span><strong>{t.deviceName}</strong> <span class="muted">{t.zoneName}</span></span>
            <span class={`badge st-${t.status}`}>{TARGET_LABELS[t.status] ?? t.status}</span>
            {t.offlineSince && !['played', 'playing'].includes(t.status) && <small class="muted">{`mất kết nối từ ${formatDateTime(t.offlineSince, tz)}`}</small>}
            {t.reason && ['missed', 'failed', 'rejected'].includes(t.status) && <small class="muted">{t.reason}</small>}
          </li>
        ))}
      </ul>
      {open && canCancel && (
        <form method="post" action={`/khan-cap/${b.id}/dung`} class="row wrap stop-form">
          <Field label="Lý do dừng (không bắt buộc)" name="reason"><input name="reason" maxlength={500} placeholder="Ví dụ: nước đã rút" /></Field>
          <button type="submit" class="fire big" data-action="stop">DỪNG PHÁT</button>
        </form>
      )}
    </div>
  );
}

export function BoardPage({ viewer, b, children }: { viewer: Viewer; b: BroadcastRow; children: Child }) {
  return (
    <Layout title={`Khẩn cấp: ${b.title}`} viewer={viewer} section="/khan-cap">
      <p><a href="/khan-cap">← Phát khẩn cấp</a></p>
      <section class="card broadcast-board" style={b.riskLevel ? `--risk:${RISK_COLOURS[b.riskLevel as RiskLevel['level']].hex}` : undefined}>
        <h1>{b.title}</h1>
        <p><RiskBadge level={b.riskLevel} /> <span class="muted">{`${b.repeatTimes} lần, cách ${formatSpan(b.gapSeconds * 1000)}${b.volume ? `, âm lượng ${b.volume}%` : ''}`}</span></p>
        {b.text && <div class="spoken">{b.text}</div>}
        <audio controls preload="none" src={`/media/${b.assetSha256}.mp3`}></audio>
        {children}
      </section>
    </Layout>
  );
}
