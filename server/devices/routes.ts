import { Hono } from 'hono';
import { z } from 'zod';
import { allow, type AuthEnv } from '../auth/middleware.js';
import { validate } from '../http/validate.js';
import { DEVICE_FLAGS, deviceInputSchema, devicePatchSchema, type DevicesService } from './service.js';

/** What an agent needs beyond its id and secret: where the broker is and which key signs its manifests. */
export interface Provisioning {
  deviceId: string;
  mqttUrl: string;
  serverPublicKey: string;
}
export type ProvisioningFor = (deviceId: string, requestUrl: string) => Provisioning;

/** `/api/devices`: the people's view of gateways. (Gateways themselves call `/device/v1`: gateway-routes.ts.) */
export function devicesRoutes(devices: DevicesService, provisioning: ProvisioningFor) {
  return new Hono<AuthEnv>()
    .get('/', allow('devices.view'), validate('query', z.object({ status: z.enum(DEVICE_FLAGS).optional() })), (c) =>
      c.json({ devices: devices.list(c.req.valid('query').status) }, 200))
    .get('/:id', allow('devices.view'), (c) => c.json({ device: devices.get(c.req.param('id')) }, 200))
    .get('/:id/provisioning', allow('devices.manage'), (c) => {
      devices.get(c.req.param('id'));
      return c.json(provisioning(c.req.param('id'), c.req.url), 200);
    })
    .post('/', allow('devices.manage'), validate('json', deviceInputSchema), (c) => c.json({ device: devices.create(c.req.valid('json')) }, 201))
    .post('/:id/rotate-secret', allow('devices.manage'), (c) => c.json({ device: devices.rotateSecret(c.req.param('id')) }, 200))
    .patch('/:id', allow('devices.manage'), validate('json', devicePatchSchema), (c) =>
      c.json({ device: devices.update(c.req.param('id'), c.req.valid('json')) }, 200))
    .delete('/:id', allow('devices.manage'), (c) => {
      devices.remove(c.req.param('id'));
      return c.body(null, 204);
    });
}
