// Every page: htmx and its SSE extension (the live stream swaps in fragments the server rendered),
// the banner when the live connection drops, relative times kept current, and errors shown beside
// the control that caused them.
import htmx from 'htmx.org';
import 'htmx-ext-sse';
import { errorOfAnswer, explain } from '../errors.js';
import { formatRelative } from '../format.js';

htmx.config.allowEval = false;
htmx.config.includeIndicatorStyles = false;
// Containers that fetch themselves again (hx-select, hx-trigger) say hx-disinherit="*", so the forms
// inside them keep their own target and swap.
// Forms answer 4xx with themselves and their errors beside the fields: those are swapped like a 200.
htmx.config.responseHandling = [
  { code: '204', swap: false },
  { code: '[23]..', swap: true },
  { code: '4..', swap: true, error: false },
  { code: '...', swap: false, error: true },
];

const body = document.body;

/** An error beside the control that caused it (inside its form, if it has one). */
function showNear(elt: Element | null, message: string) {
  const host = elt?.closest('form') ?? elt?.parentElement ?? document.querySelector('main');
  if (!host) return;
  let p = host.querySelector<HTMLElement>(':scope > [data-net-error]');
  if (!p) {
    p = document.createElement('p');
    p.className = 'form-error';
    p.setAttribute('role', 'alert');
    p.dataset.netError = '';
    host.append(p);
  }
  p.textContent = message;
}

body.addEventListener('htmx:sendError', (e) => showNear((e as CustomEvent).detail.elt, explain({ code: 'network', status: 0 })));
body.addEventListener('htmx:responseError', (e) => {
  const { xhr, elt } = (e as CustomEvent<{ xhr: XMLHttpRequest; elt: Element }>).detail;
  const error = errorOfAnswer(xhr.status, xhr.responseText);
  showNear(elt, explain(error));
});
body.addEventListener('htmx:beforeRequest', (e) => {
  (e as CustomEvent).detail.elt.closest?.('form')?.querySelector(':scope > [data-net-error]')?.remove();
});

// ---- the live connection ----
const banner = document.getElementById('live-banner');
let lost = false;
body.addEventListener('htmx:sseOpen', () => {
  body.dataset.live = 'yes';
  if (banner) banner.hidden = true;
  if (lost) {
    lost = false;
    // What changed meanwhile was not heard: every live part of the page fetches itself again.
    htmx.trigger(body, 'live-restored', {});
  }
});
body.addEventListener('htmx:sseError', () => {
  lost = true;
  body.dataset.live = 'no';
  if (banner) banner.hidden = false;
  // Without the stream the page no longer knows who is online: it stops saying so.
  for (const b of document.querySelectorAll<HTMLElement>('.badge.on')) {
    b.className = 'badge unknown';
    b.textContent = 'Không rõ';
  }
  const count = document.getElementById('online-count');
  if (count) count.textContent = '?';
});

// ---- relative times ----
function tick() {
  const now = Date.now();
  for (const t of document.querySelectorAll<HTMLElement>('time[data-relative]')) t.textContent = formatRelative(Number(t.dataset.relative), now);
}
setInterval(tick, 30_000);
body.addEventListener('htmx:afterSettle', tick);

window.htmx = htmx;
