// Live updates for the dashboard: each SSE `device` event re-renders that gateway's cells.
const tz = document.querySelector('[data-tz]')?.dataset.tz ?? 'Asia/Ho_Chi_Minh';
const fmt = new Intl.DateTimeFormat('vi-VN', { timeZone: tz, dateStyle: 'short', timeStyle: 'medium' });

function render(d) {
  const row = document.querySelector(`tr[data-device-id="${CSS.escape(d.id)}"]`);
  if (!row) return location.reload(); // a new gateway: the server renders its zone section
  const cell = (f) => row.querySelector(`[data-field="${f}"]`);
  const badge = document.createElement('span');
  badge.className = d.online ? 'badge on' : 'badge off';
  badge.textContent = d.online ? 'Trực tuyến' : 'Mất kết nối';
  cell('status').replaceChildren(badge);
  cell('lastSeen').textContent = d.lastSeenAt ? fmt.format(d.lastSeenAt) : 'chưa kết nối';
  cell('lastSeen').dataset.ms = d.lastSeenAt ?? '';
  cell('version').textContent = `${d.appliedVersion} / ${d.manifestVersion}`;
  cell('playing').textContent = d.playing ? `▶ ${d.playing.title}` : '—';
  document.getElementById('online-count').textContent = String(document.querySelectorAll('.badge.on').length);
}

const events = new EventSource('/api/events');
events.addEventListener('device', (e) => render(JSON.parse(e.data)));
events.addEventListener('device-removed', () => location.reload());
events.addEventListener('hello', () => document.body.setAttribute('data-live', 'yes'));
