// Sweeps across machines on BullMQ (Redis): `npm run sweep -- ... --queue redis://HOST:PORT`
// enqueues the grid, one job per run with the run's name as its id (the same configuration
// enqueued twice is one job), and `npm run worker -- --queue redis://HOST:PORT [--workers N]` on
// any number of machines takes them, training each as `npm run main` would into the shared
// --results_path. A worker that dies stops renewing its jobs' locks: after LOCK_MS its run is
// stalled, moved back to the queue by another worker's check (every STALLED_CHECK_MS), and
// continued from its checkpoint; the run directory's lock keeps two workers from training one run.
import { ChildProcess } from 'child_process';
import { Job, Queue, QueueOptions, UnrecoverableError, WaitingError, Worker } from 'bullmq';
import IORedis from 'ioredis';
import { FlagError } from './command';
import { exitKind } from './exit';
import { followRun, MAX_ATTEMPTS, sharedCoresEnv, spawnRun } from './pool';
import { commandFor, GridPoint, pointOf } from './sweep_grid';

export const QUEUE_NAME = 'vae-mnist-sweep';
/** A job's lock, renewed by its worker every LOCK_MS / 2; a worker silent this long has lost the job. Tests shorten both (VAE_QUEUE_LOCK_MS). */
export const LOCK_MS = Number(process.env.VAE_QUEUE_LOCK_MS) || 60000;
export const STALLED_CHECK_MS = Math.max(1000, Math.round(LOCK_MS / 4));
/** A run that crashed (a worker lost, a signal) is tried this many times; one that failed for a lasting reason once. */
export const ATTEMPTS = MAX_ATTEMPTS;

export interface RunJobData {
  argv: string[]; // the grid point's flags, without --results_path
  resultsPath: string; // the shared directory the run goes under
  epochs: number;
}

export interface RunProgress {
  epoch: number;
  loss: number;
}

/** Redis at `url`, or a FlagError naming the URL when it does not answer within 3 s. */
export async function connectRedis(url: string): Promise<IORedis> {
  const redis = new IORedis(url, { maxRetriesPerRequest: null, connectTimeout: 3000, lazyConnect: true, retryStrategy: () => null });
  let cause: Error | undefined; // the socket's error, more telling than the command's "Connection is closed"
  redis.on('error', (e: Error) => (cause ??= e));
  try {
    await redis.connect();
    await redis.ping();
  } catch (e) {
    redis.disconnect();
    throw new FlagError(`--queue ${url}: Redis does not answer there (${(cause ?? (e as Error)).message})`);
  }
  // From here on, reconnect as BullMQ expects.
  redis.options.retryStrategy = (times: number) => Math.min(times * 500, 5000);
  return redis;
}

const queueOptions = (connection: IORedis): QueueOptions => ({ connection });

/**
 * Enqueues the grid's points that are not finished: job id = run name, ATTEMPTS attempts with a
 * short backoff; a job already there is left as it is, except a failed one, which is retried.
 */
export async function enqueue(connection: IORedis, points: GridPoint[], resultsPath: string): Promise<Queue> {
  const queue = new Queue<RunJobData>(QUEUE_NAME, queueOptions(connection));
  for (const p of points) {
    const existing = await queue.getJob(p.name);
    if (existing && (await existing.getState()) === 'failed') await existing.retry('failed');
    else if (!existing) {
      await queue.add(p.name, { argv: p.argv, resultsPath, epochs: p.flags.config.numEpochs }, {
        jobId: p.name, attempts: ATTEMPTS, backoff: { type: 'fixed', delay: 1000 }, removeOnComplete: false, removeOnFail: false,
      });
    }
  }
  return queue;
}

const running = new Set<ChildProcess>();

/**
 * Trains one job's run in a child process (cli/pool.ts spawnRun), reporting epochs as the job's
 * progress. Finished: the job completes. Failed for a lasting reason: failed at once. Crashed:
 * thrown, for another attempt. Stopped with its worker (stopRuns): back to the queue as it was.
 */
async function trainJob(job: Job<RunJobData>, token: string | undefined, env: NodeJS.ProcessEnv): Promise<string> {
  const point = pointOf(job.data.argv, job.data.resultsPath);
  const command = commandFor(point);
  if (command === null) return 'finished earlier';
  const child = spawnRun(command, env);
  running.add(child);
  child.on('exit', () => running.delete(child));
  const lastError = followRun(child, (epoch, loss) => void job.updateProgress({ epoch, loss } satisfies RunProgress).catch(() => undefined));
  const code = await new Promise<number | null>((resolve) => child.on('exit', (c, signal) => resolve(c ?? (signal ? 128 : null))));
  const kind = exitKind(code);
  if (kind === 'done') return 'finished';
  const why = lastError() || `exit code ${code}`;
  // A bad configuration or a diverged run fails the same way every time: no second attempt.
  if (kind === 'failed') throw new UnrecoverableError(why);
  if (kind === 'interrupted') {
    await job.moveToWait(token);
    throw new WaitingError();
  }
  throw new Error(`crashed: ${why}`);
}

/** Stops this process's runs as Ctrl-C would (each saves its checkpoint); their jobs go back to the queue. */
export function stopRuns(): void {
  for (const child of running) child.kill('SIGINT');
}

/** A BullMQ worker training `concurrency` runs at a time (sharing the cores), with the lock and stall settings above. */
export function startWorker(connection: IORedis, concurrency: number): Worker<RunJobData> {
  const env = sharedCoresEnv(concurrency);
  return new Worker<RunJobData>(QUEUE_NAME, (job, token) => trainJob(job, token, env), {
    connection, concurrency, lockDuration: LOCK_MS, stalledInterval: STALLED_CHECK_MS, maxStalledCount: ATTEMPTS,
  });
}

/** What the sweep shows of a job: its state in the pool's words, epoch and loss, attempts, why it failed. */
export async function jobStatus(queue: Queue<RunJobData>, id: string): Promise<{ state: 'queued' | 'running' | 'done' | 'failed'; progress: RunProgress | null; attempts: number; reason?: string }> {
  const job = await queue.getJob(id);
  if (!job) return { state: 'failed', progress: null, attempts: 0, reason: 'the job is gone from the queue' };
  const state = await job.getState();
  const progress = typeof job.progress === 'object' && job.progress !== null ? (job.progress as unknown as RunProgress) : null;
  const attempts = job.attemptsMade + (state === 'active' ? 1 : 0);
  if (state === 'completed') return { state: 'done', progress, attempts };
  if (state === 'failed') return { state: 'failed', progress, attempts, reason: job.failedReason };
  return { state: state === 'active' ? 'running' : 'queued', progress, attempts };
}
