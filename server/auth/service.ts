import { and, eq, gt, lt } from 'drizzle-orm';
import { createInsertSchema } from 'drizzle-zod';
import { z } from 'zod';
import type { Clock } from '../clock.js';
import type { Db } from '../db/client.js';
import { sessions, users } from '../db/schema.js';
import { failureTracker } from '../domain/failures.js';
import { ApiError, notFound } from '../http/errors.js';
import { newId } from '../ids.js';
import { hashPassword, hashToken, newToken, verifyPassword, weakPassword } from './passwords.js';
import { ROLES, type Role } from './permissions.js';

export type { Role } from './permissions.js';
export interface SessionUser {
  id: string;
  username: string;
  displayName: string | null;
  role: Role;
}
export interface UserView extends SessionUser {
  disabled: boolean;
  createdAt: number;
  updatedAt: number | null;
}

const password = z.string().min(8).max(256);
/** What an admin gives to create a user: the table's columns, with the password instead of its hash. */
export const newUserSchema = createInsertSchema(users, {
  username: (s) => s.regex(/^[a-z0-9._-]{3,32}$/, 'username: 3–32 of a-z 0-9 . _ -'),
}).pick({ username: true, role: true, displayName: true })
  .extend({ password, displayName: z.string().trim().max(100).optional() });
export type NewUser = z.infer<typeof newUserSchema>;
/** What an admin may change about a user. */
export const userPatchSchema = z.object({
  role: z.enum(ROLES).optional(),
  displayName: z.string().trim().max(100).nullable().optional(),
  disabled: z.boolean().optional(),
}).strict();
export const passwordSchema = z.object({ password });

export interface LoginLimits {
  /** Wrong passwords from one address for one user name (and ×4 from one address overall) before 429. */
  maxFailures: number;
  windowMs: number;
  /** Password hashes computed at once; beyond, 429 at once instead of queueing behind scrypt. */
  maxConcurrent: number;
}

// Hashed once: verifying against it when the user does not exist takes as long as a real check.
const DUMMY_HASH = hashPassword('not-a-user-password-for-timing');

