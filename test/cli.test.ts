import { spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { PNG } from 'pngjs';
import { FlagError, Flags, parseFlags } from '../cli/flags';
import { runMain } from '../cli/run_main';
import { defaultConfig, loadCheckpoint, readMetrics, readRunSummary } from '../lib';
import { useBackend } from './helpers';

useBackend();

const ROOT = path.join(__dirname, '..');
const TS_NODE = path.join(ROOT, 'node_modules', '.bin', 'ts-node');
const CLI = path.join(ROOT, 'cli', 'run_main.ts');
const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'cli-'));
const parse = (...argv: string[]) => parseFlags(argv) as Flags;
const pngSize = (file: string) => {
  const png = PNG.sync.read(fs.readFileSync(file));
  return [png.width, png.height];
};

describe('flags', () => {
  test('defaults are the original run_main.py defaults', () => {
    const { config, run } = parse();
    expect(config).toEqual(defaultConfig);
    expect(run).toEqual({
      resultsPath: 'results', dataDir: undefined, backend: undefined,
      prr: true, prrNImgX: 10, prrNImgY: 10, prrResizeFactor: 1,
      pmlr: false, pmlrNImgX: 20, pmlrNImgY: 20, pmlrResizeFactor: 1, pmlrZRange: 2, pmlrNSamples: 5000, isK: 50,
    });
  });

  test("the original's spellings: --add_noise True, --PMLR True, and bare switches", () => {
    expect(parse('--add_noise', 'True', '--num_epochs', '40').config).toMatchObject({ addNoise: true, numEpochs: 40 });
    expect(parse('--add_noise').config.addNoise).toBe(true);
    expect(parse('--PRR', 'False').run.prr).toBe(false);
    expect(parse('--dim_z', '2', '--PMLR', 'True').run.pmlr).toBe(true);
    expect(parse('--dim_z=5', '--KL_beta=0.1').config).toMatchObject({ dimZ: 5, klBeta: 0.1 });
    expect(parse('--vanilla_ae_mode').config.mode).toBe('vanilla_ae');
    expect(parse('--no_encoder_mode', 'True').config.mode).toBe('no_encoder');
  });

  test('--help lists every flag with its default', () => {
    const { help } = parseFlags(['--help']) as { help: string };
    for (const flag of ['dim_z', 'results_path', 'add_noise', 'n_hidden', 'learn_rate', 'num_epochs', 'batch_size', 'PRR',
      'PRR_n_img_x', 'PRR_n_img_y', 'PRR_resize_factor', 'PMLR', 'PMLR_n_img_x', 'PMLR_n_img_y', 'PMLR_resize_factor',
      'PMLR_z_range', 'PMLR_n_samples', 'IS_k', 'vanilla_ae_mode', 'no_encoder_mode', 'KL_beta', 'seed', 'data_dir', 'backend']) {
      expect(help).toContain(`--${flag} `);
    }
    expect(help).toMatch(/--PMLR_n_samples <int>\s+Number of samples[\s\S]*default: "5000"/);
  });

  test.each([
    [['--dim_z', '-3'], '--dim_z must be a positive integer, got -3'],
    [['--dim_z', '2.5'], "--dim_z must be an integer, got '2.5'"],
    [['--n_hidden', '0'], '--n_hidden must be an integer >= 1, got 0'],
    [['--learn_rate', '0'], '--learn_rate must be a number > 0, got 0'],
    [['--learn_rate', 'fast'], "--learn_rate must be a number, got 'fast'"],
    [['--num_epochs', '0'], '--num_epochs must be an integer >= 1, got 0'],
    [['--batch_size', '0'], '--batch_size must be an integer >= 1, got 0'],
    [['--PRR_n_img_x', '0'], '--PRR_n_img_x must be an integer >= 1, got 0'],
    [['--PRR_resize_factor', '0'], '--PRR_resize_factor must be a number > 0, got 0'],
    [['--PMLR', 'True'], '--dim_z must be 2 when --PMLR is True'],
    [['--dim_z', '2', '--PMLR', 'True', '--PMLR_z_range', '-1'], '--PMLR_z_range must be a number > 0, got -1'],
    [['--dim_z', '2', '--PMLR', 'True', '--PMLR_n_samples', '100'], '--PMLR_n_samples must be an integer in (100, 10000]'],
    [['--vanilla_ae_mode', '--no_encoder_mode'], '--vanilla_ae_mode and --no_encoder_mode are mutually exclusive'],
    [['--add_noise', 'maybe'], "--add_noise must be True or False, got 'maybe'"],
    [['--IS_k', '-1'], '--IS_k must be an integer >= 0, got -1'],
    [['--KL_beta', '-1'], '--KL_beta must be a number >= 0, got -1'],
    [['--backend', 'gpu'], "--backend must be one of node, wasm, cpu, got 'gpu'"],
    [['--dimz', '3'], "unknown option '--dimz'"],
    [['extra'], 'too many arguments'],
  ])('%j is rejected: %s', (argv, message) => {
    expect(() => parseFlags(argv)).toThrow(FlagError);
    expect(() => parseFlags(argv)).toThrow(message);
  });
});

