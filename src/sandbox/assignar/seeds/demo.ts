import { uiUpsert } from '../crud';
import { RESOURCES } from '../resources';
import type { ResourceContext } from '../resources/types';
import type { ResourceName } from '../store';

/** Inserts records through the UI path (no API validation), in order. */
export function put(ctx: ResourceContext, resource: ResourceName, records: Array<Record<string, unknown>>): number[] {
  return records.map((r) => uiUpsert(RESOURCES[resource], ctx, r).id);
}

/** The id of the demo tenant's administrator (the owner of the API credentials, and an order owner). */
export const DEMO_ADMIN_ID = 1001;

/**
 * A small tenant as a customer has it the day the integration is switched on: the product's lookups
 * (user types, employment types, asset classes, tags) and the administrator who set it up. No clients,
 * projects, roles, equipment, activities or workers: those come from Sage Intacct.
 */
export function seedDemo(ctx: ResourceContext): void {
  const at = '2025-01-06T15:00:00.000Z';
  put(ctx, 'user-types', [
    { id: 1, user_type: 'admin', label: 'Administrator', modified_by: 'system', modified_time: at },
    { id: 2, user_type: 'mobile', label: 'Mobile User (Field Worker)', modified_by: 'system', modified_time: at },
    { id: 3, user_type: 'dashboard', label: 'Office User', modified_by: 'system', modified_time: at },
  ]);
  put(ctx, 'employment-types', [
    { id: 1, name: 'Full Time' },
    { id: 2, name: 'Part Time' },
    { id: 3, name: 'Casual' },
    { id: 4, name: 'Contractor' },
  ]);
  put(ctx, 'asset-classes', [
    { id: 1, name: 'Heavy Machinery', description: 'Large construction equipment', code: 'HEAVY-MACH' },
    { id: 2, name: 'Light Vehicles', description: 'Utes, vans and pickups', code: 'LIGHT-VEH' },
    { id: 3, name: 'Small Plant', description: null, code: 'SMALL-PLANT' },
  ]);
  put(ctx, 'tags', [
    { id: 301, taxonomy: 'user', name: 'HEAVY VEHICLES', description: null, color: '#009688', integration_id: null },
    { id: 302, taxonomy: 'asset', name: 'GPS TRACKED', description: 'Telematics fitted', color: '#795548', integration_id: null },
    { id: 303, taxonomy: 'project', name: 'UNION SITE', description: null, color: '#3F51B5', integration_id: null },
  ]);
  put(ctx, 'users', [
    {
      id: DEMO_ADMIN_ID,
      user_type_id: 1,
      first_name: 'Dana',
      last_name: 'Whitfield',
      email: 'dana.whitfield@demo-construction.example.com',
      username: 'dana.whitfield@demo-construction.example.com',
      contact: '(312) 555-0100',
      employment_type: 1,
      active: true,
      eula: 1,
      modified_by: 'system',
      modified_time: at,
    },
  ]);
}
