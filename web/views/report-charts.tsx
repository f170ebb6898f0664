import type { Summary } from '../../server/reports/summary.js';

/** One colour per category, the same wherever a category is drawn. */
export const CATEGORY_COLOURS: Record<string, string> = {
  greeting: '#c62828', procedure: '#1565c0', law: '#2e7d32', emergency: '#6a1b9a', news: '#ef6c00', relay: '#00838f', music: '#ad1457', other: '#546e7a',
};

const W = 640;
const H = 240;
const PAD = { left: 44, right: 8, top: 12, bottom: 44 };

/** Minutes by category per month, stacked: server-drawn SVG, no script, prints as it shows. */
export function MinutesByMonthChart({ s }: { s: Summary }) {
  const months = [...new Set(s.byMonth.map((r) => r.month))];
  if (!months.length) return <p class="muted">Chưa có lượt phát nào trong kỳ.</p>;
  const totals = months.map((m) => s.byMonth.filter((r) => r.month === m).reduce((n, r) => n + r.minutes, 0));
  const max = Math.max(1, ...totals);
  const step = (W - PAD.left - PAD.right) / months.length;
  const y = (v: number) => PAD.top + (H - PAD.top - PAD.bottom) * (1 - v / max);
  const categories = [...new Set(s.byMonth.map((r) => r.category))];
  return (
    <figure class="chart">
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label="Số phút phát theo tháng và loại chương trình">
        <line x1={PAD.left} y1={y(0)} x2={W - PAD.right} y2={y(0)} stroke="#999" />
        <text x={PAD.left - 6} y={y(max) + 4} text-anchor="end" font-size="11">{Math.round(max)}</text>
        <text x={PAD.left - 6} y={y(0)} text-anchor="end" font-size="11">0</text>
        {months.map((m, i) => {
          let base = 0;
          return (
            <g>
              {categories.map((c) => {
                const v = s.byMonth.find((r) => r.month === m && r.category === c)?.minutes ?? 0;
                const top = y(base + v);
                const h = y(base) - top;
                base += v;
                return v > 0 ? <rect x={PAD.left + i * step + step * 0.15} y={top} width={step * 0.7} height={h} fill={CATEGORY_COLOURS[c] ?? '#777'}><title>{`${m}: ${v} phút`}</title></rect> : null;
              })}
              <text x={PAD.left + i * step + step / 2} y={H - PAD.bottom + 16} text-anchor="middle" font-size="11">{`${m.slice(5)}/${m.slice(2, 4)}`}</text>
            </g>
          );
        })}
      </svg>
      <figcaption>
        Số phút phát theo tháng:{' '}
        {categories.map((c) => (
          <span class="legend"><i style={`background:${CATEGORY_COLOURS[c] ?? '#777'}`} />{s.byMonth.find((r) => r.category === c)!.label} </span>
        ))}
      </figcaption>
    </figure>
  );
}

/** Time online of each hamlet's gateways, as horizontal bars out of 100 %. */
export function AvailabilityChart({ s }: { s: Summary }) {
  const hamlets = [...new Set(s.availability.map((a) => a.hamlet))];
  if (!hamlets.length) return <p class="muted">Chưa có cụm loa nào.</p>;
  const rows = hamlets.map((h) => {
    const mine = s.availability.filter((a) => a.hamlet === h);
    return { hamlet: h, percent: Math.round((10 * mine.reduce((n, a) => n + a.onlinePercent, 0)) / mine.length) / 10 };
  });
  const rowH = 22;
  const height = rows.length * rowH + 8;
  const left = 150;
  return (
    <figure class="chart">
      <svg viewBox={`0 0 ${W} ${height}`} role="img" aria-label="Tỉ lệ thời gian trực tuyến của cụm loa theo thôn">
        {rows.map((r, i) => (
          <g>
            <text x={left - 6} y={i * rowH + 16} text-anchor="end" font-size="12">{r.hamlet.length > 22 ? `${r.hamlet.slice(0, 21)}…` : r.hamlet}</text>
            <rect x={left} y={i * rowH + 4} width={(W - left - 60) * (r.percent / 100)} height={rowH - 8} fill={r.percent >= 95 ? '#2e7d32' : r.percent >= 80 ? '#f9a825' : '#c62828'} />
            <text x={left + (W - left - 60) * (r.percent / 100) + 6} y={i * rowH + 16} font-size="12">{`${r.percent.toLocaleString('vi-VN')} %`}</text>
          </g>
        ))}
      </svg>
      <figcaption>Thời gian trực tuyến của cụm loa, trung bình theo thôn.</figcaption>
    </figure>
  );
}
