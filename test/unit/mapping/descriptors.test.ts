import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import {
  assignarMatchValue,
  CATALOG,
  descriptorFor,
  ENTITY_DESCRIPTORS,
  jobNumber,
  selectFieldsFor,
  SYNC_ORDER,
} from '../../../src/mapping';
import { ENTITY_KINDS } from '../../../src/config/schema';
import { selectFields } from '../../../src/sage/objects';
import { costType, customer, employee, equipmentItem, item, makeConfig, project, task } from './fixtures';

type Props = { properties?: Record<string, unknown> };
const spec = parse(readFileSync(join(__dirname, '../../../spec/assignar-openapi.yaml'), 'utf8')) as {
  paths: Record<string, unknown>;
  components: { schemas: Record<string, Props>; requestBodies: Record<string, { content: { 'application/json': { schema: Props } } }> };
};
const specPaths = new Set(Object.keys(spec.paths));

describe('entity descriptors', () => {
  it('one per entity kind, with the Sage object, Assignar resource and match key of DESIGN.md §2', () => {
    const summary = Object.fromEntries(
      ENTITY_KINDS.map((k) => [k, [ENTITY_DESCRIPTORS[k].sageObject, ENTITY_DESCRIPTORS[k].assignarResource, ENTITY_DESCRIPTORS[k].matchKey, ENTITY_DESCRIPTORS[k].sageIdField]]),
    );
    expect(summary).toEqual({
      client: ['CUSTOMER', '/clients/', 'external_id', 'CUSTOMERID'],
      project: ['PROJECT', '/projects/', 'external_id', 'PROJECTID'],
      role: ['ITEM', '/tasks', 'external_id', 'ITEMID'],
      asset: ['ITEM', '/assets', 'external_id', 'ITEMID'],
      costCode: ['STANDARDCOSTTYPE', '/activities', 'external_id', 'STANDARDCOSTTYPEID'],
      worker: ['EMPLOYEE', '/users', 'employee_id', 'EMPLOYEEID'],
      workOrder: ['TASK', '/orders', 'job_number', 'TASKID'],
    });
    for (const k of ENTITY_KINDS) expect(ENTITY_DESCRIPTORS[k].sageKeyField).toBe('RECORDNO');
  });

  it('resource paths are spelled exactly as in the OpenAPI file, with a per-record path', () => {
    for (const k of ENTITY_KINDS) {
      const resource = ENTITY_DESCRIPTORS[k].assignarResource;
      expect(specPaths.has(resource)).toBe(true);
      const one = [...specPaths].filter((p) => p.startsWith(resource.endsWith('/') ? resource : `${resource}/`) && /^\/[a-z-]+\/?\{[A-Za-z]+\}$/.test(p));
      expect({ resource, one: one.length }).toEqual({ resource, one: 1 });
    }
  });

  it('every field the mapping writes or may override exists in the Assignar schema of the resource', () => {
    const bodies: Record<string, string[]> = {
      client: ['Client'],
      project: ['ProjectRequest'],
      role: ['Task'],
      asset: ['CreateUpdateAssetRequest'],
      costCode: ['Activity'],
      worker: ['CreateUpdateUserRequest', 'User'],
      workOrder: ['Order'],
    };
    const props = (name: string): string[] =>
      Object.keys(spec.components.schemas[name]?.properties ?? spec.components.requestBodies[name]?.content['application/json'].schema.properties ?? {});
    expect(props('Order')).toContain('order_owner');
    expect(props('CreateUpdateAssetRequest')).toContain('rego_number');
    for (const k of ENTITY_KINDS) {
      const known = new Set(bodies[k].flatMap(props));
      for (const f of [...CATALOG[k].baseFields, ...CATALOG[k].writableFields]) expect({ k, f, known: known.has(f) }).toEqual({ k, f, known: true });
    }
  });

  it('the fields the spec requires on create are always in the mapped payload', () => {
    const required = (name: string): string[] => (spec.components.schemas[name] as { required?: string[] }).required ?? [];
    expect(required('Order')).toEqual(expect.arrayContaining([...CATALOG.workOrder.requiredOnWrite]));
    expect(required('Client')).toEqual(expect.arrayContaining([...CATALOG.client.requiredOnWrite]));
    for (const [k, schema] of [['client', 'Client'], ['role', 'Task'], ['costCode', 'Activity'], ['workOrder', 'Order']] as const) {
      for (const f of required(schema)) expect(CATALOG[k].baseFields).toContain(f);
    }
    for (const f of ['user_type_id', 'first_name', 'last_name', 'username']) expect(CATALOG.worker.baseFields).toContain(f);
  });

  it('dependency order: clients → projects → roles, assets, cost codes → workers → work orders', () => {
    expect(SYNC_ORDER).toEqual(['client', 'project', 'role', 'asset', 'costCode', 'worker', 'workOrder']);
    for (const k of ENTITY_KINDS) for (const dep of ENTITY_DESCRIPTORS[k].dependsOn) expect(ENTITY_DESCRIPTORS[dep].stage).toBeLessThan(ENTITY_DESCRIPTORS[k].stage);
  });

  it('keys: sage key RECORDNO, readable id, match value', () => {
    const cases: [keyof typeof ENTITY_DESCRIPTORS, Record<string, unknown>, string, string][] = [
      ['client', customer(), 'C100', 'C100'],
      ['project', project(), 'P100', 'P100'],
      ['role', item(), 'LAB-CARP', 'LAB-CARP'],
      ['asset', equipmentItem(), 'EQ-EXC-20', 'EQ-EXC-20'],
      ['costCode', costType(), '03-100', '03-100'],
      ['worker', employee(), 'E1001', 'E1001'],
      ['workOrder', task(), 'P100:T01', 'P100-T01'],
    ];
    for (const [kind, record, readable, match] of cases) {
      const d = descriptorFor(kind);
      expect([d.sageKey(record), d.readableId(record), d.matchValue(record)]).toEqual([record.RECORDNO, readable, match]);
    }
    expect(assignarMatchValue('worker', { id: 1, employee_id: ' E1001 ' })).toBe('E1001');
    expect(assignarMatchValue('workOrder', { id: 1, job_number: 'P100-T01' })).toBe('P100-T01');
    expect(assignarMatchValue('client', { id: 1, external_id: null })).toBe('');
  });

  it('job numbers: PROJECTID-TASKID', () => {
    expect(jobNumber('P-200', '02-A')).toBe('P-200-02-A');
  });

  it('select list: the object schema fields plus the fields filters and overrides read', () => {
    expect(selectFieldsFor('client', makeConfig())).toEqual(selectFields('CUSTOMER'));
    expect(selectFieldsFor('role', makeConfig())).toEqual(selectFields('ITEM'));
    const config = makeConfig({
      entities: {
        worker: { filter: [{ field: 'CLASSID', op: 'eq', value: 'FIELD' }], fieldOverrides: { dob: { from: 'CONTACT.BIRTHDATE' }, comments: { value: 'x' } } },
      },
    });
    const fields = selectFieldsFor('worker', config);
    expect(fields).toEqual(expect.arrayContaining([...selectFields('EMPLOYEE'), 'CLASSID', 'CONTACT.BIRTHDATE']));
    expect(new Set(fields).size).toBe(fields.length);
    expect(fields).not.toContain('*');
  });
});
