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

describe('the sweep grid', () => {
  test('the cartesian product, the last flag fastest, each point named and placed under --results_path', () => {
    const s = parseSweep(['--dim_z', '2,5', '--KL_beta', '1,0.1', '--seed', '3', '--results_path', 'out', '--num_epochs', '4'], 2);
    expect(s.points.map((p) => p.name)).toEqual([
      'vae_z2_h500_beta1_e4_b128_lr0.001_s3', 'vae_z2_h500_beta0.1_e4_b128_lr0.001_s3',
      'vae_z5_h500_beta1_e4_b128_lr0.001_s3', 'vae_z5_h500_beta0.1_e4_b128_lr0.001_s3',
    ]);
    expect(s.points[1].argv).toEqual(['--dim_z', '2', '--KL_beta', '0.1', '--seed', '3', '--num_epochs', '4']);
    expect(s.points[1].dir).toBe(path.join('out', 'vae_z2_h500_beta0.1_e4_b128_lr0.001_s3'));
    expect(s.points[1].flags.run.resultsPath).toBe(s.points[1].dir);
    expect(s.workers).toBe(2); // default: the cores given
    expect(parseSweep(['--dim_z', '2'], 2).resultsPath).toBe('results');
  });

  test.each(CAN_VARY.map((f) => [f]))('--%s takes a list', (flag) => {
    const values: Record<string, string> = {
      dim_z: '2,3', n_hidden: '8,16', learn_rate: '0.001,0.01', num_epochs: '1,2', batch_size: '64,128', add_noise: 'True,False',
      KL_beta: '1,0.5', seed: '0,1', vanilla_ae_mode: 'True,False', no_encoder_mode: 'False,True',
      KL_warmup: '0,5', likelihood: 'bernoulli,continuous_bernoulli', binarize: 'none,dynamic', activation: 'seed,tanh', keep_prob: '0.9,1',
      arch: 'seed,burda', IW_k: '1,5', ELBO_k: '1,3', learn_rate_schedule: 'constant,burda',
    };
    const s = parseSweep([`--${flag}`, values[flag]], 1);
    expect(s.points).toHaveLength(2);
    expect(new Set(s.points.map((p) => p.name)).size).toBe(2);
  });

  test('points naming the same run collapse into one (1 and 1.0, a repeated value, a bare switch and True)', () => {
    expect(parseSweep(['--KL_beta', '1,1.0', '--dim_z', '2,2'], 1).points).toHaveLength(1);
    expect(parseSweep(['--add_noise', '--dim_z', '2'], 1).points[0].flags.config.addNoise).toBe(true);
    expect(parseSweep(['--add_noise=True,true,1'], 1).points).toHaveLength(1);
  });

  test.each([
    [['--results_path', 'a,b'], "--results_path cannot take a list in a sweep: it is where every run of the grid goes, got 'a,b'"],
    [['--PRR_n_img_x', '5,10'], '--PRR_n_img_x cannot take a list in a sweep (runs differing only in it would share one run directory); the flags that can: --dim_z,'],
    [['--backend', 'wasm,cpu'], '--backend cannot take a list in a sweep'],
    [['--data_dir', 'a,b'], '--data_dir cannot take a list in a sweep'],
    [['--IS_k', '5,50'], '--IS_k cannot take a list in a sweep'],
    [['--resume', 'True'], '--resume is not a sweep flag: a sweep skips finished runs and resumes interrupted ones itself'],
    [['--overwrite', 'True'], '--overwrite is not a sweep flag'],
    [['--dim_z', '2', '--dim_z', '3'], '--dim_z is given twice: give it once, with a comma-separated list for several values'],
    [['--dim_z', '2,,5'], '--dim_z 2,,5: an empty value in the list'],
    [['--KL_beta', '1,-1'], '--KL_beta must be a number in [0, 1000], got -1 (in the grid point --KL_beta -1)'],
    [['--KL_warmup', '5,30'], '--KL_warmup must be at most the number of epochs (20), got 30 (in the grid point --KL_warmup 30)'],
    [['--likelihood', 'bernoulli,gaussian'], "--likelihood must be one of bernoulli, continuous_bernoulli, got 'gaussian' (in the grid point --likelihood gaussian)"],
    [['--dim_z', '2,20', '--PMLR', 'True'], '--dim_z must be 2 when --PMLR is True (the manifold is drawn in a 2-D latent space), got 20 (in the grid point --dim_z 20)'],
    [['--dim_z', 'two'], "--dim_z must be an integer, got 'two'"],
    [['--dimz', '2'], "unknown option '--dimz'"],
    [['--workers', '0'], "--workers must be an integer in [1, 256], got '0'"],
    [['--workers', '1.5'], "--workers must be an integer in [1, 256], got '1.5'"],
    [['dim_z', '2'], "expected a flag, got 'dim_z'"],
    [['--seed', Array.from({ length: 101 }, (_, i) => i).join(','), '--dim_z', Array.from({ length: 100 }, (_, i) => i + 1).join(',')], 'the grid has 10100 points, more than 10000: narrow the lists'],
  ])('%j is refused before anything runs: %s', (argv, message) => {
    expect(() => parseSweep(argv, 2)).toThrow(FlagError);
    expect(() => parseSweep(argv, 2)).toThrow(message);
  });
});

