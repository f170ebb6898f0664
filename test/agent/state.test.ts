import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AgentState } from '../../devices/agent/state.js';
import { at } from '../helpers/agent-fixtures.js';

describe('the state the agent keeps across restarts', () => {
  let dir: string;
  let file: string;
  const onDisk = async () => JSON.parse(await readFile(file, 'utf8'));
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'loalang-state-'));
    file = join(dir, 'state.json');
  });
  afterEach(() => rm(dir, { recursive: true, force: true, maxRetries: 5 }));

  it('starts at session 1 on an empty cache and counts one more at every start', async () => {
    const first = new AgentState(file, 80);
    await first.open();
    expect(first.session).toBe(1);
    const second = new AgentState(file, 80);
    await second.open();
    expect(second.session).toBe(2);
    expect((await onDisk()).session).toBe(2);
  });

  it('remembers the last command seq, the volume and what played, for the next process', async () => {
    const before = new AgentState(file, 80);
    await before.open();
    before.lastCommandSeq = 7;
    before.volume = 35;
    before.markPlayed('oc_sang', at('07:00'));
    await before.save();
    const after = new AgentState(file, 80);
    await after.open();
    expect([after.lastCommandSeq, after.volume, after.hasPlayed('oc_sang'), after.hasPlayed('oc_chieu')]).toEqual([7, 35, true, false]);
  });

  it('uses the configured volume and seq 0 until something else is stored', async () => {
    const s = new AgentState(file, 65);
    await s.open();
    expect([s.volume, s.lastCommandSeq]).toEqual([65, 0]);
  });

  it('queues its writes, so the last state saved is the one left on disk', async () => {
    const s = new AgentState(file, 80);
    await s.open();
    const saves: Promise<void>[] = [];
    for (let seq = 1; seq <= 20; seq++) {
      s.lastCommandSeq = seq;
      saves.push(s.save());
    }
    await Promise.all(saves);
    expect((await onDisk()).lastCommandSeq).toBe(20);
  });

  it('forgets plays more than two days old and keeps the rest', async () => {
    const s = new AgentState(file, 80);
    await s.open();
    s.markPlayed('old', at('07:00') - 2 * 86400_000 - 1);
    s.markPlayed('recent', at('07:00') - 2 * 86400_000);
    s.forgetOldPlays(at('07:00'));
    expect(Object.keys(s.played)).toEqual(['recent']);
  });
});
