// `npm run worker -- --queue redis://HOST:PORT [--workers N]`: takes runs from a sweep's queue
// (cli/queue.ts) and trains N at a time (default: one per core) until stopped (Ctrl-C or SIGTERM:
// the runs in progress save their checkpoints and go back to the queue). Start it on every machine
// that shares the sweep's --results_path. Redis unreachable: one line, exit 2.
import * as os from 'os';
import { describeJobEvent } from '../events';
import { EXIT, runCommand } from '../exit';
import { newCommand, parseCommand, printHelp } from '../command';
import { connectRedis, QUEUE_NAME, startWorker, stopRuns } from '../queue';
import { queueUrlOf, workersOf } from '../sweep_grid';

const USAGE = 'usage: npm run worker -- --queue redis://HOST:PORT [--workers N]';

/** The worker's arguments, or { help }: --queue (required, a Redis URL) and --workers (default: one per core). */
export function parseWorkerArgs(argv: string[]): { queue: string; workers: number } | { help: string } {
  const cmd = newCommand('worker', 'Train runs from a sweep\'s Redis queue until stopped.')
    .option('--queue <url>', 'the sweep\'s queue, redis://HOST:PORT')
    .option('--workers <n>', 'runs at a time (default: one per core)');
  const help = parseCommand(cmd, argv, USAGE);
  if (help) return help;
  const o = cmd.opts<{ queue?: string; workers?: string }>();
  return { queue: queueUrlOf(o.queue), workers: workersOf(o.workers) };
}

async function main(): Promise<number> {
  const args = parseWorkerArgs(process.argv.slice(2));
  if ('help' in args) return printHelp(args);
  const { queue, workers } = args;
  const redis = await connectRedis(queue);
  const worker = startWorker(redis, workers);
  const t0 = Date.now();
  const clock = () => `${((Date.now() - t0) / 1000).toFixed(0).padStart(4)} s`;
  console.log(`worker ${os.hostname()}:${process.pid}: ${workers} at a time from ${queue} (queue ${QUEUE_NAME})`);
  worker.on('active', (job) => console.log(`${clock()}  ${job.id}: ${describeJobEvent({ kind: 'started', attempt: job.attemptsMade + 1 })}`));
  worker.on('progress', (job, p) => {
    const { epoch, loss } = p as { epoch: number; loss: number };
    console.log(`${clock()}  ${job.id}: ${describeJobEvent({ kind: 'epoch', epoch, epochs: job.data.epochs, loss })}`);
  });
  worker.on('completed', (job, result) => console.log(`${clock()}  ${job.id}: ${result}`));
  worker.on('failed', (job, e) => {
    if (e.name !== 'WaitingError') console.log(`${clock()}  ${job?.id}: ${e.name === 'UnrecoverableError' ? describeJobEvent({ kind: 'failed', why: e.message }) : `will be tried again: ${e.message}`}`);
  });
  worker.on('error', (e) => console.error(`worker: ${e.message}`));
  return new Promise((resolve) => {
    const stop = () => {
      console.log('worker: stopping; runs in progress save their checkpoints and go back to the queue');
      stopRuns();
      worker.close().then(() => redis.quit()).finally(() => resolve(0));
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}

if (require.main === module) runCommand(main);
