/** The console's roles, each allowed everything the ones before it are. */
export const ROLES = ['viewer', 'accountant', 'operator', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/**
 * What a route needs. viewer: read everything (never buyer PII, which the console does not show at
 * all); accountant: GL mappings and re-running settlements; operator: SKU/customer/carrier mappings,
 * redriving dead letters and pinging connections; admin: accounts.
 */
export const PERMISSIONS = {
  read: 'viewer',
  'map-gl': 'accountant',
  'rerun-settlement': 'accountant',
  'map-operations': 'operator',
  redrive: 'operator',
  ping: 'operator',
  'manage-users': 'admin',
} as const satisfies Record<string, Role>;
export type Permission = keyof typeof PERMISSIONS;

export const isRole = (v: unknown): v is Role =>
  typeof v === 'string' && (ROLES as readonly string[]).includes(v);

export function can(role: Role, permission: Permission): boolean {
  return ROLES.indexOf(role) >= ROLES.indexOf(PERMISSIONS[permission]);
}

/** Every permission a role holds, for the page to show or hide its buttons (the server decides). */
export function permissionsOf(role: Role): Permission[] {
  return (Object.keys(PERMISSIONS) as Permission[]).filter((p) => can(role, p));
}
