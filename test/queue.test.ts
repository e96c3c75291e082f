// Sweeps over BullMQ on a real Redis (Debian's redis-server on a free loopback port): the grid
// enqueued twice is one job per run; two workers train it; one worker is SIGKILLed mid-run and
// its run goes back to the queue and is finished by the other from its checkpoint; every run
// finishes exactly once, no epoch twice, nothing stuck in Redis. Skipped, with the reason printed,
// where redis-server is absent. Everything it starts is stopped.
import { ChildProcess, spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import { freePort } from './helpers';
import * as os from 'os';
import * as path from 'path';
import { Queue } from 'bullmq';
import IORedis from 'ioredis';
import { readMetrics, readRunConfig } from '../lib/index';
import { QUEUE_NAME } from '../cli/queue';

const ROOT = path.join(__dirname, '..');
const hasRedis = spawnSync('redis-server', ['--version']).status === 0;
if (!hasRedis) console.log('sweeps on Redis: skipped, redis-server not installed (apt-get install redis-server)');


interface Proc { child: ChildProcess; out: () => string; err: () => string; exit: Promise<number | null> }
const started: ChildProcess[] = [];
function start(script: string, args: string[], env: NodeJS.ProcessEnv = {}): Proc {
  const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', script, ...args], {
    cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  started.push(child);
  let out = '', err = '';
  child.stdout!.on('data', (c) => (out += c));
  child.stderr!.on('data', (c) => (err += c));
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, out: () => out, err: () => err, exit };
}
const until = async (what: () => boolean, ms: number, label: string) => {
  const t0 = Date.now();
  while (!what()) {
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${label}`);
    await new Promise((r) => setTimeout(r, 200));
  }
};

(hasRedis ? describe : describe.skip)('sweeps on a Redis queue', () => {
  let redisServer: ChildProcess;
  let url = '';
  beforeAll(async () => {
    const port = await freePort();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'redis-'));
    redisServer = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], { stdio: 'ignore' });
    url = `redis://127.0.0.1:${port}`;
    for (let attempt = 0; ; attempt++) { // until it answers
      const probe = new IORedis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
      probe.on('error', () => undefined);
      try {
        await probe.connect();
        await probe.ping();
        await probe.quit();
        break;
      } catch (e) {
        probe.disconnect();
        if (attempt > 50) throw e;
        await new Promise((r) => setTimeout(r, 200));
      }
    }
  }, 20000);
  afterAll(() => {
    for (const c of started) if (c.exitCode === null) c.kill('SIGKILL');
    redisServer?.kill('SIGKILL');
  });

  test('Redis unreachable: one line naming the URL, exit 2, for the sweep and the worker', async () => {
    const port = await freePort(); // nothing listens there
    const s = start('cli/commands/sweep.ts', ['--dim_z', '2', '--queue', `redis://127.0.0.1:${port}`, '--results_path', fs.mkdtempSync(path.join(os.tmpdir(), 'q-'))]);
    expect(await s.exit).toBe(2);
    expect(s.err().trim()).toMatch(new RegExp(`^error: --queue redis://127\\.0\\.0\\.1:${port}: Redis does not answer there \\(.*ECONNREFUSED.*\\)$`));
    const w = start('cli/commands/worker.ts', ['--queue', `redis://127.0.0.1:${port}`]);
    expect(await w.exit).toBe(2);
    expect(w.err().trim().split('\n')).toHaveLength(1);
  }, 60000);

  test('4 runs, 2 workers, one SIGKILLed mid-run: each run finishes once, from its checkpoint, nothing stuck', async () => {
    const results = fs.mkdtempSync(path.join(os.tmpdir(), 'queue-sweep-'));
    const grid = ['--dim_z', '2,3', '--seed', '1,2', '--n_hidden', '16', '--batch_size', '1000', '--num_epochs', '4', '--IS_k', '0',
      '--PRR', 'False', '--explorer', 'False', '--results_path', results, '--queue', url];
    const env = { VAE_QUEUE_LOCK_MS: '4000' };
    // Enqueued twice, detached: one job per run.
    for (let k = 0; k < 2; k++) {
      const d = start('cli/commands/sweep.ts', [...grid, '--detach'], env);
      expect(await d.exit).toBe(0);
      expect(d.out()).toContain(`train them with: npm run worker -- --queue ${url}`);
    }
    const connection = new IORedis(url, { maxRetriesPerRequest: null });
    const queue = new Queue(QUEUE_NAME, { connection });
    try {
      expect(await queue.getJobCounts('waiting', 'active', 'completed')).toMatchObject({ waiting: 4, active: 0, completed: 0 });

      const watcher = start('cli/commands/sweep.ts', grid, env);
      const a = start('cli/commands/worker.ts', ['--queue', url, '--workers', '1'], env);
      const b = start('cli/commands/worker.ts', ['--queue', url, '--workers', '1'], env);
      await until(() => /: epoch 1\/4/.test(a.out()), 120000, 'worker a to train an epoch');
      const killedRun = /(\S+): epoch 1\/4/.exec(a.out())![1];
      a.child.kill('SIGKILL');
      expect(await watcher.exit).toBe(0);
      expect(watcher.err()).toBe('');
      // The killed worker's run was finished by the other one.
      expect(b.out()).toMatch(new RegExp(`${killedRun}: finished`));
      expect(readRunConfig(path.join(results, killedRun)).resumedAt).toBeDefined(); // continued, not started again
      const names = fs.readdirSync(results).filter((n) => n.startsWith('vae_')).sort();
      expect(names).toHaveLength(4);
      for (const n of names) expect(readMetrics(path.join(results, n)).map((m) => m.epoch)).toEqual([1, 2, 3, 4]);
      const table = watcher.out().split('\n').filter((l) => l.startsWith('| vae_'));
      expect(table.map((l) => l.split(' | ')[0].slice(2)).sort()).toEqual(names);
      expect(await queue.getJobCounts('waiting', 'active', 'delayed', 'failed', 'completed', 'paused')).toEqual({ waiting: 0, active: 0, delayed: 0, failed: 0, completed: 4, paused: 0 });
      b.child.kill('SIGTERM');
      expect(await b.exit).toBe(0);
    } finally {
      await queue.close();
      await connection.quit();
    }
  }, 300000);
});
