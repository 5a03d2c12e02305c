import { ConnectionConfigSchema, type ConnectionConfig, type EntityKind } from '../../../src/config/schema';
import type { MapContext, MappingDefaults } from '../../../src/mapping';
import type { SageCustomer, SageEmployee, SageItem, SageProject, SageStandardCostType, SageTask } from '../../../src/sage/objects';

/** A parsed connection configuration with the given overrides of `glGroups`, `entities`, `timeZone`. */
export function makeConfig(overrides: Record<string, unknown> = {}): ConnectionConfig {
  return ConnectionConfigSchema.parse({
    id: 'test',
    timeZone: 'America/Chicago',
    sage: {
      endpoint: 'http://127.0.0.1:7431/ia/xml/xmlgw.phtml',
      senderId: 'sender',
      senderPassword: { env: 'X' },
      userId: 'user',
      companyId: 'company',
      userPassword: { env: 'Y' },
    },
    assignar: { apiBase: 'http://127.0.0.1:7432/v2', tokenUrl: 'http://127.0.0.1:7432/oauth2/token', clientId: 'c', clientSecret: { env: 'Z' } },
    ...overrides,
  });
}

export const LINKS: Record<string, number> = {
  'client:C100': 975,
  'client:C200': 976,
  'project:P100': 4100,
  'project:P-200': 4101,
  'project:P300': 4102,
};
export const PROJECT_CLIENTS: Record<string, number> = { P100: 975, 'P-200': 976 };

export function makeContext(options: { config?: ConnectionConfig; defaults?: MappingDefaults; links?: Record<string, number> } = {}): MapContext {
  const links = options.links ?? LINKS;
  return {
    config: options.config ?? makeConfig(),
    defaults: options.defaults ?? { orderOwnerId: 40, employmentTypeId: 1 },
    assignarIdFor: (kind: EntityKind, id: string) => links[`${kind}:${id}`],
    projectClientId: (projectId: string) => PROJECT_CLIENTS[projectId],
  };
}

export const customer = (extra: Partial<SageCustomer> = {}): SageCustomer => ({
  RECORDNO: '12',
  CUSTOMERID: 'C100',
  NAME: 'Acme Construction',
  STATUS: 'active',
  WHENCREATED: '2024-03-01T15:00:00.000Z',
  WHENMODIFIED: '2025-06-01T16:00:00.000Z',
  'DISPLAYCONTACT.EMAIL1': 'ap@acme.example.com',
  'DISPLAYCONTACT.PHONE1': '+1 312 555 0100',
  'DISPLAYCONTACT.CELLPHONE': '+1 312 555 0199',
  'DISPLAYCONTACT.MAILADDRESS.ADDRESS1': '100 Main St',
  'DISPLAYCONTACT.MAILADDRESS.ADDRESS2': 'Suite 4',
  'DISPLAYCONTACT.MAILADDRESS.CITY': 'Chicago',
  'DISPLAYCONTACT.MAILADDRESS.STATE': 'IL',
  'DISPLAYCONTACT.MAILADDRESS.ZIP': '60601',
  ...extra,
});

export const project = (extra: Partial<SageProject> = {}): SageProject => ({
  RECORDNO: '301',
  PROJECTID: 'P100',
  NAME: 'Riverside Tower',
  STATUS: 'active',
  CUSTOMERID: 'C100',
  CUSTOMERNAME: 'Acme Construction',
  PARENTID: '',
  PROJECTSTATUS: 'In Progress',
  BEGINDATE: '01/15/2025',
  ENDDATE: '12/31/2026',
  WHENCREATED: '2025-01-10T14:00:00.000Z',
  WHENMODIFIED: '2025-06-01T16:00:00.000Z',
  ...extra,
});

export const item = (extra: Partial<SageItem> = {}): SageItem => ({
  RECORDNO: '501',
  ITEMID: 'LAB-CARP',
  NAME: 'Carpenter',
  STATUS: 'active',
  ITEMTYPE: 'Non-Inventory',
  GLGROUP: 'Labor',
  EXTENDED_DESCRIPTION: '',
  WHENCREATED: '2024-01-01T00:00:00.000Z',
  WHENMODIFIED: '2025-01-01T00:00:00.000Z',
  ...extra,
});

export const equipmentItem = (extra: Partial<SageItem> = {}): SageItem =>
  item({ RECORDNO: '601', ITEMID: 'EQ-EXC-20', NAME: '20t Excavator', GLGROUP: 'Equipment', EXTENDED_DESCRIPTION: 'Cat 320 GC, 20 tonne', ...extra });

export const costType = (extra: Partial<SageStandardCostType> = {}): SageStandardCostType => ({
  RECORDNO: '701',
  STANDARDCOSTTYPEID: '03-100',
  NAME: 'Concrete Forming',
  STATUS: 'active',
  ACCUMULATIONTYPE: 'Labor',
  WHENCREATED: '2024-01-01T00:00:00.000Z',
  WHENMODIFIED: '2025-01-01T00:00:00.000Z',
  ...extra,
});

export const employee = (extra: Partial<SageEmployee> = {}): SageEmployee => ({
  RECORDNO: '801',
  EMPLOYEEID: 'E1001',
  STATUS: 'active',
  EMPLOYEETYPE: 'Field',
  DEPARTMENTID: 'OPS',
  LOCATIONID: 'CHI',
  TITLE: 'Carpenter',
  'CONTACT.FIRSTNAME': 'Maria',
  'CONTACT.LASTNAME': 'Lopez',
  'CONTACT.EMAIL1': 'maria.lopez@example.com',
  'CONTACT.PHONE1': '+1 312 555 0142',
  'CONTACT.CELLPHONE': '+1 312 555 0143',
  WHENCREATED: '2023-05-01T13:00:00.000Z',
  WHENMODIFIED: '2025-05-01T13:00:00.000Z',
  ...extra,
});

export const task = (extra: Partial<SageTask> = {}): SageTask => ({
  RECORDNO: '901',
  TASKID: 'T01',
  NAME: 'Foundations',
  STATUS: 'active',
  PROJECTID: 'P100',
  PROJECTKEY: '301',
  TASKSTATUS: 'In Progress',
  PBEGINDATE: '02/01/2025',
  PENDDATE: '04/30/2025',
  DESCRIPTION: 'Footings and slab on grade',
  WHENCREATED: '2025-01-20T18:00:00.000Z',
  WHENMODIFIED: '2025-06-01T16:00:00.000Z',
  ...extra,
});

/** Hostile-but-valid text: XML/SQL metacharacters, CDATA terminator, emoji, non-Latin scripts. */
export const HOSTILE = `O'Brien & Søn <Bau> ]]> "Ltd" 🏗️ 建設 Строй عربى`;
