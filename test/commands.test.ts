// The commands' shared contract: exit codes by error (cli/exit.ts), the JSON events a child writes
// and its parent reads (cli/events.ts), the one wording of job events, the one commander set-up
// (cli/command.ts) as every command uses it, and the commands' bad arguments as processes.
import { spawn, spawnSync } from 'child_process';
import * as path from 'path';
import { PassThrough } from 'stream';
import { FlagError, newCommand, parseCommand } from '../cli/command';
import { describeJobEvent, emitEvent, readEvents, RunEvent } from '../cli/events';
import { EXIT, exitCodeFor, exitKind } from '../cli/exit';
import { parseWorkerArgs } from '../cli/commands/worker';
import { BackendError, CheckpointError, DataError, DivergenceError, LockError, PathError } from '../lib/index';

const ROOT = path.join(__dirname, '..');
const named = (name: string) => Object.assign(new Error('x'), { name });

describe('exit contract', () => {
  test('bad input is 2, a damaged file or a failed run 1, a defect null (its stack trace is due)', () => {
    expect(exitCodeFor(new FlagError('x'))).toBe(EXIT.badInput);
    expect(exitCodeFor(new BackendError('x'))).toBe(2);
    expect(exitCodeFor(new PathError('x', '/p'))).toBe(2);
    expect(exitCodeFor(new LockError('x'))).toBe(2);
    expect(exitCodeFor(new DataError('x'))).toBe(EXIT.failed);
    expect(exitCodeFor(new CheckpointError('x'))).toBe(1);
    expect(exitCodeFor(named('DivergenceError'))).toBe(1);
    expect(DivergenceError.name).toBe('DivergenceError'); // the names the contract is keyed by
    expect(exitCodeFor(new TypeError('x'))).toBeNull();
    expect(exitCodeFor('a string')).toBeNull();
  });

  test("a child's exit code tells the pool whether another attempt can help", () => {
    expect([0, 130, 1, 2, 137, null, 3].map(exitKind)).toEqual(['done', 'interrupted', 'failed', 'failed', 'crashed', 'crashed', 'crashed']);
  });
});

describe('run events', () => {
  test('readEvents gets each JSON event whole, across chunk boundaries, and skips lines that are not events', () => {
    const stream = new PassThrough();
    const got: RunEvent[] = [];
    readEvents(stream, (e) => got.push(e));
    stream.write('{"event":"epoch","epoch":1,"epochs":2,"lo');
    stream.write('ss":-1827.64}\nepoch 1: L_tot 150.25 (a person\'s line)\n{"other":1}\n');
    stream.write('{"event":"error","message":"--dim_z must be …","code":2}\n');
    expect(got).toEqual([{ event: 'epoch', epoch: 1, epochs: 2, loss: -1827.64 }, { event: 'error', message: '--dim_z must be …', code: 2 }]);
  });

  test('emitEvent writes nothing without $VAE_EVENTS_FD, and one line to the descriptor it names', async () => {
    expect(() => emitEvent({ event: 'epoch', epoch: 1, epochs: 1, loss: 1 }, {})).not.toThrow();
    const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', '-e',
      "require('./cli/events').emitEvent({ event: 'epoch', epoch: 3, epochs: 20, loss: 101.5 })"], {
      cwd: ROOT, env: { ...process.env, VAE_EVENTS_FD: '3' }, stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
    });
    const got: RunEvent[] = [];
    readEvents(child.stdio[3] as PassThrough, (e) => got.push(e));
    let stdout = '';
    child.stdout!.on('data', (c) => (stdout += c));
    await new Promise((r) => child.on('close', r));
    expect(got).toEqual([{ event: 'epoch', epoch: 3, epochs: 20, loss: 101.5 }]);
    expect(stdout).toBe('');
  });

  test('one wording of job events for the pool, the sweep on a queue and the worker', () => {
    expect(describeJobEvent({ kind: 'started', pid: 12, attempt: 1, of: 3 })).toBe('started (pid 12)');
    expect(describeJobEvent({ kind: 'started', pid: 12, attempt: 2, of: 3 })).toBe('started (pid 12, attempt 2 of 3)');
    expect(describeJobEvent({ kind: 'started', attempt: 1 })).toBe('started (attempt 1)');
    expect(describeJobEvent({ kind: 'epoch', epoch: 2, epochs: 20, loss: -1827.641 })).toBe('epoch 2/20, test loss -1827.64');
    expect(describeJobEvent({ kind: 'failed', why: 'diverged' })).toBe('FAILED: diverged');
    expect(describeJobEvent({ kind: 'retry', why: 'SIGKILL' })).toBe('crashed (SIGKILL): back in the queue, to continue from its checkpoint');
  });
});

describe('one commander set-up', () => {
  const cmd = () => newCommand('demo', 'A demo.').argument('<DIR>').option('--workers <n>');
  test('a wrong argument is a FlagError with the usage; --help is returned, not printed', () => {
    expect(() => parseCommand(cmd(), ['--nope', 'd'], 'usage: demo DIR')).toThrow(new FlagError("unknown option '--nope' (usage: demo DIR)"));
    expect(() => parseCommand(cmd(), [], 'usage: demo DIR')).toThrow("missing required argument 'DIR' (usage: demo DIR)");
    expect(parseCommand(cmd(), ['--help'])).toEqual({ help: expect.stringContaining('Usage: demo [options] <DIR>') });
    const c = cmd();
    expect(parseCommand(c, ['d', '--workers', '2'])).toBeNull();
    expect([c.args, c.opts()]).toEqual([['d'], { workers: '2' }]);
  });

  test("the worker's arguments", () => {
    expect(parseWorkerArgs(['--queue', 'redis://h:6379', '--workers', '2'])).toEqual({ queue: 'redis://h:6379', workers: 2 });
    expect(() => parseWorkerArgs(['--queue', 'h:6379'])).toThrow("--queue must be a Redis URL, redis://HOST:PORT, got 'h:6379'");
    expect(() => parseWorkerArgs([])).toThrow("--queue must be a Redis URL, redis://HOST:PORT, got ''");
    expect(() => parseWorkerArgs(['--queue', 'redis://h', '--workers', '0'])).toThrow("--workers must be an integer in [1, 256], got '0'");
    expect(() => parseWorkerArgs(['--queue', 'redis://h', '--wrokers', '2'])).toThrow("unknown option '--wrokers' (Did you mean --workers?) (usage: npm run worker -- --queue redis://HOST:PORT [--workers N])");
  });
});

describe('commands as processes: a bad argument is one line, exit 2', () => {
  test.each([
    ['cli/commands/notebook_runs.ts', ['--workers', 'x'], "error: --workers must be an integer in [1, 256], got 'x'"],
    ['cli/commands/compare.ts', ['a', 'b'], 'error: too many arguments. Expected 1 argument but got 2 (usage: npm run compare [-- results_dir])'],
    ['cli/commands/compare.ts', ['/nonexistent/runs'], 'error: no runs with metrics under /nonexistent/runs'],
    ['cli/commands/worker.ts', ['--queue', 'nope'], "error: --queue must be a Redis URL, redis://HOST:PORT, got 'nope'"],
    ['cli/commands/run_main.ts', ['--dim_z', '0'], 'error: --dim_z must be an integer in [1, 1024], got 0'],
  ])('%s %j', (script, args, message) => {
    const r = spawnSync(process.execPath, ['-r', 'ts-node/register/transpile-only', script, ...args], { cwd: ROOT, encoding: 'utf8', timeout: 30000 });
    expect(r.stderr.trim()).toBe(message);
    expect(r.status).toBe(2);
  });
});
