import { ApiError } from '../http/errors.js';
import { receiveUpload } from '../http/upload.js';
import { diskFull, type MediaStore } from './store.js';

/** A multipart audio upload, its file written to the media store's tmp dir as it arrives (MAX_UPLOAD_MB). */
export function receiveAudio(c: { req: { raw: Request } }, media: MediaStore) {
  return receiveUpload(c.req.raw, {
    maxFileBytes: media.maxUploadBytes,
    tmpPath: media.tmpPath,
    tooLarge: () => new ApiError(413, 'too_large', `The upload is larger than the ${Math.round(media.maxUploadBytes / 1048576)} MB limit`),
    diskFull,
  });
}
