import { pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';
import { DEVICE_ID_PATTERN } from '../../devices/protocol/index.js';
import { failureTracker } from '../domain/failures.js';
import type { Principal } from './acl.js';

/** Mosquitto 2's password-file hash: `$7$iterations$salt$hash`, PBKDF2-HMAC-SHA512 (as mosquitto_passwd writes it). */
export function mosquittoHash(password: string, iterations = 101): string {
  const salt = randomBytes(12);
  const hash = pbkdf2Sync(password, salt, iterations, 64, 'sha512');
  return `$7$${iterations}$${salt.toString('base64')}$${hash.toString('base64')}`;
}

export interface MqttAuthDeps {
  serverUsername: string;
  serverPassword: string;
  verifyDevice(id: string, secret: string): boolean;
  now(): number;
  /** Wrong secrets from one address (and for one identity from one address) within five minutes before it is slowed down. */
  maxFailures?: number;
}

const WINDOW_MS = 5 * 60_000;
/** A user name or client id longer than this is refused at the door and never stored or logged whole. */
export const MAX_IDENTITY_LENGTH = 128;
/** How long a refusal to a source over its limit is held back: a guessing loop slows to a crawl. */
export const SLOW_DOWN_MS = 2000;

export type MqttAuthResult =
  | { ok: true; principal: Principal }
  | { ok: false; code: 4 | 5; reason: string; slowDownMs?: number };

/**
 * The one authentication behind the embedded broker's hook and the external broker's HTTP hook.
 * A device's client id must be its id, so one device cannot take over another's session. A correct
 * secret is never refused: failures are counted per source address (and per identity from that
 * address), and a source over its limit is slowed down and refused — never the identity, so nobody
 * can lock a real gateway out by guessing its password from elsewhere.
 */
export function createMqttAuthenticator(deps: MqttAuthDeps) {
  const max = deps.maxFailures ?? 10;
  const failures = failureTracker({ windowMs: WINDOW_MS, maxKeys: 10_000, maxKeyLength: MAX_IDENTITY_LENGTH + 64 });
  const same = (a: string, b: string) => {
    const x = Buffer.from(a);
    const y = Buffer.from(b);
    return x.length === y.length && timingSafeEqual(x, y);
  };
  return {
    authenticate(c: { username?: string; password?: string; clientId: string; address?: string }): MqttAuthResult {
      if (!c.username) return { ok: false, code: 5, reason: 'anonymous clients are not allowed' };
      if (c.username.length > MAX_IDENTITY_LENGTH || c.clientId.length > MAX_IDENTITY_LENGTH) {
        return { ok: false, code: 4, reason: `user name or client id longer than ${MAX_IDENTITY_LENGTH} characters` };
      }
      const now = deps.now();
      const source = c.address ?? 'unknown';
      const good = c.username === deps.serverUsername
        ? same(c.password ?? '', deps.serverPassword)
        : DEVICE_ID_PATTERN.test(c.username) && c.clientId === c.username && deps.verifyDevice(c.username, c.password ?? '');
      if (good) return { ok: true, principal: c.username === deps.serverUsername ? { kind: 'server' } : { kind: 'device', id: c.username } };
      const fromSource = failures.add(source, now);
      const forIdentity = failures.add(`${source}|${c.username}`, now);
      const reason = c.username === deps.serverUsername ? 'bad server credentials' : 'bad device credentials';
      if (fromSource > max * 4 || forIdentity > max) {
        return { ok: false, code: 5, reason: `${reason}; too many failed attempts from ${source}, slowed down`, slowDownMs: SLOW_DOWN_MS };
      }
      return { ok: false, code: 4, reason };
    },
    /** How many sources and identities are being tracked (bounded; for tests and metrics). */
    get tracked() {
      return failures.size;
    },
  };
}
export type MqttAuthenticator = ReturnType<typeof createMqttAuthenticator>;
