import type { Child } from 'hono/jsx';
import { formatRelative } from '../format.js';

export type Errors = Record<string, string | undefined>;

/** A labelled control with its error beside it (aria-describedby), so a screen reader hears both. */
export function Field({ label, name, errors, hint, children, class: cls }: { label: string; name: string; errors?: Errors; hint?: string; children: Child; class?: string }) {
  const err = errors?.[name];
  return (
    <div class={`field${err ? ' invalid' : ''}${cls ? ` ${cls}` : ''}`} data-field={name}>
      <label>
        <span class="label">{label}</span>
        {children}
      </label>
      {hint && <small class="hint">{hint}</small>}
      {err && <p class="field-error" id={`err-${name}`} role="alert">{err}</p>}
    </div>
  );
}

/** The error that belongs to the form as a whole. */
export const FormError = ({ errors }: { errors?: Errors }) => (errors?._ ? <p class="form-error" role="alert">{errors._}</p> : <></>);

/** Text that says how long ago; panel.js keeps it current. */
export const Ago = ({ ms, now, never = 'chưa bao giờ' }: { ms: number | null; now: number; never?: string }) =>
  ms === null ? <span>{never}</span> : <time data-relative={ms} datetime={new Date(ms).toISOString()}>{formatRelative(ms, now)}</time>;

/** Waveform peaks (0–100) drawn as an SVG on the server: no script needed to see the shape of a recording. */
export function Waveform({ peaks, label }: { peaks: number[]; label: string }) {
  if (!peaks.length) return <></>;
  const n = Math.min(peaks.length, 200);
  const step = peaks.length / n;
  const bars = Array.from({ length: n }, (_, i) => {
    let m = 0;
    for (let j = Math.floor(i * step); j < Math.floor((i + 1) * step); j++) m = Math.max(m, peaks[j] ?? 0);
    const h = Math.max(1, (m / 100) * 40);
    return `M${i + 0.5} ${20 - h / 2}v${h}`;
  });
  return (
    <svg class="wave" viewBox={`0 0 ${n} 40`} preserveAspectRatio="none" role="img" aria-label={label}>
      <path d={bars.join('')} />
    </svg>
  );
}

export const Empty = ({ children }: { children: Child }) => <p class="empty">{children}</p>;
