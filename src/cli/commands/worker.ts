import type { Command } from 'commander';
import { startServiceWorker } from '../../../worker/service-worker';
import { TASK_QUEUE } from '../../temporal/constants';
import { describeTarget, temporalTarget } from '../../temporal/connection';
import { cliContext } from '../context';

export function registerWorkerCommand(program: Command): void {
  program
    .command('worker')
    .description(`run a worker on task queue ${TASK_QUEUE} against TEMPORAL_ADDRESS (default localhost:7233); Ctrl-C stops it gracefully`)
    .action(async (_opts, command: Command) => {
      const config = cliContext(command).config();
      const target = temporalTarget();
      const service = await startServiceWorker(config, target);
      process.stderr.write(`worker ready: ${describeTarget(target)}, task queue ${TASK_QUEUE}, connections ${config.connections.map((c) => c.id).join(', ')}\n`);
      await service.run();
    });
}
