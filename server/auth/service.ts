import { and, eq, gt, lt } from 'drizzle-orm';
import { createInsertSchema } from 'drizzle-zod';
import { z } from 'zod';
import type { Clock } from '../clock.js';
import type { Db } from '../db/client.js';
import { sessions, users } from '../db/schema.js';
import { ApiError } from '../http/errors.js';
import { newId } from '../ids.js';
import { hashPassword, hashToken, newToken, verifyPassword } from './passwords.js';
import type { Role } from './permissions.js';

export type { Role } from './permissions.js';
export interface SessionUser {
  id: string;
  username: string;
  displayName: string | null;
  role: Role;
}

/** What an admin gives to create a user: the table's columns, with the password instead of its hash. */
export const newUserSchema = createInsertSchema(users, {
  username: (s) => s.regex(/^[a-z0-9._-]{3,32}$/, 'username: 3–32 of a-z 0-9 . _ -'),
}).pick({ username: true, role: true, displayName: true })
  .extend({ password: z.string().min(8).max(256), displayName: z.string().max(100).optional() });
export type NewUser = z.infer<typeof newUserSchema>;

const MAX_FAILURES = 5;
const FAILURE_WINDOW_MS = 15 * 60_000;

export function createAuthService({ db, clock, sessionTtlMs }: { db: Db; clock: Clock; sessionTtlMs: number }) {
  // Login rate limit per username+address; in memory is enough for one commune server.
  const failures = new Map<string, number[]>();

  const publicUser = (u: typeof users.$inferSelect): SessionUser => ({
    id: u.id, username: u.username, displayName: u.displayName, role: u.role,
  });

  return {
    /** First start: creates `admin` only when no user exists yet. */
    async ensureAdmin(password: string | undefined): Promise<boolean> {
      if (!password || db.select({ id: users.id }).from(users).limit(1).all().length > 0) return false;
      db.insert(users).values({
        id: newId('us'), username: 'admin', displayName: 'Quản trị', role: 'admin',
        passwordHash: await hashPassword(password), createdAt: clock.now(),
      }).run();
      return true;
    },

    async createUser(input: NewUser): Promise<SessionUser> {
      if (db.select().from(users).where(eq(users.username, input.username)).get()) {
        throw new ApiError(409, 'username_taken', `User ${input.username} already exists`);
      }
      const row = {
        id: newId('us'), username: input.username, displayName: input.displayName ?? null, role: input.role,
        passwordHash: await hashPassword(input.password), createdAt: clock.now(),
      };
      db.insert(users).values(row).run();
      return publicUser(row);
    },

    async login(username: string, password: string, address: string): Promise<{ token: string; user: SessionUser }> {
      const key = `${username}|${address}`;
      const now = clock.now();
      const recent = (failures.get(key) ?? []).filter((t) => t > now - FAILURE_WINDOW_MS);
      if (recent.length >= MAX_FAILURES) {
        throw new ApiError(429, 'too_many_attempts', 'Too many failed logins; wait 15 minutes and try again');
      }
      const user = db.select().from(users).where(eq(users.username, username)).get();
      if (!user || !(await verifyPassword(password, user.passwordHash))) {
        failures.set(key, [...recent, now]);
        throw new ApiError(401, 'bad_credentials', 'Wrong username or password');
      }
      failures.delete(key);
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
      const row = db
        .select({ user: users })
        .from(sessions)
        .innerJoin(users, eq(users.id, sessions.userId))
        .where(and(eq(sessions.tokenHash, hashToken(token)), gt(sessions.expiresAt, clock.now())))
        .get();
      return row ? publicUser(row.user) : null;
    },

    listUsers: () => db.select().from(users).all().map(publicUser),
  };
}
export type AuthService = ReturnType<typeof createAuthService>;
