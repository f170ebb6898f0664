import type { JobView } from '../../server/jobs/service.js';
import { explain } from '../errors.js';
import { Empty } from './components.js';

const STATUS: Record<JobView['status'], string> = { queued: 'Đang chờ', running: 'Đang xử lý', succeeded: 'Xong', failed: 'Lỗi' };

/** Jobs still running, and those that ended in the last ten minutes. */
export function JobsList({ jobs, now }: { jobs: JobView[]; now: number }) {
  const shown = jobs.filter((j) => !j.finishedAt || now - j.finishedAt < 10 * 60_000).slice(0, 10);
  return (
    <ul id="jobs" class="jobs" sse-swap="jobs" hx-swap="outerHTML">
      {shown.length === 0 && <li><Empty>Không có việc nào đang xử lý.</Empty></li>}
      {shown.map((j) => (
        <li data-job-id={j.id} data-status={j.status}>
          <span>{j.label} — {STATUS[j.status]}</span>
          <progress max={1} value={j.progress} aria-label={`Tiến độ ${j.label}`}></progress>
          {j.error && <span class="field-error">{explain(j.error)}</span>}
          {j.result && j.status === 'succeeded' && <a href={`/chuong-trinh/${j.result.programId}`}>Mở chương trình</a>}
        </li>
      ))}
    </ul>
  );
}