describe('the local pool', () => {
  test('runs side by side share the cores: VAE_THREADS = cores / workers, at least 1; one the user set is kept', () => {
    expect(sharedCoresEnv(1, {}, 2).VAE_THREADS).toBe('2');
    expect(sharedCoresEnv(2, {}, 2).VAE_THREADS).toBe('1');
    expect(sharedCoresEnv(3, {}, 8).VAE_THREADS).toBe('2');
    expect(sharedCoresEnv(4, {}, 2).VAE_THREADS).toBe('1');
    expect(sharedCoresEnv(2, { VAE_THREADS: '3', PATH: '/bin' }, 2)).toEqual({ VAE_THREADS: '3', PATH: '/bin' });
  });

  /**
   * A script that ends as told, after an epoch event on $VAE_EVENTS_FD (cli/events.ts) and a console
   * line a person reads, which says another loss: the pool must follow the event, not the text. It
   * counts its attempts in a file.
   */
  function script(dir: string, name: string, body: string): string {
    const file = path.join(dir, `${name}.js`);
    fs.writeFileSync(file, `const fs = require('fs'); const n = Number(process.argv[2]);
const emit = (e) => fs.writeSync(Number(process.env.VAE_EVENTS_FD), JSON.stringify(e) + '\\n');
fs.appendFileSync(${JSON.stringify(path.join(dir, `${name}.attempts`))}, 'x');
console.log('epoch 1: L_tot 999.99 L_likelihood 140.00 L_divergence 10.25 (test)');
emit({ event: 'epoch', epoch: 1, epochs: 1, loss: 150.25 });
${body}\n`);
    return file;
  }
  const attempts = (dir: string, name: string) => fs.readFileSync(path.join(dir, `${name}.attempts`), 'utf8').length;
  const sink = () => {
    const lines: string[] = [];
    return { lines, out: { write: (s: string) => lines.push(...s.split('\n').filter(Boolean)) > 0, isTTY: false } };
  };

  test('finished, skipped, failed once for a lasting reason, retried after crashes up to the limit', async () => {
    const dir = tmp();
    const ok = script(dir, 'ok', 'process.exit(0);');
    const bad = script(dir, 'bad', "console.error('error: (what a person reads)'); emit({ event: 'error', message: '--KL_beta must be a number in [0, 1000], got -1', code: 2 }); process.exit(2);");
    const crash = script(dir, 'crash', "process.kill(process.pid, 'SIGKILL');");
    // A continuous Bernoulli run's loss is a density's: negative.
    const density = script(dir, 'density', "emit({ event: 'epoch', epoch: 2, epochs: 2, loss: -1827.64 }); process.exit(0);");
    const flaky = script(dir, 'flaky', `if (fs.readFileSync(${JSON.stringify(path.join(dir, 'flaky.attempts'))}, 'utf8').length < 2) process.kill(process.pid, 'SIGKILL'); process.exit(0);`);
    const { lines, out } = sink();
    const status = await runPool([
      { name: 'ok', epochs: 1, command: () => [ok] },
      { name: 'earlier', epochs: 3, command: () => null },
      { name: 'bad', epochs: 1, command: () => [bad] },
      { name: 'crash', epochs: 1, command: () => [crash] },
      { name: 'flaky', epochs: 1, command: () => [flaky] },
      { name: 'density', epochs: 2, command: () => [density] },
    ], { workers: 2, out });
    expect(status.map((s) => [s.name, s.state, s.attempts])).toEqual([
      ['ok', 'done', 1], ['earlier', 'skipped', 0], ['bad', 'failed', 1], ['crash', 'failed', 3], ['flaky', 'done', 2], ['density', 'done', 1],
    ]);
    expect(status[5]).toMatchObject({ epoch: 2, loss: -1827.64 });
    expect(status[2].reason).toBe('--KL_beta must be a number in [0, 1000], got -1');
    expect(status[3].reason).toBe('crashed 3 times, the last by SIGKILL');
    expect([attempts(dir, 'bad'), attempts(dir, 'crash'), attempts(dir, 'flaky')]).toEqual([1, 3, 2]);
    expect(status[0]).toMatchObject({ epoch: 1, loss: 150.25 });
    expect(lines).toContainEqual(expect.stringMatching(/^ +\d+ s {2}ok: epoch 1\/1, test loss 150\.25$/));
    expect(lines).toContainEqual(expect.stringMatching(/flaky: crashed \(SIGKILL\): back in the queue, to continue from its checkpoint$/));
    expect(lines).toContainEqual(expect.stringMatching(/earlier: finished earlier: skipped$/));
  }, 60000);
});
