import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { PNG } from 'pngjs';
import { FlagError } from '../cli/command';
import { Flags, parseFlags } from '../cli/flags';
import { likelyCause, runMain } from '../cli/train_run';
import { defaultConfig, loadCheckpoint, makeConfig, readMetrics, readRunSummary, trainingBytes } from '../lib/index';
import { useBackend } from './helpers';

useBackend();

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
      resultsPath: path.join('results', 'vae_z20_h500_beta1_e20_b128_lr0.001_s0'), resume: false, overwrite: false, dataDir: undefined, backend: undefined,
      prr: true, prrNImgX: 10, prrNImgY: 10, prrResizeFactor: 1,
      pmlr: false, pmlrNImgX: 20, pmlrNImgY: 20, pmlrResizeFactor: 1, pmlrZRange: 2, pmlrNSamples: 5000, pmlrGrid: 'linear', isK: 50, explorer: true,
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
      'PMLR_z_range', 'PMLR_n_samples', 'PMLR_grid', 'explorer', 'IS_k', 'vanilla_ae_mode', 'no_encoder_mode', 'KL_beta', 'KL_warmup',
      'likelihood', 'binarize', 'activation', 'keep_prob', 'seed', 'data_dir', 'backend', 'threads', 'resume', 'overwrite']) {
      expect(help).toContain(`--${flag} `);
    }
    expect(help).toMatch(/--PMLR_n_samples <int>\s+Number of samples[\s\S]*default: "5000"/);
  });

  test.each([
    [['--dim_z', '-3'], '--dim_z must be an integer in [1, 1024], got -3'],
    [['--dim_z', '2.5'], "--dim_z must be an integer, got '2.5'"],
    [['--dim_z', '1e9'], '--dim_z must be an integer in [1, 1024], got 1000000000'],
    [['--n_hidden', '0'], '--n_hidden must be an integer in [1, 8192], got 0'],
    [['--learn_rate', '0'], '--learn_rate must be a number in (0, 1], got 0'],
    [['--learn_rate', '1e5'], '--learn_rate must be a number in (0, 1], got 100000'],
    [['--learn_rate', 'fast'], "--learn_rate must be a number, got 'fast'"],
    [['--num_epochs', '0'], '--num_epochs must be an integer in [1, 100000], got 0'],
    [['--batch_size', '0'], '--batch_size must be an integer in [1, 60000], got 0'],
    [['--batch_size', '100000'], '--batch_size must be an integer in [1, 60000], got 100000'],
    [['--PRR_n_img_x', '0'], '--PRR_n_img_x must be an integer in [1, 100], got 0'],
    [['--PRR_n_img_x', '100', '--PRR_n_img_y', '101'], '--PRR_n_img_y must be an integer in [1, 100], got 101'],
    [['--PRR_resize_factor', '0'], '--PRR_resize_factor must be a number in (0, 10], got 0'],
    [['--PRR_resize_factor', '1000'], '--PRR_resize_factor must be a number in (0, 10], got 1000'],
    [['--PRR_n_img_x', '100', '--PRR_n_img_y', '100', '--PRR_resize_factor', '5'], '--PRR_resize_factor must be small enough for a picture of at most 8192 px a side (it would be 14000 px), got 5'],
    [['--PMLR', 'True'], '--dim_z must be 2 when --PMLR is True'],
    [['--dim_z', '2', '--PMLR', 'True', '--PMLR_z_range', '-1'], '--PMLR_z_range must be a number in (0, 100], got -1'],
    [['--dim_z', '2', '--PMLR', 'True', '--PMLR_n_samples', '100'], '--PMLR_n_samples must be an integer in (100, 10000] (the test set has 10,000 images), got 100'],
    [['--vanilla_ae_mode', '--no_encoder_mode'], '--vanilla_ae_mode and --no_encoder_mode are mutually exclusive'],
    [['--resume', 'True', '--overwrite', 'True'], '--resume and --overwrite are mutually exclusive: continue the run, or replace it'],
    [['--add_noise', 'maybe'], "--add_noise must be True or False, got 'maybe'"],
    [['--IS_k', '-1'], '--IS_k must be an integer in [0, 10000], got -1'],
    [['--KL_beta', '-1'], '--KL_beta must be a number in [0, 1000], got -1'],
    [['--backend', 'gpu'], "--backend must be one of node, wasm, cpu, got 'gpu'"],
    [['--PMLR_grid', 'normal'], "--PMLR_grid must be one of linear, gaussian, got 'normal'"],
    [['--PMLR_grid', ''], "--PMLR_grid must be one of linear, gaussian, got ''"],
    [['--likelihood', 'gaussian'], "--likelihood must be one of bernoulli, continuous_bernoulli, got 'gaussian'"],
    [['--likelihood', ''], "--likelihood must be one of bernoulli, continuous_bernoulli, got ''"],
    [['--binarize', 'True'], "--binarize must be one of none, dynamic, static, got 'True'"],
    [['--activation', 'relu'], "--activation must be one of seed, tanh, got 'relu'"],
    [['--KL_warmup', '-1'], '--KL_warmup must be an integer in [0, 100000], got -1'],
    [['--KL_warmup', '21'], '--KL_warmup must be at most the number of epochs (20), got 21'],
    [['--KL_warmup', '5', '--num_epochs', '4'], '--KL_warmup must be at most the number of epochs (4), got 5'],
    [['--results_path', ''], "--results_path must be a directory path, got ''"],
    [['--data_dir', ''], "--data_dir must be a directory path, got ''"],
    [['--backend', ''], "--backend must be one of node, wasm, cpu, got ''"],
    [['--threads', '0'], '--threads must be an integer in [1, 1024], got 0'],
    [['--threads', '-1'], '--threads must be an integer in [1, 1024], got -1'],
    [['--threads', '2.5'], "--threads must be an integer, got '2.5'"],
    [['--threads', '1e9'], '--threads must be an integer in [1, 1024], got 1000000000'],
    [['--threads', 'abc'], "--threads must be an integer, got 'abc'"],
    [['--dimz', '3'], "unknown option '--dimz'"],
    [['extra'], 'too many arguments'],
  ])('%j is rejected: %s', (argv, message) => {
    expect(() => parseFlags(argv)).toThrow(FlagError);
    expect(() => parseFlags(argv)).toThrow(message);
  });

  // Every numeric flag: [flag, kind, lowest, highest, lowest excluded].
  const NUMERIC: [string, 'int' | 'float', number, number, boolean][] = [
    ['dim_z', 'int', 1, 1024, false], ['n_hidden', 'int', 1, 8192, false], ['learn_rate', 'float', 0, 1, true],
    ['num_epochs', 'int', 1, 100000, false], ['batch_size', 'int', 1, 60000, false], ['PRR_n_img_x', 'int', 1, 100, false],
    ['PRR_n_img_y', 'int', 1, 100, false], ['PRR_resize_factor', 'float', 0, 10, true], ['PMLR_n_img_x', 'int', 1, 100, false],
    ['PMLR_n_img_y', 'int', 1, 100, false], ['PMLR_resize_factor', 'float', 0, 10, true], ['PMLR_z_range', 'float', 0, 100, true],
    ['PMLR_n_samples', 'int', 100, 10000, true], ['KL_beta', 'float', 0, 1000, false], ['IS_k', 'int', 0, 10000, false],
    ['KL_warmup', 'int', 0, 100000, false], ['keep_prob', 'float', 0, 1, true],
    ['seed', 'int', 0, 2 ** 32 - 1, false],
  ];
  const BOOLEAN = ['add_noise', 'PRR', 'PMLR', 'vanilla_ae_mode', 'no_encoder_mode', 'resume', 'overwrite', 'explorer'];
  const bad = NUMERIC.flatMap(([flag, kind, lo, hi, open]) =>
    ['abc', '', ' ', 'NaN', 'nan', 'Infinity', '-Infinity', 'inf', '1e400', '0x', ...(kind === 'int' ? ['2.5', '1e-3'] : []),
      String(open ? lo : lo - 1), String(hi + (kind === 'int' ? 1 : 0.5)), String(hi * 1e6)].map((v) => [flag, v]))
    .concat(BOOLEAN.flatMap((flag) => ['maybe', '', '2', 'Truee'].map((v) => [flag, v])));
  test.each(bad)('--%s %j is refused with one line naming the flag and what is allowed', (flag, v) => {
    let message = '';
    try {
      parseFlags([`--${flag}`, v]);
    } catch (e) {
      expect(e).toBeInstanceOf(FlagError);
      message = (e as Error).message;
    }
    expect(message).toMatch(new RegExp(`^--${flag} must be (an integer|a number|True or False)`));
    expect(message).toMatch(/, got /);
    expect(message).not.toMatch(/\n/);
  });

  test.each(NUMERIC)('--%s accepts the ends of its range', (flag, kind, lo, hi, open) => {
    // The picture-size and memory limits are separate checks: keep the other sizes small.
    const small = ['--n_hidden', '8', '--batch_size', '8', '--PRR_n_img_x', '1', '--PRR_n_img_y', '1', '--PMLR_n_img_x', '1', '--PMLR_n_img_y', '1',
      ...(flag === 'KL_warmup' ? ['--num_epochs', '100000'] : [])];
    for (const v of [open ? (kind === 'int' ? lo + 1 : lo + 1e-3) : lo, hi]) {
      expect(() => parseFlags([...small, `--${flag}`, String(v)])).not.toThrow();
    }
  });

  test('a diverged run names the likely cause in the flags\' words', () => {
    expect(likelyCause({ learnRate: 0.5 })).toBe("--learn_rate 0.5 is probably too large (the original's 1e-3 trains)");
    expect(likelyCause({ learnRate: 1e-3 })).toBe('try a smaller --learn_rate than 0.001');
  });

  test('a model too large for this machine is refused before anything is allocated, with the estimate', () => {
    const argv = ['--n_hidden', '8192', '--batch_size', '60000', '--dim_z', '1024'];
    const need = trainingBytes(makeConfig({ nHidden: 8192, batchSize: 60000, dimZ: 1024 }));
    if (need > os.totalmem() / 2) {
      expect(() => parseFlags(argv)).toThrow(/^--n_hidden 8192, --dim_z 1024 and --batch_size 60000 need about \d+\.\d GB to train, more than the \d+\.\d GB allowed/);
    } else {
      expect(() => parseFlags(argv)).not.toThrow(); // a machine with more than twice that memory
    }
    expect(() => parseFlags(['--n_hidden', '8192', '--batch_size', '128'])).not.toThrow();
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
    expect(files).toEqual(expect.arrayContaining(['input.png', 'input_noise.png', 'PRR_epoch_01.png', 'PMLR_epoch_01.png', 'PMLR_map_epoch_01.png', 'config.json', 'metrics.jsonl', 'checkpoint.safetensors', 'explorer.html']));
    expect(lines).toContainEqual(`explorer: ${path.join(dir, 'explorer.html')} (${(fs.statSync(path.join(dir, 'explorer.html')).size / 1e6).toFixed(2)} MB; its decoder within ` +
      `${JSON.parse(/id="explorer-meta">(.*?)<\/script>/s.exec(fs.readFileSync(path.join(dir, 'explorer.html'), 'utf8'))![1]).maxPixelError.toFixed(3)} of the model's per pixel)`);
    expect(pngSize(path.join(dir, 'input.png'))).toEqual([4 * 42, 3 * 42]);
    expect(pngSize(path.join(dir, 'input_noise.png'))).toEqual([4 * 42, 3 * 42]);
    expect(pngSize(path.join(dir, 'PRR_epoch_01.png'))).toEqual([4 * 42, 3 * 42]);
    expect(pngSize(path.join(dir, 'PMLR_epoch_01.png'))).toEqual([5 * 14, 6 * 14]);
    expect(pngSize(path.join(dir, 'PMLR_map_epoch_01.png'))[0]).toBeGreaterThan(400);
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'config.json'), 'utf8')).config).toMatchObject({ dimZ: 2, addNoise: true, numEpochs: 2 });
    const metrics = readMetrics(dir);
    expect(metrics.map((m) => m.epoch)).toEqual([1, 2]);
    expect(metrics[1].test.loss).toBeCloseTo(metrics[1].test.recon + metrics[1].test.kl, 3);
    for (const m of metrics) {
      expect(m.test.klPerDim).toHaveLength(2);
      expect(m.test.klPerDim![0] + m.test.klPerDim![1]).toBeCloseTo(m.test.kl, 3);
      expect(m.validation!.klPerDim).toHaveLength(2);
    }
    expect(loadCheckpoint(path.join(dir, 'checkpoint.safetensors')).meta.epoch).toBe(2);
    const summary = readRunSummary(dir)!;
    expect(summary.epochs).toBe(2);
    expect(summary.isLogLikelihood!.k).toBe(5);
    expect(summary.isLogLikelihood!.value).toBeLessThan(0);
    expect(summary.activeUnits).toBeGreaterThanOrEqual(0);
    expect(summary.activeUnits).toBeLessThanOrEqual(2);
    expect(lines[0]).toMatch(/^engine: (node|wasm|cpu)\b/);
    expect(lines).toContainEqual(expect.stringMatching(
      /^test −log p\(x\) <= \d+\.\d\d nats = 0\.\d{4} bits\/dim \(importance sampling, k = 5; Bernoulli on grayscale pixels \(not a density\)\)$/));
    const epochLines = lines.filter((l) => /^epoch \d+: L_tot [\d.]+ L_likelihood [\d.]+ L_divergence [\d.]+ \(test; active units \d\/2; /.test(l));
    expect(epochLines).toHaveLength(2);
    expect(epochLines[1]).toContain(`active units ${metrics[1].test.activeUnits}/2;`);
  });

  test('continuous Bernoulli on grayscale pixels with a KL warm-up: a finite objective, labelled, and the KL weight in each epoch line', async () => {
    const dir = tmp();
    const flags = parse('--dim_z', '2', '--n_hidden', '16', '--batch_size', '1000', '--num_epochs', '2', '--KL_warmup', '2',
      '--likelihood', 'continuous_bernoulli', '--PRR', 'False', '--explorer', 'False', '--IS_k', '5', '--results_path', dir);
    const lines: string[] = [];
    expect(await runMain(flags, (l) => lines.push(l))).toBe(0);
    const metrics = readMetrics(dir);
    expect(metrics.map((m) => m.klBeta)).toEqual([0.5, 1]);
    for (const m of metrics) expect(Number.isFinite(m.test.loss) && Number.isFinite(m.test.recon)).toBe(true);
    // A density on [0, 1]^784: smooth grayscale digits get a density far above 1, a negative "NLL".
    expect(metrics[1].test.recon).toBeLessThan(0);
    const summary = readRunSummary(dir)!;
    expect(summary.units).toBe('continuous Bernoulli density on [0, 1]^784');
    expect(Number.isFinite(summary.isLogLikelihood!.value)).toBe(true);
    expect(summary.bitsPerDim!.is).toBeCloseTo(-summary.isLogLikelihood!.value / (784 * Math.LN2), 10);
    const epochLines = lines.filter((l) => /^epoch \d: /.test(l) && l.includes('L_tot'));
    expect(epochLines.map((l) => /KL weight ([\d.]+) \(warm-up\)/.exec(l)?.[1])).toEqual(['0.5', '1']);
    expect(lines).toContainEqual(expect.stringMatching(/^test −log p\(x\) <= -?\d+\.\d\d nats = -?\d\.\d{4} bits\/dim \(importance sampling, k = 5; continuous Bernoulli density on \[0, 1\]\^784\)$/));
  });

  test('--binarize static: the model sees (and input.png shows) black and white pixels only; the run is named after it', async () => {
    const flags = parse('--dim_z', '2', '--n_hidden', '16', '--batch_size', '1000', '--num_epochs', '1', '--binarize', 'static',
      '--PRR_n_img_x', '3', '--PRR_n_img_y', '2', '--explorer', 'False', '--IS_k', '0');
    expect(flags.run.resultsPath).toBe(path.join('results', 'vae_z2_h16_beta1_binstat_e1_b1000_lr0.001_s0'));
    const dir = tmp();
    expect(await runMain({ ...flags, run: { ...flags.run, resultsPath: dir } }, () => undefined)).toBe(0);
    const png = PNG.sync.read(fs.readFileSync(path.join(dir, 'input.png')));
    const levels = new Set<number>();
    for (let i = 0; i < png.data.length; i += 4) levels.add(png.data[i]);
    expect([...levels].sort((a, b) => a - b)).toEqual([0, 255]);
    expect(readRunSummary(dir)!.units).toBe('Bernoulli, statically binarized MNIST');
  });
});
