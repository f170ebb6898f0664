import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCapFeed } from '../../server/broadcasts/cap-feed.js';
import { createLogger } from '../../server/logger.js';
import { useTestApp } from '../helpers/app.js';
import { createDevice } from '../helpers/system.js';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'cap');
const fixture = (name: string) => readFile(join(FIXTURES, name), 'utf8');
const NOW = Date.parse('2026-10-10T08:05:00+07:00');
const HUB = 'cap-hub-token-0123456789';

describe('CAP 1.2 alerts in, through POST /api/cap', () => {
  const t = useTestApp({ now: NOW, env: { CAP_INBOUND_TOKEN: HUB } });
  const zones: Record<string, string> = {};
  const post = async (name: string) => t.as()('/api/cap', { method: 'POST', headers: { authorization: `Bearer ${HUB}`, 'content-type': 'application/cap+xml' }, body: await fixture(name) });
  const broadcast = async (id: string) => (await (await t.api(`/api/broadcasts/${id}`)).json()).broadcast;

  beforeAll(async () => {
    const zone = async (name: string, geocodes: { valueName: string; value: string }[]) =>
      (await (await t.api('/api/zones', { method: 'POST', json: { name, geocodes } })).json()).zone.id as string;
    zones.hongHa = await zone('Thôn Hồng Hà', [{ valueName: 'MA_DVHC', value: '09877' }]);
    zones.lienHa = await zone('Thôn Liên Hà', [{ valueName: 'MA_DVHC', value: '09880' }]);
    zones.far = await zone('Thôn Xa', []);
    await createDevice(t, 'hong-ha-1', zones.hongHa);
    await createDevice(t, 'lien-ha-1', zones.lienHa);
    const far = await createDevice(t, 'thon-xa-1', zones.far);
    // A gateway inside the polygon alert's area, and one kept for tests.
    await t.api(`/api/devices/${far.id}`, { method: 'PATCH', json: { lat: 21.01, lon: 105.79 } });
    const lab = await createDevice(t, 'phong-thu-1', zones.far);
    await t.api(`/api/devices/${lab.id}`, { method: 'PATCH', json: { test: true } });
    await t.api('/api/cap/settings', { method: 'PUT', json: { trustedSenders: [{ sender: 'canhbao@kttv.gov.vn', conditions: { severity: ['Extreme', 'Severe'] } }], certificates: [] } });
  }, 60_000);

  it('airs a flood warning from a trusted sender at once, to the two hamlets whose geocodes it names, spoken in Vietnamese, at its risk level', async () => {
    const res = await post('flood-alert.xml');
    expect(res.status).toBe(201);
    const { alert } = await res.json();
    expect(alert).toMatchObject({ action: 'auto-air', state: 'aired' });
    expect([...alert.zoneIds].sort()).toEqual([zones.hongHa, zones.lienHa].sort());
    const b = await broadcast(alert.broadcastId);
    expect(b.broadcast).toMatchObject({ status: 'active', source: 'cap', contentKind: 'text', riskLevel: 2, title: 'Cảnh báo lũ trên sông Hồng tại Hà Nội' });
    expect(b.broadcast.text).toContain('mực nước sông Hồng');
    expect(b.targets.map((x: { deviceId: string }) => x.deviceId).sort()).toEqual(['hong-ha-1', 'lien-ha-1']);
    // The same alert again changes nothing.
    expect((await post('flood-alert.xml')).status).toBe(200);
  }, 60_000);

  it('acts on an Update by stopping what it references and airing the update, and a Cancel stops everything it references', async () => {
    const first = (await (await t.api('/api/cap/alerts')).json()).alerts.find((a: { identifier: string }) => a.identifier === 'KTTV-2026-LU-0042');
    const update = (await (await post('flood-update.xml')).json()).alert;
    expect(update).toMatchObject({ msgType: 'Update', state: 'aired' });
    expect((await broadcast(first.broadcastId)).broadcast.status).toBe('cancelled');
    expect((await broadcast(update.broadcastId)).broadcast.status).toBe('active');
    const cancel = (await (await post('flood-cancel.xml')).json()).alert;
    expect(cancel).toMatchObject({ msgType: 'Cancel', action: 'auto-cancel', state: 'cancelled' });
    expect((await broadcast(update.broadcastId)).broadcast.status).toBe('cancelled');
  }, 60_000);

  it('plays a Test alert only on gateways marked as test, never on the public loudspeakers', async () => {
    const { alert } = await (await post('test-alert.xml')).json();
    expect(alert.action).toBe('test-only');
    const b = await broadcast(alert.broadcastId);
    expect(b.broadcast.test).toBe(true);
    expect(b.targets.map((x: { deviceId: string }) => x.deviceId)).toEqual(['phong-thu-1']);
  }, 60_000);

  it('maps a polygon alert to the hamlet of a gateway inside it, and keeps it for a person when the sender is not trusted enough', async () => {
    const { alert } = await (await post('polygon-alert.xml')).json();
    expect(alert.zoneIds).toEqual([zones.far]);
    if (alert.state === 'waiting') {
      const chair = await t.api('/api/users', { method: 'POST', json: { username: 'chu-tich', password: 'chu-tich-mat-khau', role: 'approver' } });
      expect(chair.status).toBe(201);
      const aired = await t.as(await t.login('chu-tich', 'chu-tich-mat-khau'))(`/api/cap/alerts/${alert.id}/confirm`, { method: 'POST' });
      expect(aired.status).toBe(200);
      expect((await aired.json()).alert.state).toBe('aired');
    } else expect(alert.state).toBe('aired');
  }, 60_000);

  it.each([
    ['malformed/missing-info.xml', 'info'],
    ['malformed/wrong-namespace.xml', 'alert'],
    ['malformed/bad-sent.xml', 'sent'],
    ['malformed/unknown-reference.xml', 'references'],
    ['malformed/billion-laughs.xml', undefined],
  ])('refuses %s with an error naming the element, storing nothing', async (name, element) => {
    const before = (await (await t.api('/api/cap/alerts')).json()).alerts.length;
    const res = await post(name);
    expect(res.status).toBe(422);
    const { error } = await res.json();
    expect(error.code).toMatch(/^cap_/);
    if (element) expect(error.details.element).toContain(element);
    expect((await (await t.api('/api/cap/alerts')).json()).alerts.length).toBe(before);
  });

  it('refuses an alert from nobody: no token, no session', async () => {
    expect((await t.as()('/api/cap', { method: 'POST', body: await fixture('circle-alert.xml') })).status).toBe(401);
  });
});

