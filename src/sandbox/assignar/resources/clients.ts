import { renderColumns } from './common';
import type { ResourceDef } from './types';

/** Clients (`/clients/`; Sage customers). DELETE deactivates: the schema has no deleted_at. */
export const clientsResource: ResourceDef = {
  name: 'clients',
  label: 'Client',
  collectionPath: '/clients/',
  itemPath: '/clients/{clientId}',
  idParam: 'clientId',
  itemSchema: 'Client',
  createStatus: 201,
  updateStatus: 204,
  deleteStatus: 204,
  softDelete: 'inactive',
  modifiedField: 'modified_time',
  defaults: () => ({ active: true }),
  auditKeys: ['modified_by', 'modified_time'],
  render: (row) => renderColumns(row, 'Client'),
};
