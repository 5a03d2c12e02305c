import { renderColumns } from './common';
import type { ResourceDef } from './types';

/** Read-only lookups served over the API (GET only): user types and employment types. */
export const userTypesResource: ResourceDef = {
  name: 'user-types',
  label: 'UserType',
  collectionPath: '/user-types',
  itemPath: '/user-types/{userTypeID}',
  idParam: 'userTypeID',
  itemSchema: 'UserType',
  readOnly: true,
  createStatus: 201,
  updateStatus: 204,
  deleteStatus: 204,
  softDelete: 'inactive',
  modifiedField: 'modified_time',
  auditKeys: [],
  render: (row) => renderColumns(row, 'UserType'),
};

export const employmentTypesResource: ResourceDef = {
  name: 'employment-types',
  label: 'EmploymentType',
  collectionPath: '/employment-types',
  itemPath: '/employment-types/{employmentTypeId}',
  idParam: 'employmentTypeId',
  itemSchema: 'EmploymentType',
  readOnly: true,
  createStatus: 201,
  updateStatus: 204,
  deleteStatus: 204,
  softDelete: 'inactive',
  modifiedField: 'modified_time',
  auditKeys: [],
  render: (row) => renderColumns(row, 'EmploymentType'),
};

/**
 * Lookups the tenant holds but the sandbox does not serve over /v2 (reachable through the control API's
 * records/<type>): asset classes (assets' assetClass) and tags.
 */
export const assetClassesResource: ResourceDef = {
  name: 'asset-classes',
  label: 'AssetClass',
  collectionPath: '',
  itemPath: '',
  idParam: 'assetClassId',
  itemSchema: 'AssetClass',
  readOnly: true,
  createStatus: 201,
  updateStatus: 204,
  deleteStatus: 204,
  softDelete: 'inactive',
  modifiedField: 'modified_time',
  auditKeys: [],
  render: (row) => renderColumns(row, 'AssetClass'),
};

export const tagsResource: ResourceDef = {
  name: 'tags',
  label: 'Tag',
  collectionPath: '',
  itemPath: '',
  idParam: 'tagId',
  itemSchema: 'Tag',
  readOnly: true,
  createStatus: 201,
  updateStatus: 204,
  deleteStatus: 204,
  softDelete: 'inactive',
  modifiedField: 'modified_time',
  auditKeys: [],
  render: (row) => renderColumns(row, 'Tag'),
};
