import { Hono } from 'hono';
import { basicCredentials } from '../http/basic.js';
import { ApiError } from '../http/errors.js';
import type { ProvisioningFor } from './routes.js';

type GatewayEnv = { Variables: { deviceId: string } };

/**
 * `/device/v1`: the routes a gateway calls with its own credentials (HTTP Basic id:secret), outside
 * the people's API: its provisioning data, and the server time for clock-offset estimates.
 */
export function gatewayRoutes(verify: (id: string, secret: string) => boolean, provisioning: ProvisioningFor, now: () => number) {
  return new Hono<GatewayEnv>()
    .use('*', async (c, next) => {
      const cred = basicCredentials(c.req.header('authorization'));
      if (!cred || !verify(cred.id, cred.secret)) {
        c.header('WWW-Authenticate', 'Basic realm="loalang-device"');
        throw new ApiError(401, 'unauthenticated', 'Device credentials (HTTP Basic id:secret) are missing or wrong');
      }
      c.set('deviceId', cred.id);
      await next();
    })
    .get('/provisioning', (c) => c.json(provisioning(c.get('deviceId'), c.req.url), 200))
    .get('/time', (c) => c.json({ now: now() }, 200));
}