describe('command line process', () => {
  test.each([
    [['--dim_z', '-3'], 'error: --dim_z must be a positive integer, got -3'],
    [['--data_dir', '/nonexistent/mnist'], 'error: /nonexistent/mnist: data directory not found'],
  ])('%j: one line on stderr, exit code 2, no stack trace, results untouched', (argv, message) => {
    const dir = tmp();
    fs.writeFileSync(path.join(dir, 'config.json'), 'keep');
    const r = spawnSync(TS_NODE, ['--transpile-only', CLI, ...argv, '--results_path', dir], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr.trim()).toBe(message);
    expect(fs.readFileSync(path.join(dir, 'config.json'), 'utf8')).toBe('keep');
  });

  test('Ctrl-C stops after saving a loadable checkpoint and the metrics, leaving nothing half-written', async () => {
    const dir = tmp();
    const child = spawn(TS_NODE, ['--transpile-only', CLI, '--n_hidden', '16', '--batch_size', '1000', '--num_epochs', '100', '--PRR', 'False', '--results_path', dir], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let signalled = false;
    const code = await new Promise<number | null>((resolve) => {
      child.stdout.on('data', (chunk) => {
        stdout += chunk;
        // Interrupt in the middle of the second epoch.
        if (!signalled && /epoch 2: step/.test(stdout)) {
          signalled = true;
          child.kill('SIGINT');
        }
      });
      child.on('exit', resolve);
    });
    expect(code).toBe(130);
    expect(stdout).toMatch(/interrupted during epoch 2/);
    const { meta } = loadCheckpoint(path.join(dir, 'checkpoint'));
    expect(meta.epoch).toBe(1);
    expect(readMetrics(dir).map((m) => m.epoch)).toEqual([1]);
    expect(fs.readdirSync(dir).filter((f) => f.includes('.tmp-') || f.includes('.old-'))).toEqual([]);
  });
});

describe('a short run', () => {
  test('writes the pictures at the sizes the flags ask for, config, metrics and checkpoint', async () => {
    const dir = tmp();
    const flags = parse('--dim_z', '2', '--n_hidden', '16', '--batch_size', '1000', '--num_epochs', '2', '--add_noise', 'True',
      '--PRR_n_img_x', '4', '--PRR_n_img_y', '3', '--PRR_resize_factor', '1.5',
      '--PMLR', 'True', '--PMLR_n_img_x', '5', '--PMLR_n_img_y', '6', '--PMLR_resize_factor', '0.5', '--PMLR_n_samples', '500',
      '--IS_k', '5', '--results_path', dir);
    const lines: string[] = [];
    expect(await runMain(flags, (l) => lines.push(l))).toBe(0);
    const files = fs.readdirSync(dir).sort();
    expect(files).toEqual(expect.arrayContaining(['input.png', 'input_noise.png', 'PRR_epoch_01.png', 'PMLR_epoch_01.png', 'PMLR_map_epoch_01.png', 'config.json', 'metrics.jsonl', 'checkpoint']));
    expect(pngSize(path.join(dir, 'input.png'))).toEqual([4 * 42, 3 * 42]);
    expect(pngSize(path.join(dir, 'input_noise.png'))).toEqual([4 * 42, 3 * 42]);
    expect(pngSize(path.join(dir, 'PRR_epoch_01.png'))).toEqual([4 * 42, 3 * 42]);
    expect(pngSize(path.join(dir, 'PMLR_epoch_01.png'))).toEqual([5 * 14, 6 * 14]);
    expect(pngSize(path.join(dir, 'PMLR_map_epoch_01.png'))[0]).toBeGreaterThan(400);
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'config.json'), 'utf8')).config).toMatchObject({ dimZ: 2, addNoise: true, numEpochs: 2 });
    const metrics = readMetrics(dir);
    expect(metrics.map((m) => m.epoch)).toEqual([1, 2]);
    expect(metrics[1].test.loss).toBeCloseTo(metrics[1].test.recon + metrics[1].test.kl, 3);
    expect(loadCheckpoint(path.join(dir, 'checkpoint')).meta.epoch).toBe(2);
    const summary = readRunSummary(dir)!;
    expect(summary.epochs).toBe(2);
    expect(summary.isLogLikelihood!.k).toBe(5);
    expect(summary.isLogLikelihood!.value).toBeLessThan(0);
    expect(summary.activeUnits).toBeGreaterThanOrEqual(0);
    expect(summary.activeUnits).toBeLessThanOrEqual(2);
    expect(lines[0]).toMatch(/^engine: (node|wasm|cpu)\b/);
    expect(lines).toContainEqual(expect.stringMatching(/^test log p\(x\) >= -\d+\.\d+ \(importance sampling, k = 5\)$/));
    expect(lines.filter((l) => /^epoch \d+: L_tot [\d.]+ L_likelihood [\d.]+ L_divergence [\d.]+/.test(l))).toHaveLength(2);
  });
});
