import { Command } from 'commander';

/** Builds the command tree; each sub-command lives in its own file under src/cli/commands/. */
export async function main(argv: string[]): Promise<void> {
  const program = new Command()
    .name('intacct-assignar')
    .description('Keeps Sage Intacct and Assignar in step, durably, on Temporal')
    .option('--config <file>', 'configuration file (YAML or JSON); default $INTACCT_ASSIGNAR_CONFIG, else the embedded demo connection')
    .showHelpAfterError();
  await program.parseAsync(argv);
}
