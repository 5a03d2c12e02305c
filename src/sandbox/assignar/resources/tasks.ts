import { renderColumns } from './common';
import type { ResourceDef } from './types';

/** Roles (`/tasks`; Sage Labor items). DELETE deactivates: the schema has no deleted_at. */
export const tasksResource: ResourceDef = {
  name: 'tasks',
  label: 'Task',
  collectionPath: '/tasks',
  itemPath: '/tasks/{taskId}',
  idParam: 'taskId',
  itemSchema: 'Task',
  createStatus: 201,
  updateStatus: 204,
  deleteStatus: 204,
  softDelete: 'inactive',
  modifiedField: 'modified_time',
  defaults: () => ({ active: true, req_machines: false, supervisor: false }),
  auditKeys: ['modified_by', 'modified_time'],
  render: (row) => renderColumns(row, 'Task'),
};
