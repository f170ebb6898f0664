// The emergency page's island: a recording (the phone's recorder or a file) is sent as soon as it is
// chosen, normalised by the server while the officer fills in the rest, and the form then carries only
// its sha256. The form itself posts without script.
import { errorOfAnswer, explain } from '../errors.js';
import { formatDuration } from '../format.js';

const form = document.querySelector<HTMLFormElement>('#emergency-form');
const input = form?.querySelector<HTMLInputElement>('input[name=recording]');
if (form && input) {
  const field = input.closest<HTMLElement>('.field')!;
  const say = (message: string, bad: boolean) => {
    field.classList.toggle('invalid', bad);
    let p = field.querySelector<HTMLElement>('[data-recording-state]');
    if (!p) {
      p = document.createElement('p');
      p.dataset.recordingState = '';
      field.append(p);
    }
    p.className = bad ? 'field-error' : 'muted';
    p.setAttribute('role', bad ? 'alert' : 'status');
    p.textContent = message;
  };
  const submit = form.querySelector<HTMLButtonElement>('button[type=submit]')!;
  input.addEventListener('change', () => {
    const file = input.files?.[0];
    if (!file) return;
    const data = new FormData();
    data.set('file', file, file.name || 'ghi-am.webm');
    submit.disabled = true;
    say('Đang gửi và chuẩn hoá bản ghi âm…', false);
    const xhr = new XMLHttpRequest();
    xhr.open('POST', '/api/broadcasts/recordings');
    xhr.onloadend = () => {
      submit.disabled = false;
      if (xhr.status === 201) {
        const { recording } = JSON.parse(xhr.responseText) as { recording: { sha256: string; durationMs: number } };
        form.querySelector<HTMLInputElement>('input[name=sha256]')!.value = recording.sha256;
        form.querySelector<HTMLInputElement>('input[name=recordingMs]')!.value = String(recording.durationMs);
        form.querySelector<HTMLInputElement>('input[name=kind][value=recording]')!.checked = true;
        // Sent once: the form posts the sha256, not the audio again.
        input.value = '';
        say(`Đã nhận bản ghi âm (${formatDuration(recording.durationMs)}).`, false);
        return;
      }
      const error = errorOfAnswer(xhr.status, xhr.responseText);
      input.value = '';
      say(explain(error), true);
    };
    xhr.send(data);
  });
}
