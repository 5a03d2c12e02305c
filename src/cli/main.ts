import { Command } from 'commander';
import { registerConsoleCommand } from './commands/console';
import { registerDevCommand } from './commands/dev';
import { registerPreflightCommand } from './commands/preflight';
import { registerLinksCommand } from './commands/links';
import { registerReportCommand } from './commands/report';
import { registerRunCommands } from './commands/run-workflow';
import { registerSandboxCommand } from './commands/sandbox';
import { registerSchedulesCommand } from './commands/schedules';
import { registerTrueupCommand } from './commands/trueup';
import { registerUsageCommand } from './commands/usage';
import { registerWorkerCommand } from './commands/worker';

/** Builds the command tree; each sub-command lives in its own file under src/cli/commands/. */
export async function main(argv: string[]): Promise<void> {
  const program = new Command()
    .name('intacct-assignar')
    .description('Keeps Sage Intacct and Assignar in step, durably, on Temporal. Talks to Temporal at $TEMPORAL_ADDRESS (default localhost:7233).')
    .option('--config <file>', 'configuration file (YAML or JSON); default $INTACCT_ASSIGNAR_CONFIG, else the embedded demo connection')
    .showHelpAfterError();
  registerDevCommand(program);
  registerWorkerCommand(program);
  registerSandboxCommand(program);
  registerPreflightCommand(program);
  registerRunCommands(program);
  registerSchedulesCommand(program);
  registerReportCommand(program);
  registerLinksCommand(program);
  registerTrueupCommand(program);
  registerUsageCommand(program);
  registerConsoleCommand(program);
  await program.parseAsync(argv);
}
