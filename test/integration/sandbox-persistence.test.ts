import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startAssignarSandbox } from '../../src/sandbox/assignar';
import { startSageSandbox } from '../../src/sandbox/sage';

// `npm start` keeps both sandboxes in .data/ so that a second start sees the same data.
test('both sandboxes keep their data in a file across restarts', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'persist-'));
  const sageFile = path.join(dir, 'sage.json');
  const assignarFile = path.join(dir, 'assignar.json');

  const sage1 = await startSageSandbox({ port: 0, seed: 'demo', dataFile: sageFile });
  const [customer] = sage1.records('CUSTOMER');
  sage1.upsertRecords('CUSTOMER', [{ ...customer, NAME: 'Renamed & Co <persisted>' }]);
  const assignar1 = await startAssignarSandbox({ port: 0, seed: 'demo', dataFile: assignarFile });
  const [created] = assignar1.upsertRecords('clients', [{ name: 'Kept Ltd', company_name: 'Kept Ltd', active: true }]);
  await Promise.all([sage1.close(), assignar1.close()]);

  const sage2 = await startSageSandbox({ port: 0, seed: 'demo', dataFile: sageFile });
  const assignar2 = await startAssignarSandbox({ port: 0, seed: 'none', dataFile: assignarFile });
  try {
    expect(sage2.records('CUSTOMER').find((c) => c.CUSTOMERID === customer.CUSTOMERID)?.NAME).toBe('Renamed & Co <persisted>');
    expect(assignar2.records('clients').find((c) => c.id === created.id)?.name).toBe('Kept Ltd');
    const [next] = assignar2.upsertRecords('clients', [{ name: 'After restart', company_name: 'After restart', active: true }]);
    expect(next.id).toBeGreaterThan(created.id as number);
  } finally {
    await Promise.all([sage2.close(), assignar2.close()]);
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
