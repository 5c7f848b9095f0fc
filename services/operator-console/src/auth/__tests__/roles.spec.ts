import { can, permissionsOf } from '../roles';

describe('roles', () => {
  it('when each role is asked, then it holds what the roles below it hold and no more', () => {
    expect(permissionsOf('viewer')).toEqual(['read']);
    expect(permissionsOf('accountant')).toEqual(['read', 'map-gl', 'rerun-settlement']);
    expect(permissionsOf('operator')).toEqual([
      'read',
      'map-gl',
      'rerun-settlement',
      'map-operations',
      'redrive',
      'ping',
    ]);
    expect(permissionsOf('admin')).toContain('manage-users');
    expect(can('viewer', 'map-gl')).toBe(false);
    expect(can('accountant', 'redrive')).toBe(false);
    expect(can('operator', 'manage-users')).toBe(false);
  });
});
