// The content page: record / upload / text-to-speech, job progress from SSE, the list with its actions.
const app = document.getElementById('programs-app');
const maxBytes = Number(app.dataset.maxUploadMb) * 1048576;
const $ = (sel, root = app) => root.querySelector(sel);
const STATUS = { draft: 'Bản nháp', pending: 'Chờ duyệt', approved: 'Đã duyệt', rejected: 'Bị từ chối' };
const SOURCE = { upload: 'tệp tải lên', recording: 'ghi âm', tts: 'đọc văn bản' };
// What this user may do comes from the server's permission table (data-can), never from a list here.
const allowed = new Set((app.dataset.can ?? '').split(' '));
const canEdit = allowed.has('programs.edit');
const canDecide = allowed.has('programs.decide');

function showError(message) {
  $('[data-field=error]').textContent = message ?? '';
}

async function api(path, init = {}) {
  const res = await fetch(path, init);
  const body = res.status === 204 ? null : await res.json().catch(() => null);
  if (!res.ok) throw new Error(body?.error?.message ?? `Lỗi ${res.status}`);
  showError('');
  return body;
}
const postJson = (path, json) => api(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(json ?? {}) });

// ---- jobs ----
const jobs = new Map();
function renderJobs() {
  const list = document.getElementById('jobs');
  const active = [...jobs.values()].filter((j) => j.status !== 'succeeded' || Date.now() - j.seenAt < 10_000);
  if (!active.length) return list.replaceChildren(Object.assign(document.createElement('li'), { className: 'muted', textContent: 'Không có việc nào.' }));
  list.replaceChildren(...active.map((j) => {
    const li = document.createElement('li');
    li.dataset.jobId = j.id;
    li.dataset.status = j.status;
    const label = { queued: 'Đang chờ', running: 'Đang xử lý', succeeded: 'Xong', failed: 'Lỗi' }[j.status];
    const bar = Object.assign(document.createElement('progress'), { max: 1, value: j.progress });
    li.append(`${j.label} — ${label} `, bar, j.error ? ` ${j.error.message}` : '');
    return li;
  }));
}
function trackJob(job) {
  jobs.set(job.id, { ...job, seenAt: Date.now() });
  renderJobs();
  if (job.status === 'succeeded') loadPrograms();
  if (job.status === 'failed') showError(job.error?.message);
}

// ---- the list ----
function waveform(peaks) {
  const canvas = Object.assign(document.createElement('canvas'), { width: 300, height: 40, className: 'wave' });
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = '#b71c1c';
  const w = canvas.width / Math.max(1, peaks.length);
  peaks.forEach((p, i) => {
    const h = Math.max(1, (p / 100) * canvas.height);
    ctx.fillRect(i * w, (canvas.height - h) / 2, Math.max(1, w - 0.5), h);
  });
  return canvas;
}

function button(text, action, onClick) {
  const b = Object.assign(document.createElement('button'), { type: 'button', textContent: text });
  b.dataset.action = action;
  b.addEventListener('click', () => onClick().catch((err) => showError(err.message)));
  return b;
}

function row(p) {
  const tr = document.createElement('tr');
  tr.dataset.programId = p.id;
  tr.dataset.status = p.status;
  const latest = p.latest;
  const title = document.createElement('td');
  title.append(Object.assign(document.createElement('strong'), { textContent: p.title }), document.createElement('br'));
  title.append(Object.assign(document.createElement('span'), {
    className: 'muted',
    textContent: `phiên bản ${p.latestVersion} · ${SOURCE[latest.source]} · ${(p.asset.durationMs / 1000).toFixed(1)} giây`
      + (p.airingVersion && p.airingVersion !== p.latestVersion ? ` · đang phát bản ${p.airingVersion}` : ''),
  }));
  const status = document.createElement('td');
  status.dataset.field = 'status';
  status.append(Object.assign(document.createElement('span'), { className: `badge ${p.status}`, textContent: STATUS[p.status] }));
  if (p.status === 'rejected' && latest.reason) status.append(document.createElement('br'), `Lý do: ${latest.reason}`);
  const listen = document.createElement('td');
  const asset = latest.asset;
  if (asset.mp3Url) listen.append(Object.assign(document.createElement('audio'), { controls: true, preload: 'none', src: asset.mp3Url }));
  if (asset.peaks?.length) listen.append(waveform(asset.peaks));
  const actions = document.createElement('td');
  if (canEdit && (p.status === 'draft' || p.status === 'rejected')) {
    actions.append(button('Gửi duyệt', 'submit', async () => { await postJson(`/api/programs/${p.id}/submit`); await loadPrograms(); }));
  }
  if (canDecide && p.status === 'pending') {
    const reason = Object.assign(document.createElement('input'), { name: 'reason', placeholder: 'Lý do nếu từ chối' });
    actions.append(
      button('Duyệt', 'approve', async () => { await postJson(`/api/programs/${p.id}/approve`, { version: p.latestVersion }); await loadPrograms(); }),
      reason,
      button('Từ chối', 'reject', async () => { await postJson(`/api/programs/${p.id}/reject`, { version: p.latestVersion, reason: reason.value }); await loadPrograms(); }),
    );
  }
  tr.append(title, status, listen, actions);
  return tr;
}

// One load at a time; a change announced while one runs gets one more load after it, so none is missed.
let loading = null;
let again = false;
function loadPrograms() {
  if (loading) {
    again = true;
    return loading;
  }
  loading = (async () => {
    const { programs } = await api('/api/programs');
    // The waveform comes with a single program's read: fetched only for those waiting for a decision.
    const shown = await Promise.all(programs.map((p) => (p.status === 'pending' ? api(`/api/programs/${p.id}`).then((r) => r.program) : p)));
    document.getElementById('programs').replaceChildren(...shown.map(row));
  })().finally(() => {
    loading = null;
    if (again) {
      again = false;
      loadPrograms().catch((err) => showError(err.message));
    }
  });
  return loading;
}

