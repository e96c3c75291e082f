// A local pool of worker processes for runs: N at a time, each run a child process (ts-node) of
// its own that says how far it is in JSON events on fd 3 (cli/events.ts). A run that crashed
// (killed by a signal, or an exit code that is not ours) goes back to the queue and continues from
// its checkpoint, up to MAX_ATTEMPTS; one that failed for a reason that will not change (exit 1:
// diverged or a damaged file; 2: a bad flag) is failed after one attempt. Shows every run's state
// as a table on a terminal, a line per change otherwise.
import { ChildProcess, spawn } from 'child_process';
import * as path from 'path';
import { Readable } from 'stream';
import { cores } from '../lib/core/kernels/native';
import { describeJobEvent, EVENTS_FD_ENV, JobEvent, readEvents } from './events';
import { exitKind } from './exit';

export const MAX_ATTEMPTS = 3;
const ROOT = path.join(__dirname, '..');

export interface PoolJob {
  name: string;
  epochs: number;
  /** The script and its arguments for the next attempt, decided when it starts; null: nothing to do (finished earlier). */
  command(attempt: number): string[] | null;
}

export type JobState = 'queued' | 'running' | 'done' | 'skipped' | 'failed' | 'interrupted';

export interface JobStatus {
  name: string;
  state: JobState;
  epoch: number;
  epochs: number;
  loss: number | null; // the last epoch's test loss
  attempts: number;
  pid?: number;
  reason?: string; // why it failed
}

export interface PoolOptions {
  workers: number;
  out?: Out;
  maxAttempts?: number;
  env?: NodeJS.ProcessEnv;
}

/**
 * The environment of `workers` runs side by side: each run's native kernels get an equal share of
 * the machine's cores (VAE_THREADS = cores / workers, at least 1), so that workers x threads never
 * exceeds the cores; a VAE_THREADS already set is kept.
 */
export function sharedCoresEnv(workers: number, env: NodeJS.ProcessEnv = process.env, machineCores = cores()): NodeJS.ProcessEnv {
  if (env.VAE_THREADS) return env;
  return { ...env, VAE_THREADS: String(Math.max(1, Math.floor(machineCores / Math.max(1, workers)))) };
}

/**
 * A run's process: `command` = [script, ...args] under ts-node, from the project root, with the
 * orphan guard (cli/orphan_guard.ts: it stops when its starter is gone); stdout and stderr piped,
 * and fd 3 for its JSON events ($VAE_EVENTS_FD).
 */
export function spawnRun(command: string[], env: NodeJS.ProcessEnv = process.env): ChildProcess {
  const [script, ...args] = command;
  return spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', '-r', path.join(__dirname, 'orphan_guard.ts'), script, ...args], {
    cwd: ROOT, env: { ...env, TS_NODE_TRANSPILE_ONLY: 'true', [EVENTS_FD_ENV]: '3' }, stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
  });
}

/**
 * Calls onEpoch for each epoch event of a run's process; returns a function giving why it failed:
 * its error event's message, else (a crash) the first line of the stack trace in its stderr.
 */
export function followRun(child: ChildProcess, onEpoch: (epoch: number, loss: number) => void): () => string {
  let error = '', stderr = '';
  readEvents(child.stdio[3] as Readable, (e) => {
    if (e.event === 'epoch') onEpoch(e.epoch, e.loss);
    else error = e.message;
  });
  child.stdout!.resume(); // read by nobody, but drained
  child.stderr!.on('data', (chunk: Buffer) => {
    if (stderr.length < 1 << 16) stderr += chunk.toString();
  });
  return () => error || (stderr.split('\n').find((l) => /^\w*Error\b/.test(l.trim())) ?? '').trim();
}

/** The table of every run: state, epoch and loss, attempts. */
export function statusTable(jobs: JobStatus[], seconds: number): string {
  const width = Math.max(3, ...jobs.map((j) => j.name.length));
  const counts = (['done', 'skipped', 'running', 'queued', 'failed', 'interrupted'] as JobState[])
    .map((s) => [s, jobs.filter((j) => j.state === s).length] as const).filter(([, n]) => n > 0).map(([s, n]) => `${n} ${s}`);
  const lines = jobs.map((j) => `${j.name.padEnd(width)}  ${j.state.padEnd(11)}  ${`${j.epoch}/${j.epochs}`.padStart(9)}  ` +
    `${j.loss === null ? '' : j.loss.toFixed(2).padStart(8)}${j.attempts > 1 ? `  attempt ${j.attempts}` : ''}${j.reason ? `  ${j.reason}` : ''}`);
  return [`${'run'.padEnd(width)}  state        epoch        test loss   (${seconds.toFixed(0)} s: ${counts.join(', ')})`, ...lines].join('\n') + '\n';
}

