/**
 * Who may do what: the one table every route and the panel read. A role change is one line here.
 * Roles are declared once (the users table's enum is this list).
 */
export const ROLES = ['admin', 'editor', 'approver', 'technician'] as const;
export type Role = (typeof ROLES)[number];

const EVERYONE = ROLES;
/** People who handle content: the culture officer, the chair, and the admin who set them up. */
const CONTENT = ['admin', 'editor', 'approver'] as const;

export const PERMISSIONS = {
  'users.manage': ['admin'],
  'zones.view': EVERYONE,
  'zones.edit': ['admin', 'editor', 'technician'],
  'zones.delete': ['admin', 'technician'],
  'devices.view': EVERYONE,
  'devices.manage': ['admin', 'technician'],
  'devices.command': ['admin', 'technician', 'approver'],
  'programs.view': CONTENT,
  'programs.edit': CONTENT,
  // The chair's decision is a person's office: not even admin approves.
  'programs.decide': ['approver'],
  /** Audio: people who handle content, and gateways (by their own credentials); not technicians. */
  'media.listen': CONTENT,
  'schedules.view': CONTENT,
  'schedules.edit': CONTENT,
  'playlogs.view': CONTENT,
  /** One gateway's as-run log: what it played, for the technicians who look after it, too. */
  'devices.playlogs': EVERYONE,
  'audit.view': ['admin', 'approver'],
  /** Live updates about content (job progress, programs, plays) beside the device status everyone sees. */
  'live.content': CONTENT,
  /** Emergency broadcasts: everyone sees them and their status on every gateway. */
  'broadcasts.view': EVERYONE,
  /** Prepare one; it goes out at once unless the two-person rule asks an approver to confirm it. */
  'broadcasts.prepare': EVERYONE,
  /** The chair fires directly and confirms what others prepared (never their own). */
  'broadcasts.fire': ['approver'],
  'broadcasts.confirm': ['approver'],
  /** Cancel any broadcast; whoever prepared one may always cancel their own. */
  'broadcasts.cancel': ['approver'],
  /** Planned against played, and the incidents missed plays open: technicians read them too. */
  'plays.view': EVERYONE,
  'reports.view': EVERYONE,
  /** The risk-level table and the two-person rule. */
  'broadcasts.settings': ['admin', 'approver'],
} as const satisfies Record<string, readonly Role[]>;

export type Action = keyof typeof PERMISSIONS;

export const can = (role: Role, action: Action): boolean => (PERMISSIONS[action] as readonly Role[]).includes(role);

/** Every action a role may take: what the panel is given to decide what to show. */
export const actionsOf = (role: Role): Action[] => (Object.keys(PERMISSIONS) as Action[]).filter((a) => can(role, a));

export const ROLE_LABELS: Record<Role, string> = {
  admin: 'Quản trị',
  editor: 'Cán bộ văn hoá',
  approver: 'Lãnh đạo duyệt',
  technician: 'Kỹ thuật viên',
};
