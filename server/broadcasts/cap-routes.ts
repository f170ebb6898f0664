import { Hono, type MiddlewareHandler } from 'hono';
import { z } from 'zod';
import type { AuditLog } from '../audit/service.js';
import { allow, sessionUser, type AuthEnv } from '../auth/middleware.js';
import { can } from '../auth/permissions.js';
import type { AuthService } from '../auth/service.js';
import { ApiError } from '../http/errors.js';
import { actorOf, remoteAddress } from '../http/request.js';
import { validate } from '../http/validate.js';
import type { CapService } from './cap-service.js';

const capSettings = z.object({
  trustedSenders: z.array(z.object({
    sender: z.string().trim().min(1).max(200),
    certificates: z.array(z.string().max(100)).max(20).optional(),
    conditions: z.object({
      severity: z.array(z.enum(['Extreme', 'Severe', 'Moderate', 'Minor', 'Unknown'])).optional(),
      urgency: z.array(z.enum(['Immediate', 'Expected', 'Future', 'Past', 'Unknown'])).optional(),
      certainty: z.array(z.enum(['Observed', 'Likely', 'Possible', 'Unlikely', 'Unknown'])).optional(),
    }).optional(),
  })).max(50),
  certificates: z.array(z.object({ name: z.string().trim().min(1).max(100), pem: z.string().includes('BEGIN CERTIFICATE').max(20_000) })).max(20),
});

/**
 * Who may post an alert: a system holding CAP_INBOUND_TOKEN (the province's alert hub), or a person
 * whose role may confirm broadcasts (who then pastes an alert by hand).
 */
const capSender = (auth: AuthService, token: string | undefined): MiddlewareHandler<AuthEnv> => async (c, next) => {
  if (token && c.req.header('authorization') === `Bearer ${token}`) return next();
  const user = sessionUser(auth, c);
  if (!user) throw new ApiError(401, 'unauthenticated', 'Send the CAP alert with the Bearer token set in CAP_INBOUND_TOKEN, or log in');
  if (!can(user.role, 'broadcasts.confirm')) throw new ApiError(403, 'forbidden', `Posting a CAP alert needs the role approver; you are ${user.role}`);
  c.set('user', user);
  return next();
};

/** `POST /api/cap`: a CAP 1.2 alert in (XML). Mounted before the session check: a system may post with a token. */
export function capInboxRoutes(cap: CapService, auth: AuthService, audit: AuditLog, token: string | undefined) {
  return new Hono<AuthEnv>().post('/', capSender(auth, token), async (c) => {
    const xml = await c.req.text();
    if (!xml.trim()) throw new ApiError(400, 'cap_empty', 'Send the CAP 1.2 <alert> as the request body (application/cap+xml or application/xml)');
    const { alert, duplicate } = await cap.receive(xml, 'http');
    if (!duplicate) {
      const who = c.get('user') ? actorOf(c) : { id: 'cap-inbound', name: 'CAP hub', address: remoteAddress(c) };
      audit.record(who, 'cap.received', { type: 'cap', id: alert.id }, { sender: alert.sender, identifier: alert.identifier, action: alert.action, state: alert.state });
    }
    return c.json({ alert, duplicate }, duplicate ? 200 : 201);
  });
}

/** The alerts received, and an approver's "Phát" / "Bỏ qua" for those waiting for a person. */
export function capRoutes(cap: CapService, audit: AuditLog) {
  return new Hono<AuthEnv>()
    .use(allow('broadcasts.view'))
    .get('/alerts', (c) => c.json({ alerts: cap.list().map(({ xml: _xml, alert: _alert, ...r }) => r) }, 200))
    .get('/alerts/:id', (c) => c.json({ alert: cap.get(c.req.param('id')) }, 200))
    .post('/alerts/:id/confirm', allow('broadcasts.confirm'), async (c) => {
      const alert = await cap.confirm(c.req.param('id'), actorOf(c));
      audit.record(actorOf(c), 'cap.aired', { type: 'cap', id: alert.id }, { broadcastId: alert.broadcastId });
      return c.json({ alert }, 200);
    })
    .post('/alerts/:id/dismiss', allow('broadcasts.confirm'), (c) => {
      const alert = cap.dismiss(c.req.param('id'), actorOf(c));
      audit.record(actorOf(c), 'cap.dismissed', { type: 'cap', id: alert.id });
      return c.json({ alert }, 200);
    })
    .get('/settings', allow('broadcasts.settings'), (c) => c.json({ settings: cap.getSettings() }, 200))
    .put('/settings', allow('broadcasts.settings'), validate('json', capSettings), (c) => {
      const settings = cap.saveSettings(c.req.valid('json'));
      audit.record(actorOf(c), 'cap.settings-changed', { type: 'settings', id: 'cap' }, { trustedSenders: settings.trustedSenders.map((t) => t.sender), certificates: settings.certificates.map((x) => x.name) });
      return c.json({ settings }, 200);
    });
}
