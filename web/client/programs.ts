// The content page's island: what needs the browser — the microphone (MediaRecorder) and a file upload
// with its progress — and showing the blanks of the chosen text template. The rest is htmx.
import { errorOfAnswer, explain } from '../errors.js';

const app = document.getElementById('programs-app');
const maxBytes = Number(app?.dataset.maxUploadMb ?? 200) * 1048576;

/** The error of a form, beside the field that caused it when there is one. */
function showError(form: HTMLFormElement, message: string, field?: string) {
  for (const el of form.querySelectorAll('.field.invalid')) el.classList.remove('invalid');
  for (const el of form.querySelectorAll('[data-client-error]')) el.remove();
  const box = form.querySelector<HTMLElement>('[data-error]')!;
  const holder = field ? form.querySelector<HTMLElement>(`.field[data-field="${field}"]`) : null;
  if (holder && message) {
    holder.classList.add('invalid');
    const p = document.createElement('p');
    p.className = 'field-error';
    p.setAttribute('role', 'alert');
    p.dataset.clientError = '';
    p.textContent = message;
    holder.append(p);
    box.hidden = true;
  } else {
    box.textContent = message;
    box.hidden = !message;
  }
}

const FIELD_OF_CODE: Record<string, string> = {
  too_large: 'file', not_audio: 'file', no_audio_stream: 'file', empty_audio: 'file', corrupt_audio: 'file', too_long: 'file', file_missing: 'file', unsupported_media_type: 'file',
};

/** Sends the audio with its title; the answer is a job, whose progress the page shows live. */
function upload(form: HTMLFormElement, blob: Blob, name: string, source: 'upload' | 'recording'): Promise<boolean> {
  const title = form.querySelector<HTMLInputElement>('input[name=title]')!.value.trim();
  if (!title) {
    showError(form, 'Nhập tiêu đề trước đã.', 'title');
    return Promise.resolve(false);
  }
  if (blob.size > maxBytes) {
    showError(form, explain({ code: 'too_large' }), 'file');
    return Promise.resolve(false);
  }
  const data = new FormData();
  data.set('title', title);
  data.set('category', form.querySelector<HTMLSelectElement>('select[name=category]')!.value);
  data.set('source', source);
  data.set('file', blob, name);
  const bar = form.querySelector<HTMLProgressElement>('progress');
  const button = form.querySelector<HTMLButtonElement>('button[type=submit]')!;
  button.disabled = true;
  return new Promise((resolve) => {
    // XMLHttpRequest, not fetch: it reports upload progress, which matters for a long file over 4G.
    const xhr = new XMLHttpRequest();
    xhr.open('POST', '/api/programs');
    xhr.upload.onprogress = (e) => {
      if (bar && e.lengthComputable) {
        bar.hidden = false;
        bar.value = e.loaded / e.total;
      }
    };
    xhr.onloadend = () => {
      button.disabled = false;
      if (bar) bar.hidden = true;
      if (xhr.status === 202) {
        showError(form, '');
        form.reset();
        document.body.dispatchEvent(new CustomEvent('programs-changed'));
        return resolve(true);
      }
      const error = errorOfAnswer(xhr.status, xhr.responseText);
      showError(form, explain(error), FIELD_OF_CODE[error.code] ?? (error.code === 'invalid_request' ? 'title' : undefined));
      resolve(false);
    };
    xhr.send(data);
  });
}

const uploadForm = document.getElementById('upload') as HTMLFormElement | null;
uploadForm?.addEventListener('submit', (e) => {
  e.preventDefault();
  const file = uploadForm.querySelector<HTMLInputElement>('input[type=file]')!.files?.[0];
  if (!file) return showError(uploadForm, explain({ code: 'file_missing' }), 'file');
  void upload(uploadForm, file, file.name, 'upload');
});

// ---- recording ----
const rec = document.getElementById('record') as HTMLFormElement | null;
if (rec) {
  const $ = <T extends Element>(s: string) => rec.querySelector<T>(s)!;
  let recorder: MediaRecorder | null = null;
  let recorded: Blob | null = null;
  let tick: ReturnType<typeof setInterval> | undefined;
  $<HTMLButtonElement>('[data-action=record-start]').addEventListener('click', async () => {
    try {
      const stream = await navigator.mediaDevices.getUserMedia({ audio: { echoCancellation: false, noiseSuppression: true } });
      const chunks: Blob[] = [];
      const mimeType = MediaRecorder.isTypeSupported('audio/webm;codecs=opus') ? 'audio/webm;codecs=opus' : '';
      const r = new MediaRecorder(stream, { mimeType });
      recorder = r;
      r.ondataavailable = (e) => void (e.data.size && chunks.push(e.data));
      r.onstop = () => {
        stream.getTracks().forEach((t) => t.stop());
        recorded = new Blob(chunks, { type: r.mimeType || 'audio/webm' });
        const preview = $<HTMLAudioElement>('[data-field=preview]');
        preview.src = URL.createObjectURL(recorded);
        preview.hidden = false;
        $<HTMLButtonElement>('[data-action=record-upload]').disabled = false;
      };
      r.start(250);
      const started = Date.now();
      tick = setInterval(() => {
        const s = Math.floor((Date.now() - started) / 1000);
        $('[data-field=elapsed]').textContent = `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
      }, 250);
      rec.dataset.recording = 'yes';
      $<HTMLButtonElement>('[data-action=record-start]').disabled = true;
      $<HTMLButtonElement>('[data-action=record-stop]').disabled = false;
      showError(rec, '');
    } catch (err) {
      showError(rec, `Không mở được micro (${(err as Error).name}). Hãy cho phép trình duyệt dùng micro.`);
    }
  });
  $<HTMLButtonElement>('[data-action=record-stop]').addEventListener('click', () => {
    clearInterval(tick);
    recorder?.stop();
    rec.dataset.recording = 'no';
    $<HTMLButtonElement>('[data-action=record-start]').disabled = false;
    $<HTMLButtonElement>('[data-action=record-stop]').disabled = true;
  });
  rec.addEventListener('submit', async (e) => {
    e.preventDefault();
    if (!recorded) return;
    if (await upload(rec, recorded, 'ghi-am.webm', 'recording')) {
      recorded = null;
      $<HTMLAudioElement>('[data-field=preview]').hidden = true;
      $<HTMLButtonElement>('[data-action=record-upload]').disabled = true;
      $('[data-field=elapsed]').textContent = '0:00';
    }
  });
}

// ---- text templates: show the chosen template's blanks (the form is redrawn by htmx, so listen on the document) ----
document.addEventListener('change', (e) => {
  const select = e.target as HTMLSelectElement;
  if (!select.matches?.('[data-template-select]')) return;
  const form = select.form!;
  for (const fs of form.querySelectorAll<HTMLFieldSetElement>('fieldset[data-template]')) fs.hidden = fs.dataset.template !== select.value;
  form.querySelector<HTMLElement>('.free-text')!.hidden = !!select.value;
  const option = select.selectedOptions[0];
  if (select.value && option) {
    form.querySelector<HTMLSelectElement>('select[name=category]')!.value = option.dataset.category ?? 'other';
    const title = form.querySelector<HTMLInputElement>('input[name=title]')!;
    if (!title.value) title.value = option.dataset.title ?? '';
  }
});

app?.setAttribute('data-ready', 'yes');