export function createAuthService({ db, clock, sessionTtlMs, limits = { maxFailures: 5, windowMs: 15 * 60_000, maxConcurrent: 4 } }: {
  db: Db; clock: Clock; sessionTtlMs: number; limits?: LoginLimits;
}) {
  // Sources are limited, never accounts: a flood against "admin" from one address must not keep the
  // real admin out from another.
  const failures = failureTracker({ windowMs: limits.windowMs });
  let hashing = 0;
  // One source may use at most half the slots, so a flood from one address leaves room for everyone else.
  const hashingFrom = new Map<string, number>();
  const perSource = Math.max(1, Math.floor(limits.maxConcurrent / 2));

  const publicUser = (u: typeof users.$inferSelect): SessionUser => ({
    id: u.id, username: u.username, displayName: u.displayName, role: u.role,
  });
  const userView = (u: typeof users.$inferSelect): UserView => ({ ...publicUser(u), disabled: u.disabled, createdAt: u.createdAt, updatedAt: u.updatedAt });
  const row = (id: string) => {
    const u = db.select().from(users).where(eq(users.id, id)).get();
    if (!u) throw notFound('User', id);
    return u;
  };
  const refuseWeak = (pw: string) => {
    const why = weakPassword(pw);
    if (why) throw new ApiError(422, 'weak_password', `Choose another password: ${why}`);
  };
  const endSessions = (userId: string) => db.delete(sessions).where(eq(sessions.userId, userId)).run();

  /** Runs a password hash within the concurrency caps (in all, and per source). */
  async function hashed<T>(work: () => Promise<T>, source = ''): Promise<T> {
    const mine = hashingFrom.get(source) ?? 0;
    if (hashing >= limits.maxConcurrent || mine >= perSource) {
      throw new ApiError(429, 'login_busy', 'Too many logins at once; try again in a few seconds', { retryAfterSeconds: 2 });
    }
    hashing++;
    hashingFrom.set(source, mine + 1);
    try {
      return await work();
    } finally {
      hashing--;
      const left = (hashingFrom.get(source) ?? 1) - 1;
      if (left > 0) hashingFrom.set(source, left);
      else hashingFrom.delete(source);
    }
  }

  return {
    /** First start: creates `admin` only when no user exists yet. */
    async ensureAdmin(pw: string | undefined): Promise<boolean> {
      if (!pw || db.select({ id: users.id }).from(users).limit(1).all().length > 0) return false;
      db.insert(users).values({
        id: newId('us'), username: 'admin', displayName: 'Quản trị', role: 'admin',
        passwordHash: await hashPassword(pw), createdAt: clock.now(),
      }).run();
      return true;
    },
    hasUsers: () => db.select({ id: users.id }).from(users).limit(1).all().length > 0,

    async createUser(input: NewUser): Promise<UserView> {
      if (db.select().from(users).where(eq(users.username, input.username)).get()) {
        throw new ApiError(409, 'username_taken', `User ${input.username} already exists`);
      }
      refuseWeak(input.password);
      const r = {
        id: newId('us'), username: input.username, displayName: input.displayName || null, role: input.role,
        passwordHash: await hashPassword(input.password), disabled: false, createdAt: clock.now(), updatedAt: null,
      };
      db.insert(users).values(r).run();
      return userView(r);
    },

    /** Role, display name, disabled. Disabling ends the user's sessions at once. The last active admin stays. */
    updateUser(id: string, patch: z.infer<typeof userPatchSchema>): { before: UserView; after: UserView } {
      const before = row(id);
      const losesAdmin = before.role === 'admin' && !before.disabled && ((patch.role && patch.role !== 'admin') || patch.disabled === true);
      if (losesAdmin) {
        const admins = db.select({ id: users.id }).from(users).where(and(eq(users.role, 'admin'), eq(users.disabled, false))).all();
        if (admins.length <= 1) throw new ApiError(409, 'last_admin', 'This is the only active admin; make another user admin first');
      }
      db.update(users).set({ ...patch, updatedAt: clock.now() }).where(eq(users.id, id)).run();
      if (patch.disabled === true || (patch.role && patch.role !== before.role)) endSessions(id);
      return { before: userView(before), after: userView(row(id)) };
    },

    /** A new password set by an admin, or by the user (with their current one): other sessions end. */
    async setPassword(id: string, pw: string, current?: { password: string; keepToken?: string }): Promise<UserView> {
      const u = row(id);
      refuseWeak(pw);
      if (current && !(await hashed(() => verifyPassword(current.password, u.passwordHash)))) {
        throw new ApiError(403, 'bad_credentials', 'The current password is wrong');
      }
      db.update(users).set({ passwordHash: await hashPassword(pw), updatedAt: clock.now() }).where(eq(users.id, id)).run();
      const keep = current?.keepToken ? hashToken(current.keepToken) : null;
      for (const s of db.select({ t: sessions.tokenHash }).from(sessions).where(eq(sessions.userId, id)).all()) {
        if (s.t !== keep) db.delete(sessions).where(eq(sessions.tokenHash, s.t)).run();
      }
      return userView(row(id));
    },

    async login(username: string, pw: string, address: string): Promise<{ token: string; user: SessionUser }> {
      const now = clock.now();
      const keys = [`${address}|${username}`, address];
      // The failure is reserved before hashing: forty attempts sent at once count as forty.
      if (failures.add(keys[0], now) > limits.maxFailures || failures.add(keys[1], now) > limits.maxFailures * 4) {
        keys.forEach((k) => failures.remove(k, now));
        throw new ApiError(429, 'too_many_attempts', `Too many failed logins from this address; wait ${Math.round(limits.windowMs / 60_000)} minutes and try again`);
      }
      const user = db.select().from(users).where(eq(users.username, username)).get();
      let ok: boolean;
      try {
        ok = await hashed(() => verifyPassword(pw, user?.passwordHash ?? '').then(async (good) => {
          if (!user) await verifyPassword(pw, await DUMMY_HASH);
          return good;
        }), address);
      } catch (err) {
        keys.forEach((k) => failures.remove(k, now));
        throw err;
      }
      if (!user || !ok) throw new ApiError(401, 'bad_credentials', 'Wrong username or password');
      keys.forEach((k) => failures.remove(k, now));
      failures.clear(keys[0]);
      if (user.disabled) throw new ApiError(403, 'account_disabled', 'This account is disabled; ask the commune admin');
      db.delete(sessions).where(lt(sessions.expiresAt, now)).run();
      const token = newToken();
      db.insert(sessions).values({ tokenHash: hashToken(token), userId: user.id, expiresAt: now + sessionTtlMs, createdAt: now }).run();
      return { token, user: publicUser(user) };
    },

    logout(token: string) {
      db.delete(sessions).where(eq(sessions.tokenHash, hashToken(token))).run();
    },

    userForToken(token: string | undefined): SessionUser | null {
      if (!token) return null;
      const r = db
        .select({ user: users })
        .from(sessions)
        .innerJoin(users, eq(users.id, sessions.userId))
        .where(and(eq(sessions.tokenHash, hashToken(token)), gt(sessions.expiresAt, clock.now()), eq(users.disabled, false)))
        .get();
      return r ? publicUser(r.user) : null;
    },

    /** Expired sessions are removed (housekeeping). Returns how many. */
    purgeExpiredSessions: () => db.delete(sessions).where(lt(sessions.expiresAt, clock.now())).run().changes,

    listUsers: () => db.select().from(users).orderBy(users.username).all().map(userView),
    getUser: (id: string) => userView(row(id)),
  };
}
export type AuthService = ReturnType<typeof createAuthService>;
