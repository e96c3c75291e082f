// `npm run worker -- --queue redis://HOST:PORT [--workers N]`: takes runs from a sweep's queue
// (cli/queue.ts) and trains N at a time (default: one per core) until stopped (Ctrl-C or SIGTERM:
// the runs in progress save their checkpoints and go back to the queue). Start it on every machine
// that shares the sweep's --results_path. Redis unreachable: one line, exit 2.
import * as os from 'os';
import { describeJobEvent } from '../cli/events';
import { runCommand } from '../cli/exit';
import { FlagError } from '../cli/flags';
import { connectRedis, QUEUE_NAME, startWorker, stopRuns } from '../cli/queue';
import { queueUrlOf, workersOf } from '../cli/sweep_grid';

export function parseWorkerArgs(argv: string[]): { queue: string; workers: number } {
  const value = (flag: string) => {
    const i = argv.indexOf(flag);
    return i < 0 ? undefined : argv[i + 1];
  };
  const unknown = argv.filter((a, i) => a.startsWith('--') && !['--queue', '--workers'].includes(a) && !(i > 0 && ['--queue', '--workers'].includes(argv[i - 1])));
  if (unknown.length) throw new FlagError(`unknown option ${unknown[0]} (npm run worker -- --queue redis://HOST:PORT [--workers N])`);
  return { queue: queueUrlOf(value('--queue')), workers: workersOf(value('--workers')) };
}

async function main(): Promise<number> {
  const { queue, workers } = parseWorkerArgs(process.argv.slice(2));
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
