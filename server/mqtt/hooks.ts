import { Hono } from 'hono';
import { z } from 'zod';
import { DEVICE_ID_PATTERN } from '../../devices/protocol/index.js';
import { ApiError } from '../http/errors.js';
import { validate } from '../http/validate.js';
import { authorize, type Principal } from './acl.js';
import type { MqttAuthenticator } from './credentials.js';

export interface MqttHookDeps {
  auth: MqttAuthenticator;
  serverUsername: string;
  /** Set when an external broker is used (config requires it then); unset, the hooks do not exist. */
  token?: string;
}

// EMQX 5 HTTP authentication / authorization request bodies are templates; these are the fields
// its documented defaults send (${clientid}, ${username}, ${password}, ${topic}, ${action}).
const authBody = z.object({ clientid: z.string(), username: z.string().optional(), password: z.string().optional(), peerhost: z.string().max(64).optional() });
const aclBody = z.object({ clientid: z.string(), username: z.string().optional(), topic: z.string().min(1), action: z.enum(['publish', 'subscribe']) });

/**
 * HTTP hooks for an external broker (EMQX's HTTP authn/authz): answer 200 with
 * `{result: "allow" | "deny"}` so the broker decides, using the same functions as the embedded broker.
 */
export function mqttHookRoutes(d: MqttHookDeps) {
  return new Hono()
    .use('*', async (c, next) => {
      // With the embedded broker nobody needs them: they answer as if they did not exist.
      if (!d.token) throw new ApiError(404, 'not_found', `No route for ${c.req.method} ${c.req.path}`);
      if (c.req.header('authorization') !== `Bearer ${d.token}`) {
        throw new ApiError(401, 'unauthenticated', 'MQTT hooks need the Bearer token set in MQTT_HOOK_TOKEN');
      }
      await next();
    })
    .post('/auth', validate('json', authBody), (c) => {
      const b = c.req.valid('json');
      const r = d.auth.authenticate({ username: b.username, password: b.password, clientId: b.clientid, address: b.peerhost });
      return c.json({ result: r.ok ? 'allow' : 'deny', is_superuser: false }, 200);
    })
    .post('/acl', validate('json', aclBody), (c) => {
      const b = c.req.valid('json');
      // The broker asks only about clients it authenticated; the principal follows from the user name.
      const p: Principal | null = b.username === d.serverUsername
        ? { kind: 'server' }
        : b.username && DEVICE_ID_PATTERN.test(b.username) && b.clientid === b.username ? { kind: 'device', id: b.username } : null;
      return c.json({ result: p && authorize(p, b.action, b.topic) ? 'allow' : 'deny' }, 200);
    });
}
