import { openCommand, type Command, type ManifestItem } from '../protocol/index.js';
import type { EventBody } from './reporter.js';
import type { AgentState } from './state.js';
import type { Timers } from './timers.js';

export interface CommandResult {
  result: 'done' | 'rejected' | 'failed';
  reason?: string;
}

/** Nothing when done; why it could not run; or what to do once `done` has been reported. */
export type HandlerOutcome = void | { failed: string } | { afterReport: () => Promise<void> };
export type CommandHandlers = { [T in Command['type']]: (c: Command) => HandlerOutcome | Promise<HandlerOutcome> };

/** What the commands act on. */
export interface CommandActions {
  silence(): void;
  setVolume(volume: number): Promise<void>;
  resync(): void;
  playNow(item: ManifestItem): void;
  /** Sends the queued events. */
  flush(): Promise<void>;
  /** How this agent restarts; absent when it cannot. */
  reboot?: () => void;
}

/** One handler per command type. */
export function commandHandlers(a: CommandActions, timers: Timers): CommandHandlers {
  return {
    stop: () => a.silence(),
    'set-volume': async (c) => {
      if (c.volume === undefined) return { failed: 'set-volume needs a volume' };
      await a.setVolume(c.volume);
    },
    resync: () => a.resync(),
    'reboot-agent': () => {
      const reboot = a.reboot;
      if (!reboot) return { failed: 'this agent cannot restart itself' };
      // The result goes out before the restart, or the server would never hear it.
      return { afterReport: async () => {
        await a.flush();
        reboot();
      } };
    },
    'play-now': (c) => {
      if (!c.item) return { failed: 'play-now needs an item' };
      // Its own occurrence id per command: the same program played now twice is two plays, not a replay.
      a.playNow({ ...c.item, occurrenceId: `${c.item.occurrenceId}-${c.seq}`, startAt: timers.now() });
    },
  };
}

/**
 * Verifies and runs a command. Refused, and reported with the reason: a bad signature, another
 * device's command, a seq not above the last accepted one (replayed or out of order), an expired one.
 */
export class Commands {
  constructor(private readonly o: {
    id: string;
    serverPublicKey: string;
    timers: Timers;
    state: AgentState;
    handlers: CommandHandlers;
    event: (e: EventBody) => Promise<void>;
    log: (msg: string, extra?: object) => void;
    /** While server time is not known yet (just reconnected), what to wait for before judging an expiry. */
    clockReady?: () => Promise<void> | undefined;
  }) {}

  async run(raw: Buffer | string): Promise<CommandResult> {
    const opened = openCommand(raw, this.o.serverPublicKey);
    if (!opened.ok) return this.report(0, 'rejected', opened.reason);
    const c = opened.value;
    const ready = this.o.clockReady?.();
    if (ready) await ready;
    const refusal = this.refusal(c);
    if (refusal) return this.report(c.seq, 'rejected', refusal);
    // Stored before it runs: after a crash in the middle, the same command is not run again.
    this.o.state.lastCommandSeq = c.seq;
    await this.o.state.save();
    const outcome = await this.o.handlers[c.type](c);
    if (outcome && 'failed' in outcome) return this.report(c.seq, 'failed', outcome.failed);
    const done = await this.report(c.seq, 'done');
    if (outcome && 'afterReport' in outcome) await outcome.afterReport();
    return done;
  }

  private refusal(c: Command): string | undefined {
    const last = this.o.state.lastCommandSeq;
    if (c.deviceId !== this.o.id) return `command is for ${c.deviceId}`;
    if (c.seq <= last) return c.seq === last ? 'replayed: this seq was already accepted' : `out of order: seq ${c.seq} after ${last}`;
    if (c.expiresAt <= this.o.timers.now()) return `expired at ${new Date(c.expiresAt).toISOString()}`;
    return undefined;
  }

  private async report(seq: number, result: CommandResult['result'], reason?: string): Promise<CommandResult> {
    if (result !== 'done') this.o.log('command not run', { seq, result, reason });
    await this.o.event({ type: 'command-result', seq, result, ...(reason ? { reason } : {}) });
    return { result, ...(reason ? { reason } : {}) };
  }
}
