import type { ConflictView, QuietHit } from '../../server/schedules/plan.js';
import { formatDateTime, formatDuration, formatTime, lunarOf, lunarText } from '../format.js';

export interface PreviewData {
  description?: string;
  /** The next plays, epoch ms. */
  next: number[];
  count: number;
  conflicts: ConflictView[];
  quietHours: QuietHit[];
  /** Conflicts refuse only normal schedules: higher priorities pre-empt at play time. */
  conflictsRefuse: boolean;
  error?: string;
  tz: string;
}

const at = (iso: string, tz: string) => formatDateTime(Date.parse(iso), tz);

/** The dry run, said in Vietnamese: what will play when (with lunar dates), and what stands in the way. */
export function SchedulePreview({ p }: { p: PreviewData }) {
  // One line per overlapping play, naming every hamlet it overlaps in.
  const grouped = new Map<string, ConflictView & { zones: string[] }>();
  for (const c of p.conflicts) {
    const key = `${c.startAt}|${c.scheduleId}`;
    const g = grouped.get(key);
    if (g) g.zones.push(c.zoneName);
    else grouped.set(key, { ...c, zones: [c.zoneName] });
  }
  const conflicts = [...grouped.values()];
  const blocked = p.quietHours.length > 0 || (p.conflictsRefuse && p.conflicts.length > 0) || !!p.error;
  return (
    <div class={`preview${blocked ? ' bad' : ''}`} data-ok={blocked ? 'no' : 'yes'}>
      {p.description && <p><strong data-field="description">{p.description}</strong></p>}
      {p.error && <p class="form-error" role="alert" data-field="error">{p.error}</p>}
      {p.quietHours.map((q) => (
        <p class="form-error" role="alert" data-field="quiet-hours">
          {q.zoneName} có giờ yên tĩnh {q.window}: lượt lúc {at(q.startAt, p.tz)} rơi vào giờ đó nên lịch không được lưu. Hãy chọn giờ khác, bỏ {q.zoneName}, hoặc chọn mức Khẩn cấp.
        </p>
      ))}
      {conflicts.slice(0, 4).map((c) => (
        <p class={p.conflictsRefuse ? 'form-error' : 'muted'} role={p.conflictsRefuse ? 'alert' : undefined} data-field="conflict">
          Trùng giờ với “{c.otherTitle}” ở {c.zones.join(', ')}: lượt lúc {at(c.startAt, p.tz)} chồng lên “{c.otherTitle}” (phát từ {formatTime(Date.parse(c.otherStartAt), p.tz)}, dài {formatDuration(Date.parse(c.otherEndAt) - Date.parse(c.otherStartAt))}).
          {p.conflictsRefuse ? ' Hãy đổi giờ, hoặc chọn mức Ưu tiên để lịch này ngắt chương trình kia.' : ' Lịch này ưu tiên hơn nên sẽ ngắt chương trình kia.'}
        </p>
      ))}
      {conflicts.length > 4 && <p class="muted">… và {conflicts.length - 4} lượt trùng khác.</p>}
      {p.next.length > 0 && (
        <>
          <p>Các lượt phát tới{p.count > p.next.length ? ` (${p.count} lượt trong một năm tới)` : ''}:</p>
          <ol data-field="next">
            {p.next.map((ms) => <li>{formatDateTime(ms, p.tz)} <span class="muted">(âm lịch: {lunarText(lunarOf(ms, p.tz))})</span></li>)}
          </ol>
        </>
      )}
      {!blocked && p.next.length > 0 && <p class="ok">Có thể lưu lịch này.</p>}
    </div>
  );
}