describe('CAP alerts through the feed poller', () => {
  const t = useTestApp({ now: NOW });
  let hub: Server;
  let base: string;
  let fetched: string[] = [];

  beforeAll(async () => {
    hub = createServer(async (req, res) => {
      fetched.push(req.url!);
      if (req.url === '/feed.atom') {
        res.setHeader('content-type', 'application/atom+xml');
        return res.end(`<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><id>hub</id><title>KTTV</title><updated>2026-10-10T08:00:00+07:00</updated>
          <entry><id>urn:kttv:0042</id><title>Lũ</title><updated>2026-10-10T08:00:00+07:00</updated><link type="application/cap+xml" href="${base}/flood-alert.xml"/></entry>
          <entry><id>urn:kttv:bad</id><title>Hỏng</title><updated>2026-10-10T08:00:00+07:00</updated><link type="application/cap+xml" href="${base}/malformed/bad-sent.xml"/></entry>
        </feed>`);
      }
      try {
        res.setHeader('content-type', 'application/cap+xml');
        res.end(await fixture(req.url!.slice(1)));
      } catch {
        res.statusCode = 404;
        res.end();
      }
    });
    await new Promise<void>((r) => hub.listen(0, '127.0.0.1', () => r()));
    base = `http://127.0.0.1:${(hub.address() as { port: number }).port}`;
    const zone = (await (await t.api('/api/zones', { method: 'POST', json: { name: 'Thôn Hồng Hà', geocodes: [{ valueName: 'MA_DVHC', value: '09877' }] } })).json()).zone.id;
    await createDevice(t, 'hong-ha-2', zone);
  });
  afterAll(() => new Promise<void>((r) => hub.close(() => r())));

  it('takes each new entry once, keeps an untrusted alert for a person, and skips a malformed one', async () => {
    const feed = createCapFeed({ db: t.db, clock: t.clock, log: createLogger('silent'), cap: t.server.cap, url: `${base}/feed.atom`, everyMs: 60_000 });
    expect(await feed.poll()).toBe(1);
    const alerts = (await (await t.api('/api/cap/alerts')).json()).alerts;
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ identifier: 'KTTV-2026-LU-0042', source: 'feed', state: 'waiting', action: 'needs-confirmation' });
    fetched = [];
    expect(await feed.poll()).toBe(0);
    expect(fetched).toEqual(['/feed.atom']);
  });
});
