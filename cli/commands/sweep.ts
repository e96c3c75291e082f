// `npm run sweep -- <the original's flags, lists comma-separated> [--workers N]`: the grid of
// configurations (cli/sweep_grid.ts), each trained exactly as `npm run main` would, into
// <results_path>/<run name>/ (default results/), by N local worker processes (default: one per
// core; cli/pool.ts), or with `--queue redis://HOST:PORT [--detach]` by `npm run worker`s on any
// machines (cli/queue.ts). Finished runs are skipped, interrupted ones resumed from their checkpoints.
// At the end: the comparison table of the grid's runs (lib/runs/compare.ts); exit 0 when every run
// finished, 1 when any failed (each failure's reason printed), 2 for a bad flag, 130 on Ctrl-C.
import * as path from 'path';
import { collectRuns, finishedRun, runsToMarkdown } from '../../lib/index';
import { checkRunPaths } from '../flags';
import { runCommand } from '../exit';
import { createReporter, JobStatus, Out, runPool } from '../pool';
import { connectRedis, enqueue, jobStatus, QUEUE_NAME } from '../queue';
import { commandFor, parseSweep, Sweep } from '../sweep_grid';

/**
 * The grid on a Redis queue (cli/queue.ts): enqueued, then (unless --detach) watched until every
 * run finished or failed, with the same table as a local sweep; Ctrl-C stops watching, not the runs.
 */
async function sweepOnQueue(s: Sweep, out: Out): Promise<JobStatus[] | null> {
  const redis = await connectRedis(s.queue!);
  const resultsPath = path.resolve(s.resultsPath); // as every worker finds it on the shared filesystem
  const status: JobStatus[] = s.points.map((p) => ({ name: p.name, state: 'queued', epoch: 0, epochs: p.flags.config.numEpochs, loss: null, attempts: 0 }));
  const pending = s.points.filter((p, i) => {
    if (!finishedRun(p.dir, p.flags.config)) return true;
    Object.assign(status[i], { state: 'skipped', epoch: status[i].epochs });
    return false;
  });
  const queue = await enqueue(redis, pending, resultsPath);
  try {
    if (s.detach) {
      out.write(`sweep: ${pending.length} run${pending.length === 1 ? '' : 's'} on ${s.queue} (queue ${QUEUE_NAME}); ` +
        `train them with: npm run worker -- --queue ${s.queue}\n`);
      return null;
    }
    const report = createReporter(out, status);
    status.forEach((j, i) => j.state === 'skipped' && report(i, { kind: 'skipped' }));
    let stop = false;
    const onSigint = () => (stop = true);
    process.on('SIGINT', onSigint);
    try {
      while (!stop && status.some((j) => j.state === 'queued' || j.state === 'running')) {
        for (const [i, j] of status.entries()) {
          if (j.state === 'skipped' || j.state === 'done' || j.state === 'failed') continue;
          const now = await jobStatus(queue, j.name);
          const epoch = now.progress?.epoch ?? j.epoch, loss = now.progress?.loss ?? j.loss;
          if (now.state === j.state && epoch === j.epoch && now.attempts === j.attempts) continue;
          Object.assign(j, { state: now.state, epoch, loss, attempts: now.attempts, reason: now.reason });
          report(i, now.state === 'running' ? (epoch ? { kind: 'epoch', epoch, epochs: j.epochs, loss: loss! } : { kind: 'started', attempt: now.attempts })
            : now.state === 'done' ? { kind: 'finished' } : now.state === 'failed' ? { kind: 'failed', why: now.reason ?? 'unknown' } : { kind: 'queued' });
        }
        await new Promise((r) => setTimeout(r, 1000));
      }
    } finally {
      process.off('SIGINT', onSigint);
    }
    for (const j of status) if (j.state === 'queued' || j.state === 'running') j.state = 'interrupted';
    return status;
  } finally {
    await queue.close();
    await redis.quit();
  }
}

export async function sweep(argv: string[], out: NodeJS.WriteStream = process.stdout): Promise<number> {
  const s = parseSweep(argv);
  checkRunPaths({ resultsPath: s.resultsPath, dataDir: s.points[0]?.flags.run.dataDir });
  const finished = s.points.filter((p) => finishedRun(p.dir, p.flags.config)).length;
  out.write(`sweep: ${s.points.length} run${s.points.length === 1 ? '' : 's'} into ${s.resultsPath}/ (${finished} finished already), ` +
    `${s.queue ? `on the queue ${s.queue}` : `${Math.min(s.workers, s.points.length)} at a time`}\n`);
  const t0 = Date.now();
  const status = s.queue
    ? await sweepOnQueue(s, out)
    : await runPool(s.points.map((p) => ({ name: p.name, epochs: p.flags.config.numEpochs, command: () => commandFor(p) })), { workers: s.workers, out });
  if (status === null) return 0; // --detach
  const names = new Set(s.points.map((p) => p.name));
  const rows = collectRuns(s.resultsPath, () => undefined).filter((r) => names.has(r.run));
  out.write(`\nsweep: ${((Date.now() - t0) / 1000).toFixed(0)} s; ${rows.length} of ${s.points.length} runs in the table\n\n${rows.length ? runsToMarkdown(rows) : ''}`);
  const failed = status.filter((j) => j.state === 'failed');
  for (const f of failed) console.error(`error: ${f.name}: ${f.reason}`);
  if (status.some((j) => j.state === 'interrupted' || j.state === 'queued')) {
    console.error(s.queue ? 'sweep: stopped watching; the runs stay on the queue (run the same command to watch again)'
      : 'sweep interrupted: run the same command again to continue (finished runs are skipped, the others resume)');
    return 130;
  }
  return failed.length ? 1 : 0;
}

if (require.main === module) runCommand(() => sweep(process.argv.slice(2)));
