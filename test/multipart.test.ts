import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { boundaryOf, MultipartError, MultipartParser, parseDisposition, type MultipartEvent } from '../server/http/multipart.js';

/** A body as a browser sends it: fetch's own multipart encoder. */
async function encode(fields: Record<string, string>, file: { name: string; bytes: Uint8Array }) {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.set(k, v);
  form.set('file', new Blob([Buffer.from(file.bytes)]), file.name);
  const res = new Response(form);
  return { type: res.headers.get('content-type')!, body: new Uint8Array(await res.arrayBuffer()) };
}

/** Feeds `body` in pieces cut at `cuts`, and puts the parts back together. */
function parse(type: string, body: Uint8Array, cuts: number[] = []) {
  const parser = new MultipartParser(boundaryOf(type)!);
  const events: MultipartEvent[] = [];
  const at = [0, ...[...new Set(cuts)].filter((c) => c > 0 && c < body.length).sort((a, b) => a - b), body.length];
  for (let i = 0; i + 1 < at.length; i++) events.push(...parser.push(body.subarray(at[i], at[i + 1])));
  const parts: { name: string; filename: string | null; data: Buffer }[] = [];
  for (const e of events) {
    if (e.type === 'part') parts.push({ name: e.name, filename: e.filename, data: Buffer.alloc(0) });
    else if (e.type === 'data') parts[parts.length - 1].data = Buffer.concat([parts[parts.length - 1].data, e.data]);
  }
  return { parts: parts.map((p) => ({ ...p, data: p.data.toString('hex') })), done: parser.done };
}

describe('the streaming multipart/form-data reader (RFC 7578)', () => {
  it('reads what fetch encodes, fields and file, byte for byte', async () => {
    const bytes = new Uint8Array(100_000).map((_, i) => (i * 7919) % 256);
    const { type, body } = await encode({ title: 'Thông báo họp thôn', category: 'news' }, { name: 'loi-chao.wav', bytes });
    const { parts, done } = parse(type, body);
    expect(done).toBe(true);
    expect(parts.map((p) => [p.name, p.filename])).toEqual([['title', null], ['category', null], ['file', 'loi-chao.wav']]);
    expect(Buffer.from(parts[0].data, 'hex').toString('utf8')).toBe('Thông báo họp thôn');
    expect(parts[2].data).toBe(Buffer.from(bytes).toString('hex'));
  });

  it('gives the same parts however the body is cut into chunks', async () => {
    // File bytes that look like the start of a delimiter, to catch a search that forgets what spans chunks.
    const tricky = Buffer.from('\r\n--\r\n-\r\n--formdata\r\n\r\n--');
    const { type, body } = await encode({ title: 'Cắt' }, { name: 'x.mp3', bytes: Buffer.concat([tricky, Buffer.alloc(3000, 1), tricky]) });
    const whole = parse(type, body);
    fc.assert(fc.property(fc.array(fc.integer({ min: 1, max: body.length - 1 }), { maxLength: 40 }), (cuts) => {
      const split = parse(type, body, cuts);
      expect(split.done).toBe(true);
      expect(split.parts).toEqual(whole.parts);
    }), { numRuns: 300 });
    for (const size of [1, 2, 3, 64]) {
      const cuts = Array.from({ length: Math.ceil(body.length / size) }, (_, i) => i * size);
      expect(parse(type, body, cuts).parts, `chunks of ${size}`).toEqual(whole.parts);
    }
  });

  it('is not done when the closing boundary never comes (an interrupted upload)', async () => {
    const { type, body } = await encode({}, { name: 'a.wav', bytes: new Uint8Array(5000) });
    expect(parse(type, body.subarray(0, body.length - 10)).done).toBe(false);
  });

  it('refuses a part without a form-data disposition, and part headers past 16 KB', () => {
    const b = 'XyZ';
    const missing = new MultipartParser(b);
    expect(() => missing.push(Buffer.from(`--${b}\r\nContent-Type: text/plain\r\n\r\nhi\r\n--${b}--`))).toThrow(MultipartError);
    const huge = new MultipartParser(b);
    expect(() => huge.push(Buffer.from(`--${b}\r\nX-Pad: ${'a'.repeat(20_000)}`))).toThrow(/too large/);
  });

  it('reads the boundary quoted or not, and names as RFC 5987 extended values', () => {
    expect(boundaryOf('multipart/form-data; boundary=----abc123')).toBe('----abc123');
    expect(boundaryOf('multipart/form-data; charset=utf-8; boundary="a b:c"')).toBe('a b:c');
    expect(boundaryOf('application/json')).toBeNull();
    expect(parseDisposition('form-data; name="file"; filename="a.wav"')).toEqual({ name: 'file', filename: 'a.wav' });
    expect(parseDisposition(`form-data; name=file; filename="x"; filename*=UTF-8''l%E1%BB%9Di%20ch%C3%A0o.m4a`)).toEqual({ name: 'file', filename: 'lời chào.m4a' });
    expect(parseDisposition('form-data; name="t\\"q"')).toEqual({ name: 't"q', filename: null });
  });
});
