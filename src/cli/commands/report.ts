import type { Command } from 'commander';
import { OUTCOMES, type Outcome } from '../../contracts/outcomes';
import { ledgerOptionsFromEnv, openLedger, type RecordOutcome } from '../../ledger';
import { intOption } from '../options';
import { cliContext, pickConnection } from '../context';

function table(rows: RecordOutcome[]): string {
  const header = ['kind', 'record', 'sage id', 'assignar id', 'outcome', 'reason'];
  const cells = rows.map((r) => [r.kind, r.recordKey, r.sageId ?? '', r.assignarId ?? '', r.outcome, r.reason ?? '']);
  const widths = header.slice(0, 5).map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const line = (c: string[]) => [...c.slice(0, 5).map((v, i) => v.padEnd(widths[i])), c[5]].join('  ').trimEnd();
  return [line(header), ...cells.map(line)].join('\n');
}

export function registerReportCommand(program: Command): void {
  program
    .command('report')
    .description("per-record outcomes of a run (default: the connection's latest run), from the ledger")
    .option('--run <id>', 'run id (the first workflow run id of an import or sync)')
    .option('--connection <id>', 'connection id (default: the only one configured)')
    .option('--outcome <list>', `only these outcomes, comma-separated (${OUTCOMES.join(', ')})`)
    .option('--kind <kind>', 'only this entity kind')
    .option('--limit <n>', 'at most this many records', intOption, 1000)
    .option('--json', 'one JSON object: the run, counts per entity and outcome, and the records', false)
    .action(async (opts, command: Command) => {
      const ctx = cliContext(command);
      const config = ctx.config();
      const ledger = await openLedger(ledgerOptionsFromEnv(config));
      try {
        const run = opts.run
          ? await ledger.getRun(opts.run)
          : (await ledger.listRuns({ connection: pickConnection(ctx, opts.connection), limit: 1 }))[0];
        if (!run) throw new Error(opts.run ? `No run ${opts.run} in the ledger (${ledger.location})` : `No runs yet in the ledger (${ledger.location})`);
        const outcomes = opts.outcome ? (String(opts.outcome).split(',') as Outcome[]) : undefined;
        const unknown = outcomes?.filter((o) => !OUTCOMES.includes(o));
        if (unknown?.length) throw new Error(`Unknown outcome ${unknown.join(', ')}; expected ${OUTCOMES.join(', ')}`);
        const records = await ledger.listOutcomes(run.runId, { outcome: outcomes, kind: opts.kind, limit: opts.limit });
        const counts = await ledger.outcomeCounts(run.runId);
        if (opts.json) {
          process.stdout.write(`${JSON.stringify({ run, counts, records })}\n`);
          return;
        }
        process.stdout.write(`${run.workflowType} ${run.connection} run ${run.runId}${run.dryRun ? ' (dry run)' : ''}: ${run.status}, started ${run.startedAt}${run.finishedAt ? `, finished ${run.finishedAt}` : ''}\n`);
        for (const [kind, byOutcome] of Object.entries(counts)) {
          process.stdout.write(`  ${kind}: ${Object.entries(byOutcome ?? {}).map(([o, n]) => `${o} ${n}`).join(', ')}\n`);
        }
        process.stdout.write(`\n${table(records)}\n`);
      } finally {
        await ledger.close();
      }
    });
}
