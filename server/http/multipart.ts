/**
 * A streaming reader of multipart/form-data (RFC 7578 on RFC 2046 §5.1.1): it is given the body
 * chunk by chunk and says what it found — a part's headers, some of its bytes, its end — without ever
 * holding more than a chunk and a delimiter's length of it. Uploads go to disk as they arrive.
 */

export type MultipartEvent =
  | { type: 'part'; name: string; filename: string | null; contentType: string | null }
  | { type: 'data'; data: Buffer }
  | { type: 'end' };

export class MultipartError extends Error {}

const CRLF = Buffer.from('\r\n');
const HEADER_END = Buffer.from('\r\n\r\n');
/** Part headers larger than this are not a browser's: refused rather than buffered. */
const MAX_HEADER_BYTES = 16 * 1024;

/** The boundary parameter of a multipart/form-data content type (quoted or not), or null. */
export function boundaryOf(contentType: string | undefined): string | null {
  const m = /^multipart\/form-data\s*;(?:.*;)?\s*boundary=(?:"([^"]{1,70})"|([^\s;]{1,70}))/i.exec(contentType ?? '');
  return m ? (m[1] ?? m[2]) : null;
}

/** `name` and `filename` of a Content-Disposition header; `filename*` (RFC 5987) wins when present. */
export function parseDisposition(value: string): { name: string | null; filename: string | null } {
  const param = (key: string) => {
    const m = new RegExp(`;\\s*${key}=(?:"((?:[^"\\\\]|\\\\.)*)"|([^;\\s]+))`, 'i').exec(value);
    return m ? (m[1] !== undefined ? m[1].replace(/\\(.)/g, '$1') : m[2]) : null;
  };
  const extended = param('filename\\*');
  let filename = param('filename');
  if (extended) {
    const m = /^[\w-]+'[^']*'(.*)$/.exec(extended);
    try {
      filename = decodeURIComponent(m ? m[1] : extended);
    } catch {
      // A malformed extended name: the plain one stands.
    }
  }
  return { name: param('name'), filename };
}

type State = 'preamble' | 'after-boundary' | 'headers' | 'body' | 'done';

export class MultipartParser {
  private readonly delimiter: Buffer;
  private pending: Buffer;
  private state: State = 'preamble';

  constructor(boundary: string) {
    this.delimiter = Buffer.from(`\r\n--${boundary}`);
    // The first boundary has no CRLF before it: pretend it had, so one delimiter fits all.
    this.pending = Buffer.from(CRLF);
  }

  /** The closing delimiter has been read: anything short of it is a body cut short. */
  get done() {
    return this.state === 'done';
  }

  /** Feeds the next chunk of the body; returns what it completed, in order. */
  push(chunk: Uint8Array): MultipartEvent[] {
    const events: MultipartEvent[] = [];
    if (this.state === 'done') return events;
    this.pending = this.pending.length ? Buffer.concat([this.pending, chunk]) : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    while (this.step(events));
    return events;
  }

  /** One move of the state machine; false when it needs more bytes. */
  private step(events: MultipartEvent[]): boolean {
    switch (this.state) {
      case 'preamble': {
        const at = this.pending.indexOf(this.delimiter);
        if (at < 0) {
          this.keepTail(this.delimiter.length - 1);
          return false;
        }
        this.pending = this.pending.subarray(at + this.delimiter.length);
        this.state = 'after-boundary';
        return true;
      }
      case 'after-boundary': {
        if (this.pending.length < 2) return false;
        if (this.pending[0] === 0x2d && this.pending[1] === 0x2d) {
          this.state = 'done';
          this.pending = Buffer.alloc(0);
          return false;
        }
        // Transport padding (RFC 2046: linear white space) may follow a boundary before its CRLF.
        const eol = this.pending.indexOf(CRLF);
        if (eol < 0) {
          if (this.pending.length > 256) throw new MultipartError('A multipart boundary is followed by garbage');
          return false;
        }
        if (!/^[ \t]*$/.test(this.pending.subarray(0, eol).toString('latin1'))) throw new MultipartError('A multipart boundary is followed by garbage');
        this.pending = this.pending.subarray(eol + 2);
        this.state = 'headers';
        return true;
      }
      case 'headers': {
        // A part with no headers at all starts with the blank line straight away.
        const at = this.pending.subarray(0, 2).equals(CRLF) ? -2 : this.pending.indexOf(HEADER_END);
        if (at === -1) {
          if (this.pending.length > MAX_HEADER_BYTES) throw new MultipartError('The headers of a multipart part are too large');
          return false;
        }
        events.push(this.partHeaders(at < 0 ? '' : this.pending.subarray(0, at).toString('utf8')));
        this.pending = this.pending.subarray(at < 0 ? 2 : at + HEADER_END.length);
        this.state = 'body';
        return true;
      }
      case 'body': {
        const at = this.pending.indexOf(this.delimiter);
        if (at < 0) {
          const safe = this.pending.length - (this.delimiter.length - 1);
          if (safe > 0) events.push({ type: 'data', data: this.pending.subarray(0, safe) });
          this.keepTail(this.delimiter.length - 1);
          return false;
        }
        if (at > 0) events.push({ type: 'data', data: this.pending.subarray(0, at) });
        events.push({ type: 'end' });
        this.pending = this.pending.subarray(at + this.delimiter.length);
        this.state = 'after-boundary';
        return true;
      }
      default:
        return false;
    }
  }

  /** Keeps at most `n` trailing bytes, copied, so the chunk they came from can be let go. */
  private keepTail(n: number) {
    if (this.pending.length > n) this.pending = Buffer.from(this.pending.subarray(this.pending.length - n));
  }

  private partHeaders(block: string): MultipartEvent {
    const headers = new Map<string, string>();
    for (const line of block.split('\r\n')) {
      const colon = line.indexOf(':');
      if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
    }
    const disposition = headers.get('content-disposition');
    if (!disposition || !/^form-data\b/i.test(disposition)) throw new MultipartError('A multipart part has no form-data Content-Disposition');
    const { name, filename } = parseDisposition(disposition);
    if (name === null) throw new MultipartError('A multipart part has no name');
    return { type: 'part', name, filename, contentType: headers.get('content-type') ?? null };
  }
}
