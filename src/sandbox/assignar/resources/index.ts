import type { ResourceName } from '../store';
import { timesheetsResource } from '../timesheets';
import { activitiesResource } from './activities';
import { assetsResource } from './assets';
import { clientsResource } from './clients';
import { assetClassesResource, employmentTypesResource, tagsResource, userTypesResource } from './lookups';
import { ordersResource } from './orders';
import { projectsResource } from './projects';
import { tasksResource } from './tasks';
import type { ResourceDef } from './types';
import { usersResource } from './users';

/** The resources served with list/create/get/put/delete under /v2. */
export const CRUD_RESOURCES: ResourceDef[] = [
  usersResource,
  tasksResource,
  assetsResource,
  clientsResource,
  projectsResource,
  ordersResource,
  activitiesResource,
];

/** Read-only lookups served under /v2 (list and get). */
export const LOOKUP_RESOURCES: ResourceDef[] = [userTypesResource, employmentTypesResource];

/** Every resource by name (the control API's `records/<type>`). */
export const RESOURCES: Record<ResourceName, ResourceDef> = {
  users: usersResource,
  tasks: tasksResource,
  assets: assetsResource,
  clients: clientsResource,
  projects: projectsResource,
  orders: ordersResource,
  activities: activitiesResource,
  timesheets: timesheetsResource,
  'user-types': userTypesResource,
  'employment-types': employmentTypesResource,
  'asset-classes': assetClassesResource,
  tags: tagsResource,
};

export type { ResourceDef, ResourceContext, Actor } from './types';
export { WORKER_USER_TYPE_ID } from './users';
