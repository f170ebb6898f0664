import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Outbox } from '../devices/agent/outbox.js';

describe('the gateway outbox (store and forward)', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'loalang-outbox-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true, maxRetries: 5 }));

  it('keeps events on disk while offline and sends them oldest first once connected, then forgets them', async () => {
    let online = false;
    const sent: string[] = [];
    const box = new Outbox(dir, () => 1000, async (p) => void sent.push(JSON.parse(p).id), () => online);
    for (const id of ['e1', 'e2', 'e3']) await box.add({ id });
    expect(sent).toEqual([]);
    expect(await box.pending()).toHaveLength(3);
    online = true;
    await box.flush();
    expect(sent).toEqual(['e1', 'e2', 'e3']);
    expect(await box.pending()).toEqual([]);
  });

  it('sends an event added while a flush waits for its PUBACK in the same round', async () => {
    const sent: string[] = [];
    let release!: () => void;
    const firstAck = new Promise<void>((r) => (release = r));
    const box = new Outbox(dir, () => 1000, async (p) => {
      const id = JSON.parse(p).id;
      if (id === 'first') await firstAck;
      sent.push(id);
    }, () => true);
    const adding = box.add({ id: 'first' });
    await new Promise((r) => setTimeout(r, 20));
    await box.add({ id: 'second' });
    release();
    await adding;
    for (let i = 0; i < 50 && sent.length < 2; i++) await new Promise((r) => setTimeout(r, 10));
    expect(sent).toEqual(['first', 'second']);
  });

  it('stops at a failed send and keeps that event and the ones after it', async () => {
    let fail = true;
    const sent: string[] = [];
    const box = new Outbox(dir, () => 1000, async (p) => {
      if (fail) throw new Error('no PUBACK');
      sent.push(JSON.parse(p).id);
    }, () => true);
    await box.add({ id: 'a' });
    await box.add({ id: 'b' });
    expect(await box.pending()).toHaveLength(2);
    fail = false;
    await box.flush();
    for (let i = 0; i < 50 && sent.length < 2; i++) await new Promise((r) => setTimeout(r, 10));
    expect(sent).toEqual(['a', 'b']);
    expect(await box.pending()).toEqual([]);
  });
});