// ---- ways in ----
function fields(section) {
  const title = $('input[name=title]', section).value.trim();
  if (!title) throw new Error('Nhập tiêu đề trước đã.');
  return { title, category: $('select[name=category]', section).value };
}

async function uploadFile(section, blob, name, source) {
  const { title, category } = fields(section);
  if (blob.size > maxBytes) throw new Error(`Tệp lớn hơn giới hạn ${app.dataset.maxUploadMb} MB.`);
  const form = new FormData();
  form.set('title', title);
  form.set('category', category);
  form.set('source', source);
  form.set('file', blob, name);
  const { job } = await api('/api/programs', { method: 'POST', body: form });
  trackJob(job);
}

const recordSection = document.getElementById('record');
let recorder = null;
let recorded = null;
let tick = null;
$('[data-action=record-start]', recordSection).addEventListener('click', async () => {
  try {
    const stream = await navigator.mediaDevices.getUserMedia({ audio: { echoCancellation: false, noiseSuppression: true } });
    const chunks = [];
    recorder = new MediaRecorder(stream, { mimeType: MediaRecorder.isTypeSupported('audio/webm;codecs=opus') ? 'audio/webm;codecs=opus' : '' });
    recorder.ondataavailable = (e) => e.data.size && chunks.push(e.data);
    recorder.onstop = () => {
      stream.getTracks().forEach((t) => t.stop());
      recorded = new Blob(chunks, { type: recorder.mimeType || 'audio/webm' });
      const preview = $('[data-field=preview]', recordSection);
      preview.src = URL.createObjectURL(recorded);
      preview.hidden = false;
      $('[data-action=record-upload]', recordSection).disabled = false;
    };
    recorder.start(250);
    const started = Date.now();
    tick = setInterval(() => {
      const s = Math.floor((Date.now() - started) / 1000);
      $('[data-field=elapsed]', recordSection).textContent = `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
    }, 250);
    recordSection.dataset.recording = 'yes';
    $('[data-action=record-start]', recordSection).disabled = true;
    $('[data-action=record-stop]', recordSection).disabled = false;
  } catch (err) {
    showError(`Không mở được micro: ${err.message}`);
  }
});
$('[data-action=record-stop]', recordSection).addEventListener('click', () => {
  clearInterval(tick);
  recorder?.stop();
  recordSection.dataset.recording = 'no';
  $('[data-action=record-start]', recordSection).disabled = false;
  $('[data-action=record-stop]', recordSection).disabled = true;
});
$('[data-action=record-upload]', recordSection).addEventListener('click', () =>
  uploadFile(recordSection, recorded, 'ghi-am.webm', 'recording').catch((err) => showError(err.message)));

const uploadSection = document.getElementById('upload');
$('[data-action=upload]', uploadSection).addEventListener('click', () => {
  const file = $('input[type=file]', uploadSection).files[0];
  if (!file) return showError('Chọn một tệp âm thanh.');
  uploadFile(uploadSection, file, file.name, 'upload').catch((err) => showError(err.message));
});

const ttsSection = document.getElementById('tts');
let templates = [];
function speechBody() {
  const id = $('select[name=template]', ttsSection).value;
  if (!id) return { text: $('textarea[name=text]', ttsSection).value };
  const values = {};
  for (const input of ttsSection.querySelectorAll('[data-field=template-fields] input')) values[input.name] = input.value;
  return { templateId: id, fields: values };
}
$('select[name=template]', ttsSection).addEventListener('change', (e) => {
  const t = templates.find((x) => x.id === e.target.value);
  $('[data-field=free-text]', ttsSection).hidden = !!t;
  $('[data-field=template-fields]', ttsSection).replaceChildren(...(t?.fields ?? []).map((f) => {
    const label = document.createElement('label');
    label.append(`${f.label}${f.required ? '' : ' (không bắt buộc)'} `, Object.assign(document.createElement('input'), { name: f.name, placeholder: f.example }));
    return label;
  }));
  if (t) {
    $('select[name=category]', ttsSection).value = t.category;
    const title = $('input[name=title]', ttsSection);
    if (!title.value) title.value = t.title;
  }
});
$('[data-action=tts-preview]', ttsSection).addEventListener('click', () =>
  postJson('/api/tts/preview', speechBody()).then((r) => ($('[data-field=spoken]', ttsSection).textContent = r.spoken)).catch((err) => showError(err.message)));
$('[data-action=tts-create]', ttsSection).addEventListener('click', async () => {
  try {
    const { job } = await postJson('/api/programs/tts', { ...fields(ttsSection), ...speechBody() });
    trackJob(job);
  } catch (err) {
    showError(err.message);
  }
});

// ---- live ----
const events = new EventSource('/api/events');
events.addEventListener('job', (e) => trackJob(JSON.parse(e.data)));
events.addEventListener('program', () => loadPrograms());
events.addEventListener('hello', () => document.body.setAttribute('data-live', 'yes'));
api('/api/tts/templates').then((r) => {
  templates = r.templates;
  $('select[name=template]', ttsSection).append(...templates.map((t) => Object.assign(document.createElement('option'), { value: t.id, textContent: t.title })));
}).catch((err) => showError(err.message));
loadPrograms().then(() => app.setAttribute('data-ready', 'yes')).catch((err) => showError(err.message));
