import type { Command } from 'commander';
import { ENTITY_KINDS, EntityKindSchema } from '../../config/schema';
import { ledgerOptionsFromEnv, openLedger } from '../../ledger';
import { ConnectionClients } from '../../runtime/connection-clients';
import { releaseLink } from '../../sync/release-link';
import { cliContext, pickConnection } from '../context';

export function registerLinksCommand(program: Command): void {
  const links = program.command('links').description('links between Sage Intacct and Assignar records');
  links
    .command('release')
    .description("release a held link: keep Assignar's values as the new baseline, or --overwrite with Sage Intacct's on the next sync")
    .requiredOption('--kind <kind>', `entity kind (${ENTITY_KINDS.join(', ')})`)
    .requiredOption('--key <id>', 'the Sage Intacct ID (EMPLOYEEID, CUSTOMERID, …) or RECORDNO of the linked record')
    .option('--overwrite', "write Sage Intacct's values over Assignar's on the next sync (recreates a record deleted in Assignar)", false)
    .option('--connection <id>', 'connection id (default: the only one configured)')
    .option('--json', 'print the released link as one JSON object', false)
    .action(async (opts, command: Command) => {
      const ctx = cliContext(command);
      const kind = EntityKindSchema.safeParse(opts.kind);
      if (!kind.success) throw new Error(`Unknown kind "${opts.kind}"; expected one of ${ENTITY_KINDS.join(', ')}`);
      const config = ctx.config();
      const connectionId = pickConnection(ctx, opts.connection);
      const ledger = await openLedger(ledgerOptionsFromEnv(config));
      try {
        const clients = new ConnectionClients(config);
        const result = await releaseLink(
          { connection: clients.connection(connectionId), ledger, assignar: clients.assignar(connectionId) },
          { kind: kind.data, key: String(opts.key), mode: opts.overwrite ? 'overwrite' : 'accept', by: process.env.USER ? `operator ${process.env.USER}` : undefined },
        );
        process.stdout.write(opts.json ? `${JSON.stringify({ mode: result.mode, link: { ...result.link, payload: undefined } })}\n` : `${result.message}\n`);
      } finally {
        await ledger.close();
      }
    });
}
