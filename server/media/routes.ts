import { Hono, type Context } from 'hono';
import { basicCredentials } from '../http/basic.js';
import { ApiError } from '../http/errors.js';
import { fileResponse } from '../http/file-response.js';
import type { MediaStore } from './store.js';

/** Who may download media: a logged-in user, or a device with HTTP Basic `id:secret`. */
export type MediaAuth = (cookieUser: boolean, basic: { id: string; secret: string } | null) => boolean;

export function mediaRoutes(store: MediaStore, isUser: (c: Context) => boolean, isDevice: (id: string, secret: string) => boolean) {
  return new Hono().get('/:file{[0-9a-f]{64}\\.(opus|mp3)}', async (c) => {
    const basic = basicCredentials(c.req.header('authorization'));
    if (!isUser(c) && !(basic && isDevice(basic.id, basic.secret))) {
      c.header('WWW-Authenticate', 'Basic realm="loalang-media"');
      throw new ApiError(401, 'unauthenticated', 'Media needs a user session or device credentials');
    }
    const sha256 = c.req.param('file').slice(0, 64);
    const kind = c.req.param('file').endsWith('.mp3') ? 'mp3' : 'opus';
    const res = await fileResponse(c, store.assetPath(sha256, kind), {
      type: kind === 'mp3' ? 'audio/mpeg' : 'audio/ogg; codecs=opus',
      cacheControl: 'private, max-age=31536000, immutable',
      etag: `"${sha256}.${kind}"`,
    });
    if (!res) throw new ApiError(404, 'not_found', `No asset ${sha256}`);
    return res;
  });
}
