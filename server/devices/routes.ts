import { Hono } from 'hono';
import { z } from 'zod';
import { DEVICE_ID_PATTERN } from '../../devices/protocol/index.js';
import { requireRole, type AuthEnv } from '../auth/middleware.js';
import { validate } from '../http/validate.js';
import { DEVICE_FLAGS, type DeviceFlag, type DevicesService } from './service.js';

const deviceInput = z.object({
  id: z.string().regex(DEVICE_ID_PATTERN, 'id: 3–64 of a-z 0-9 -, starting with a letter or digit').optional(),
  name: z.string().trim().min(1).max(100),
  zoneId: z.string().min(1),
});

export interface Provisioning {
  deviceId: string;
  mqttUrl: string;
  serverPublicKey: string;
}

export function devicesRoutes(devices: DevicesService, provisioning: (deviceId: string, requestUrl: string) => Provisioning) {
  return new Hono<AuthEnv>()
    .get('/', validate('query', z.object({ status: z.enum(DEVICE_FLAGS as [DeviceFlag, ...DeviceFlag[]]).optional() })), (c) =>
      c.json({ devices: devices.list(c.req.valid('query').status) }, 200))
    .get('/:id', (c) => c.json({ device: devices.get(c.req.param('id')) }, 200))
    .get('/:id/provisioning', requireRole('technician'), (c) => {
      devices.get(c.req.param('id'));
      return c.json(provisioning(c.req.param('id'), c.req.url), 200);
    })
    .post('/', requireRole('technician'), validate('json', deviceInput), (c) => c.json({ device: devices.create(c.req.valid('json')) }, 201))
    .post('/:id/rotate-secret', requireRole('technician'), (c) => c.json({ device: devices.rotateSecret(c.req.param('id')) }, 200))
    .patch('/:id', requireRole('technician'), validate('json', deviceInput.omit({ id: true }).partial()), (c) =>
      c.json({ device: devices.update(c.req.param('id'), c.req.valid('json')) }, 200))
    .delete('/:id', requireRole('technician'), (c) => {
      devices.remove(c.req.param('id'));
      return c.body(null, 204);
    });
}
