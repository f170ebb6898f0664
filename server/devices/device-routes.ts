import { Hono } from 'hono';
import { basicCredentials } from '../http/basic.js';
import { ApiError } from '../http/errors.js';
import type { Provisioning } from './routes.js';

/**
 * Routes a gateway calls with its own credentials (HTTP Basic id:secret), outside the user API:
 * its provisioning data, and the server time for clock-offset estimates.
 */
export function deviceRoutes(verify: (id: string, secret: string) => boolean, provisioning: (id: string, requestUrl: string) => Provisioning, now: () => number) {
  return new Hono()
    .use('*', async (c, next) => {
      const cred = basicCredentials(c.req.header('authorization'));
      if (!cred || !verify(cred.id, cred.secret)) {
        c.header('WWW-Authenticate', 'Basic realm="loalang-device"');
        throw new ApiError(401, 'unauthenticated', 'Device credentials (HTTP Basic id:secret) are missing or wrong');
      }
      c.set('deviceId' as never, cred.id as never);
      await next();
    })
    .get('/provisioning', (c) => c.json(provisioning(c.get('deviceId' as never) as string, c.req.url), 200))
    .get('/time', (c) => c.json({ now: now() }, 200));
}
