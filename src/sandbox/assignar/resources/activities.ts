import { renderColumns } from './common';
import type { ResourceDef } from './types';

/**
 * Activities (`/activities`; Sage cost types). The Activity schema keeps `date_added`/`date_modified`
 * (not modified_time) and an integer `modified_by`; DELETE stamps deleted_at/deleted_by_id.
 */
export const activitiesResource: ResourceDef = {
  name: 'activities',
  label: 'Activity',
  collectionPath: '/activities',
  itemPath: '/activities/{activityId}',
  idParam: 'activityId',
  itemSchema: 'Activity',
  createStatus: 201,
  updateStatus: 204,
  deleteStatus: 204,
  softDelete: 'deleted_at',
  modifiedField: 'date_modified',
  createdField: 'date_added',
  defaults: () => ({ rule: 1, billable: 1, active: true, sortorder: 0 }),
  auditKeys: ['modified_by', 'date_added', 'date_modified'],
  render: (row) => renderColumns(row, 'Activity', ['activity_type']),
};
