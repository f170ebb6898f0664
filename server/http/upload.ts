import { open, rm, type FileHandle } from 'node:fs/promises';
import { ApiError } from './errors.js';
import { boundaryOf, MultipartError, MultipartParser, type MultipartEvent } from './multipart.js';

export interface Upload {
  /** Where the file field was written, in full. */
  path: string;
  /** Its name as the browser gave it. */
  name: string;
  /** The text fields. */
  fields: Record<string, string>;
}

export interface UploadLimits {
  /** Largest file accepted; the body may carry this plus `overheadBytes` of fields and boundaries. */
  maxFileBytes: number;
  overheadBytes?: number;
  /** The form field holding the file. */
  fileField?: string;
  /** A fresh path for the file, on the disk it will end up on. */
  tmpPath: (name: string) => Promise<string>;
  /** The 413 for this route. */
  tooLarge: () => ApiError;
  /** The 507 for this route, when the disk fills while the file is written. */
  diskFull: (name: string) => ApiError;
}

const MAX_FIELD_BYTES = 64 * 1024;
const MAX_FIELDS = 32;

const badMultipart = (message: string) => new ApiError(400, 'bad_multipart', message);

/** Text fields in memory (each small), the one file on disk as it arrives, the rest dropped. */
class UploadSink {
  file: { path: string; name: string; handle: FileHandle; bytes: number } | null = null;
  fields: Record<string, string> = {};
  private field: { name: string; chunks: Buffer[]; bytes: number } | null = null;
  private current: 'file' | 'field' | 'skip' = 'skip';

  constructor(private readonly limits: UploadLimits) {}

  async on(e: MultipartEvent) {
    if (e.type === 'part') return this.start(e);
    if (e.type === 'end') return this.finish();
    if (this.current === 'file') await this.write(e.data);
    else if (this.current === 'field') this.append(e.data);
  }

  private async start(e: Extract<MultipartEvent, { type: 'part' }>) {
    if (e.filename !== null) {
      if (e.name !== (this.limits.fileField ?? 'file') || this.file) return void (this.current = 'skip');
      const name = e.filename || 'upload';
      const path = await this.limits.tmpPath(name);
      this.file = { path, name, handle: await open(path, 'wx'), bytes: 0 };
      this.current = 'file';
      return;
    }
    if (Object.keys(this.fields).length >= MAX_FIELDS) throw badMultipart(`The form has more than ${MAX_FIELDS} fields`);
    this.field = { name: e.name, chunks: [], bytes: 0 };
    this.current = 'field';
  }

  private async write(data: Buffer) {
    const f = this.file!;
    f.bytes += data.length;
    if (f.bytes > this.limits.maxFileBytes) throw this.limits.tooLarge();
    try {
      await f.handle.write(data);
    } catch (err) {
      throw (err as NodeJS.ErrnoException).code === 'ENOSPC' ? this.limits.diskFull(f.name) : err;
    }
  }

  private append(data: Buffer) {
    const f = this.field!;
    f.bytes += data.length;
    if (f.bytes > MAX_FIELD_BYTES) throw badMultipart(`The form field "${f.name}" is longer than ${MAX_FIELD_BYTES / 1024} KB`);
    f.chunks.push(Buffer.from(data));
  }

  private async finish() {
    if (this.current === 'field' && this.field) this.fields[this.field.name] ??= Buffer.concat(this.field.chunks).toString('utf8');
    if (this.current === 'file') {
      try {
        await this.file!.handle.close();
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOSPC') throw this.limits.diskFull(this.file!.name);
        throw err;
      }
    }
    this.field = null;
    this.current = 'skip';
  }

  /** After a failure: nothing of the file stays on disk. */
  async discard() {
    if (!this.file) return;
    await this.file.handle.close().catch(() => {});
    await rm(this.file.path, { force: true });
  }
}

/**
 * Reads a multipart/form-data request as it arrives: the file field straight to `tmpPath`, never whole in
 * memory, whatever its size. Over the limit is a 413 as soon as the Content-Length says so, or as soon as
 * the running count passes it; a malformed or interrupted body a 400; a full disk a 507. On any failure
 * the partial file is removed.
 */
export async function receiveUpload(req: Request, limits: UploadLimits): Promise<Upload> {
  const type = req.headers.get('content-type') ?? '';
  if (!/^multipart\/form-data/i.test(type)) {
    throw new ApiError(415, 'unsupported_media_type', 'Send multipart/form-data with a file field and a title');
  }
  const boundary = boundaryOf(type);
  if (!boundary) throw badMultipart('The multipart body has no boundary');
  const maxBody = limits.maxFileBytes + (limits.overheadBytes ?? 1024 * 1024);
  if (Number(req.headers.get('content-length') ?? 0) > maxBody) throw limits.tooLarge();
  if (!req.body) throw new ApiError(400, 'file_missing', 'Add the audio as the form field "file"');

  const parser = new MultipartParser(boundary);
  const sink = new UploadSink(limits);
  const reader = req.body.getReader();
  let received = 0;
  try {
    while (!parser.done) {
      const { value, done } = await reader.read().catch(() => {
        throw badMultipart('The upload was interrupted before it ended');
      });
      if (done) break;
      received += value.byteLength;
      if (received > maxBody) throw limits.tooLarge();
      let events: MultipartEvent[];
      try {
        events = parser.push(value);
      } catch (err) {
        throw err instanceof MultipartError ? badMultipart(err.message) : err;
      }
      for (const e of events) await sink.on(e);
    }
    if (!parser.done) throw badMultipart('The multipart body ended before its closing boundary');
    if (!sink.file) throw new ApiError(400, 'file_missing', 'Add the audio as the form field "file"');
    return { path: sink.file.path, name: sink.file.name, fields: sink.fields };
  } catch (err) {
    await sink.discard();
    throw err;
  } finally {
    // Whatever is left (an epilogue, or the rest of a refused body) is not read.
    reader.cancel().catch(() => {});
  }
}
