import { Hono } from 'hono';
import { z } from 'zod';
import type { AuditLog } from '../audit/service.js';
import { allow, type AuthEnv } from '../auth/middleware.js';
import { actorOf } from '../http/request.js';
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
export function devicesRoutes(devices: DevicesService, provisioning: ProvisioningFor, audit: AuditLog) {
  return new Hono<AuthEnv>()
    .get('/', allow('devices.view'), validate('query', z.object({ status: z.enum(DEVICE_FLAGS).optional() })), (c) =>
      c.json({ devices: devices.list(c.req.valid('query').status) }, 200))
    .get('/:id', allow('devices.view'), (c) => c.json({ device: devices.get(c.req.param('id')) }, 200))
    .get('/:id/provisioning', allow('devices.manage'), (c) => {
      devices.get(c.req.param('id'));
      return c.json(provisioning(c.req.param('id'), c.req.url), 200);
    })
    .post('/', allow('devices.manage'), validate('json', deviceInputSchema), (c) => {
      const device = devices.create(c.req.valid('json'));
      audit.record(actorOf(c), 'device.created', { type: 'device', id: device.id }, { name: device.name, zoneId: device.zoneId });
      return c.json({ device }, 201);
    })
    .post('/:id/rotate-secret', allow('devices.manage'), (c) => {
      const device = devices.rotateSecret(c.req.param('id'));
      audit.record(actorOf(c), 'device.secret-rotated', { type: 'device', id: device.id });
      return c.json({ device }, 200);
    })
    .patch('/:id', allow('devices.manage'), validate('json', devicePatchSchema), (c) => {
      const before = devices.get(c.req.param('id'));
      const patch = c.req.valid('json');
      const device = devices.update(before.id, patch);
      const changed = Object.fromEntries(Object.keys(patch).map((k) => [k, { from: before[k as keyof typeof before], to: device[k as keyof typeof device] }]));
      audit.record(actorOf(c), device.zoneId !== before.zoneId ? 'device.moved' : 'device.updated', { type: 'device', id: device.id }, { changed });
      return c.json({ device }, 200);
    })
    .delete('/:id', allow('devices.manage'), (c) => {
      const before = devices.get(c.req.param('id'));
      devices.remove(before.id);
      audit.record(actorOf(c), 'device.deleted', { type: 'device', id: before.id }, { name: before.name, zoneId: before.zoneId });
      return c.body(null, 204);
    });
}
