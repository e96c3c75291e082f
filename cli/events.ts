// How a run's process tells its parent (the sweep's pool, a queue worker, the notebooks' runs) how
// far it is: one JSON object per line on the file descriptor named by $VAE_EVENTS_FD, never the
// console lines a person reads. And the one wording of a job's events that the pool, the sweep
// watching a queue and the worker print.
import * as fs from 'fs';
import { Readable } from 'stream';

/** The environment variable naming the descriptor a child writes its events to (the pool opens fd 3). */
export const EVENTS_FD_ENV = 'VAE_EVENTS_FD';

export type RunEvent =
  | { event: 'epoch'; epoch: number; epochs: number; loss: number }
  | { event: 'error'; message: string; code: number };

/** Writes `e` as one JSON line to $VAE_EVENTS_FD when a parent asked for events; else nothing. */
export function emitEvent(e: RunEvent, env: NodeJS.ProcessEnv = process.env): void {
  const fd = Number(env[EVENTS_FD_ENV]);
  if (!Number.isInteger(fd) || fd < 3) return;
  try {
    fs.writeSync(fd, `${JSON.stringify(e)}\n`);
  } catch {
    // the parent is gone: nobody is listening
  }
}

/** Calls `on` for each JSON event line of `stream` (lines that are not an event are ignored). */
export function readEvents(stream: Readable, on: (e: RunEvent) => void): void {
  let buffered = '';
  stream.on('data', (chunk: Buffer) => {
    buffered += chunk.toString();
    const lines = buffered.split('\n');
    buffered = lines.pop()!;
    for (const line of lines) {
      let e: RunEvent;
      try {
        e = JSON.parse(line);
      } catch {
        continue;
      }
      if (e && (e.event === 'epoch' || e.event === 'error')) on(e);
    }
  });
}

/** What happened to a job, as the pool, the sweep on a queue and the worker word it. */
export type JobEvent =
  | { kind: 'started'; pid?: number; attempt: number; of?: number }
  | { kind: 'epoch'; epoch: number; epochs: number; loss: number }
  | { kind: 'finished' }
  | { kind: 'skipped' }
  | { kind: 'queued' }
  | { kind: 'retry'; why: string }
  | { kind: 'interrupted' }
  | { kind: 'failed'; why: string };

export function describeJobEvent(e: JobEvent): string {
  switch (e.kind) {
    case 'started': {
      // The pool names the process and counts attempts out of its limit (the first goes unsaid); a queue's job has no limit to name.
      const parts = e.pid !== undefined ? [`pid ${e.pid}`] : [];
      if (e.of === undefined) parts.push(`attempt ${e.attempt}`);
      else if (e.attempt > 1) parts.push(`attempt ${e.attempt} of ${e.of}`);
      return parts.length ? `started (${parts.join(', ')})` : 'started';
    }
    case 'epoch': return `epoch ${e.epoch}/${e.epochs}, test loss ${e.loss.toFixed(2)}`;
    case 'finished': return 'finished';
    case 'skipped': return 'finished earlier: skipped';
    case 'queued': return 'queued';
    case 'retry': return `crashed (${e.why}): back in the queue, to continue from its checkpoint`;
    case 'interrupted': return 'interrupted: its checkpoint is saved; run the sweep again to continue';
    case 'failed': return `FAILED: ${e.why}`;
  }
}
