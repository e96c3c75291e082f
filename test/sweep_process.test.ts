// A real sweep (the full test tier): `npm run sweep` as a process training 4 tiny runs on 2 workers,
// one SIGKILLed mid-run. The grid and the pool with scripted children are test/sweep.test.ts.
// Sweeps: the grid expansion (every point validated before anything runs), the local pool's
// handling of finished, failed and crashed runs, and a real sweep of 4 tiny runs on 2 workers with
// one worker killed mid-run.
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { readMetrics } from '../lib/index';
import { FlagError } from '../cli/command';
import { runPool, sharedCoresEnv } from '../cli/pool';
import { CAN_VARY, parseSweep } from '../cli/sweep_grid';

const ROOT = path.join(__dirname, '..');
const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'sweep-'));


describe('npm run sweep', () => {
  test('a real sweep: 4 tiny runs, 2 workers, one killed mid-run: all finish once, no epoch twice; run again, all skipped', async () => {
    const results = tmp();
    const argv = ['--dim_z', '2,3', '--seed', '1,2', '--n_hidden', '16', '--batch_size', '1000', '--num_epochs', '3', '--IS_k', '0',
      '--PRR', 'False', '--explorer', 'False', '--workers', '2', '--results_path', results];
    const run = (kill: boolean) => new Promise<{ code: number | null; stdout: string; stderr: string; killed: string[] }>((resolve) => {
      const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', 'cli/commands/sweep.ts', ...argv], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '', stderr = '';
      const killed: string[] = [];
      const pids = new Map<string, number>();
      child.stdout.on('data', (c) => {
        stdout += c;
        for (const m of stdout.matchAll(/ {2}(\S+): started \(pid (\d+)/g)) pids.set(m[1], Number(m[2]));
        const first = /\s{2}(\S+): epoch 1\/3/.exec(stdout);
        if (kill && first && killed.length === 0) {
          killed.push(first[1]);
          process.kill(pids.get(first[1])!, 'SIGKILL');
        }
      });
      child.stderr.on('data', (c) => (stderr += c));
      child.on('exit', (code) => resolve({ code, stdout, stderr, killed }));
    });
    const first = await run(true);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.killed).toHaveLength(1);
    expect(first.stdout).toContain(`${first.killed[0]}: crashed (SIGKILL): back in the queue`);
    expect(first.stdout).toMatch(new RegExp(`${first.killed[0]}: started \\(pid \\d+, attempt 2 of 3\\)`));
    const names = fs.readdirSync(results).filter((n) => n.startsWith('vae_')).sort();
    expect(names).toHaveLength(4);
    for (const n of names) expect(readMetrics(path.join(results, n)).map((m) => m.epoch)).toEqual([1, 2, 3]);
    // The comparison table: each run exactly once.
    const table = first.stdout.split('\n').filter((l) => l.startsWith('| vae_'));
    expect(table.map((l) => l.split(' | ')[0].slice(2)).sort()).toEqual(names);
    const again = await run(false);
    expect(again.code).toBe(0);
    expect((again.stdout.match(/finished earlier: skipped/g) ?? []).length).toBe(4);
    expect(again.stdout).toContain('(4 finished already)');
  }, 240000);
});
