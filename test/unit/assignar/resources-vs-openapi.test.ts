import { PROCESS_TIMESHEET_PATH, RESOURCES } from '../../../src/assignar/resources';
import { spec, specPathFor } from './openapi';

/** Every path and method the client calls exists in the OpenAPI file, spelled exactly as there. */
const doc = spec();

describe('client paths vs the OpenAPI file', () => {
  it.each(Object.values(RESOURCES).map((r) => [r.name, r] as const))('%s', (_name, r) => {
    const collection = doc.paths[r.collectionPath];
    expect(collection).toBeDefined();
    expect(collection.get).toBeDefined();
    if (r.writable) expect(collection.post).toBeDefined();

    const items = specPathFor(r.itemPath);
    expect(items).toHaveLength(1);
    const item = doc.paths[items[0]];
    expect(item.get).toBeDefined();
    if (r.writable) expect(item.put).toBeDefined();
  });

  it('clients and projects are listed and created with the trailing slash the spec uses', () => {
    expect(RESOURCES.clients.collectionPath).toBe('/clients/');
    expect(RESOURCES.projects.collectionPath).toBe('/projects/');
    expect(doc.paths['/clients']).toBeUndefined();
    expect(doc.paths['/projects']).toBeUndefined();
  });

  it('PUT /timesheets/{id}/process exists', () => {
    const [p] = specPathFor(PROCESS_TIMESHEET_PATH);
    expect(p).toBe('/timesheets/{timesheetId}/process');
    expect(doc.paths[p].put).toBeDefined();
  });
});