export type Out = NodeJS.WriteStream | { write(s: string): boolean; isTTY?: boolean };

/**
 * report(i, what): on a terminal, the whole table redrawn in place; otherwise one plain line,
 * "<seconds> s  <run>: <what>", per change.
 */
export function createReporter(out: Out, status: JobStatus[]): (i: number, event: JobEvent) => void {
  const t0 = Date.now();
  let drawn = 0;
  return (i, event) => {
    const what = describeJobEvent(event);
    if (out.isTTY) {
      const table = statusTable(status, (Date.now() - t0) / 1000);
      out.write(`${drawn ? `\x1b[${drawn}A\x1b[J` : ''}${table}`);
      drawn = table.split('\n').length - 1;
    } else {
      out.write(`${((Date.now() - t0) / 1000).toFixed(0).padStart(4)} s  ${status[i].name}: ${what}\n`);
    }
  };
}

/** Runs every job, `workers` at a time; resolves with each job's final status, in the jobs' order. */
export async function runPool(jobs: PoolJob[], opts: PoolOptions): Promise<JobStatus[]> {
  const out = opts.out ?? process.stdout;
  const maxAttempts = opts.maxAttempts ?? MAX_ATTEMPTS;
  const status: JobStatus[] = jobs.map((j) => ({ name: j.name, state: 'queued', epoch: 0, epochs: j.epochs, loss: null, attempts: 0 }));
  const queue = jobs.map((_, i) => i);
  const report = createReporter(out, status);
  const env = sharedCoresEnv(Math.min(opts.workers, jobs.length), opts.env);
  let interrupted = false;
  const onSigint = () => {
    interrupted = true; // the children got the same Ctrl-C: they save their checkpoints and stop
  };
  process.on('SIGINT', onSigint);

  const attempt = (i: number): Promise<void> => new Promise((resolve) => {
    const s = status[i];
    const command = jobs[i].command(s.attempts + 1);
    if (command === null) {
      s.state = 'skipped';
      s.epoch = s.epochs;
      report(i, { kind: 'skipped' });
      return resolve();
    }
    s.attempts++;
    s.state = 'running';
    const child = spawnRun(command, env);
    s.pid = child.pid;
    report(i, { kind: 'started', pid: child.pid, attempt: s.attempts, of: maxAttempts });
    const lastErrorOf = followRun(child, (epoch, loss) => {
      s.epoch = epoch;
      s.loss = loss;
      report(i, { kind: 'epoch', epoch, epochs: s.epochs, loss });
    });
    child.on('exit', (code, signal) => {
      const lastError = lastErrorOf();
      s.pid = undefined;
      const kind = exitKind(code);
      if (kind === 'done') {
        s.state = 'done';
        report(i, { kind: 'finished' });
      } else if (kind === 'interrupted' || interrupted) {
        s.state = 'interrupted';
        report(i, { kind: 'interrupted' });
      } else if (kind === 'failed') {
        s.state = 'failed';
        s.reason = lastError || `exit code ${code}`;
        report(i, { kind: 'failed', why: s.reason });
      } else if (s.attempts < maxAttempts) {
        s.state = 'queued';
        queue.unshift(i);
        report(i, { kind: 'retry', why: signal ?? `exit code ${code}` });
      } else {
        s.state = 'failed';
        s.reason = `crashed ${s.attempts} times, the last by ${signal ?? `exit code ${code}`}${lastError ? `: ${lastError}` : ''}`;
        report(i, { kind: 'failed', why: s.reason });
      }
      resolve();
    });
  });

  const worker = async (): Promise<void> => {
    while (queue.length && !interrupted) await attempt(queue.shift()!);
  };
  try {
    await Promise.all(Array.from({ length: Math.max(1, Math.min(opts.workers, jobs.length)) }, worker));
  } finally {
    process.off('SIGINT', onSigint);
  }
  return status;
}
