import { pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';
import { DEVICE_ID_PATTERN } from '../../devices/protocol/index.js';
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
}

const MAX_FAILURES = 10;
const WINDOW_MS = 5 * 60_000;

/**
 * The one authentication behind the embedded broker's hook and the external broker's HTTP hook.
 * A device's client id must be its id, so one device cannot take over another's session. After
 * ten failures in five minutes an identity is refused outright for the rest of the window.
 */
export function createMqttAuthenticator(deps: MqttAuthDeps) {
  const failures = new Map<string, number[]>();
  const same = (a: string, b: string) => {
    const x = Buffer.from(a);
    const y = Buffer.from(b);
    return x.length === y.length && timingSafeEqual(x, y);
  };
  return {
    authenticate(c: { username?: string; password?: string; clientId: string }): { ok: true; principal: Principal } | { ok: false; code: 4 | 5; reason: string } {
      if (!c.username) return { ok: false, code: 5, reason: 'anonymous clients are not allowed' };
      const now = deps.now();
      const recent = (failures.get(c.username) ?? []).filter((t) => t > now - WINDOW_MS);
      if (recent.length >= MAX_FAILURES) return { ok: false, code: 5, reason: 'too many failed attempts; banned for five minutes' };
      const fail = (reason: string) => {
        failures.set(c.username!, [...recent, now]);
        return { ok: false as const, code: 4 as const, reason };
      };
      if (c.username === deps.serverUsername) {
        return same(c.password ?? '', deps.serverPassword) ? { ok: true, principal: { kind: 'server' } } : fail('bad server credentials');
      }
      if (!DEVICE_ID_PATTERN.test(c.username) || c.clientId !== c.username || !deps.verifyDevice(c.username, c.password ?? '')) {
        return fail('bad device credentials');
      }
      failures.delete(c.username);
      return { ok: true, principal: { kind: 'device', id: c.username } };
    },
  };
}
export type MqttAuthenticator = ReturnType<typeof createMqttAuthenticator>;

