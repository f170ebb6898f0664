import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useTestApp } from '../helpers/app.js';

const HUB = 'cap-hub-token-0123456789';

describe('CAP alerts waiting for a person, however many came after them', () => {
  const t = useTestApp({ now: Date.parse('2026-10-10T08:05:00+07:00'), env: { CAP_INBOUND_TOKEN: HUB } });

  it('counts every waiting alert in the approver\'s banner and lists each on /khan-cap, also past the newest fifty', async () => {
    expect((await t.api('/api/zones', { method: 'POST', json: { name: 'Thôn Hồng Hà', geocodes: [{ valueName: 'MA_DVHC', value: '09877' }] } })).status).toBe(201);
    const xml = await readFile(join(import.meta.dirname, '..', 'fixtures', 'cap', 'flood-alert.xml'), 'utf8');
    const identifier = /<identifier>([^<]+)</.exec(xml)![1];
    // No trusted sender is configured: every alert for the hamlet waits for the chair.
    for (let i = 0; i < 51; i++) {
      const res = await t.as()('/api/cap', {
        method: 'POST', headers: { authorization: `Bearer ${HUB}`, 'content-type': 'application/cap+xml' }, body: xml.replace(identifier, `${identifier}-${i}`),
      });
      expect(res.status).toBe(201);
      expect((await res.json()).alert.state).toBe('waiting');
    }
    await t.api('/api/users', { method: 'POST', json: { username: 'chu-tich', password: 'chu-tich-mat-khau', role: 'approver' } });
    const chair = t.as(await t.login('chu-tich', 'chu-tich-mat-khau'));
    const page = await (await chair('/khan-cap')).text();
    expect(page).toContain('51 cảnh báo thiên tai (CAP) đang chờ lãnh đạo quyết định');
    expect(page.match(/data-cap-id="/g)).toHaveLength(51);
  });
});
