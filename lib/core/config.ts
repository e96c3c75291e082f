// The one place where the experiment's knobs and their defaults live. Defaults are those of
// the original run_main.py (and its fork's --vanilla_ae_mode / --no_encoder_mode / --KL_beta);
// the command line and the notebooks both start from `defaultConfig` and check with `validateConfig`.

/** `vae`: the AEVB model; `vanilla_ae`: z = mu, no sampling, no KL; `no_encoder`: z ~ N(0, I), no KL. */
export type Mode = 'vae' | 'vanilla_ae' | 'no_encoder';
export const MODES: readonly Mode[] = ['vae', 'vanilla_ae', 'no_encoder'];

/**
 * p(x|z): `bernoulli` (the seed's; not a density on [0, 1] for grayscale pixels) or
 * `continuous_bernoulli` (Loaiza-Ganem & Cunningham 2019: the same shape, normalised on [0, 1]).
 */
export type Likelihood = 'bernoulli' | 'continuous_bernoulli';
export const LIKELIHOODS: readonly Likelihood[] = ['bernoulli', 'continuous_bernoulli'];

/**
 * The hidden layers' activations: `seed` (the seed's: encoder ELU then tanh, decoder tanh then ELU)
 * or `tanh` (every hidden layer tanh: AEVB's Appendix C and Burda et al. 2016's MNIST models).
 */
export type HiddenActivation = 'seed' | 'tanh';
export const HIDDEN_ACTIVATIONS: readonly HiddenActivation[] = ['seed', 'tanh'];

/**
 * The pixels the model sees: `none` (grayscale in [0, 1], the seed's), `dynamic` (x ~ Bernoulli(pixel)
 * drawn anew for every training batch; validation and test binarized once, the same for every run)
 * or `static` (every split binarized once, the same for every run).
 */
export type Binarize = 'none' | 'dynamic' | 'static';
export const BINARIZATIONS: readonly Binarize[] = ['none', 'dynamic', 'static'];

/**
 * The network's family: `seed` (the seed's: He-initialised layers, sigma = 1e-6 + softplus, zero
 * output bias) or `burda` (Burda, Grosse & Salakhutdinov 2016, as their public code builds it:
 * Glorot-uniform layers, sigma = exp of a linear layer, the decoder's output bias the logit of the
 * training images' mean pixel; with their sizes as defaults, ARCH_DEFAULTS).
 */
export type Arch = 'seed' | 'burda';
export const ARCHS: readonly Arch[] = ['seed', 'burda'];

/**
 * The learning rate over training: `constant` (the seed's) or `burda` (Burda et al. 2016, section 5:
 * passes i = 0..7 of 3^i epochs at learnRate * 10^(-i/7), 3,280 epochs in all, compressed to fit
 * numEpochs; Adam's epsilon 1e-4; see learnRateAt and adamSettings).
 */
export type LearnRateSchedule = 'constant' | 'burda';
export const LEARN_RATE_SCHEDULES: readonly LearnRateSchedule[] = ['constant', 'burda'];

/** The tfjs backends lib/core/backend.ts can start: tfjs-node (native TensorFlow), wasm, the pure-JS cpu. */
export type BackendName = 'node' | 'wasm' | 'cpu';
export const BACKENDS: readonly BackendName[] = ['node', 'wasm', 'cpu'];

/** What defines a model: enough to rebuild it from a checkpoint. */
export interface ModelConfig {
  mode: Mode;
  dimImg: number; // 784 for MNIST
  dimZ: number; // --dim_z
  nHidden: number; // --n_hidden
  keepProb: number; // --keep_prob: dropout keep probability while training (the seed's 0.9; 1: no dropout)
  activation: HiddenActivation; // --activation: the hidden layers'
  likelihood: Likelihood; // --likelihood: p(x|z)
  arch: Arch; // --arch: initialisation and how q(z|x)'s sigma is produced
}

/** What defines a training run of that model. */
export interface TrainConfig {
  learnRate: number; // --learn_rate (Adam)
  numEpochs: number; // --num_epochs
  batchSize: number; // --batch_size
  addNoise: boolean; // --add_noise: salt & pepper on the encoder's input
  klBeta: number; // --KL_beta: weight of KL(q(z|x) || p(z))
  klWarmup: number; // --KL_warmup: epochs over which the KL weight rises linearly from 0 to klBeta (klBetaAt)
  binarize: Binarize; // --binarize
  seed: number; // --seed: init, shuffling, dropout, noise and sampling
  iwK: number; // --IW_k: samples of the importance-weighted bound trained on (1: the ELBO, as the seed)
  elboK: number; // --ELBO_k: samples the ELBO's reconstruction term is averaged over (Burda et al.'s VAE with k > 1)
  learnRateSchedule: LearnRateSchedule; // --learn_rate_schedule
}

export type VaeConfig = ModelConfig & TrainConfig;

export const defaultConfig: Readonly<VaeConfig> = Object.freeze({
  mode: 'vae',
  dimImg: 784,
  dimZ: 20,
  nHidden: 500,
  keepProb: 0.9,
  activation: 'seed',
  likelihood: 'bernoulli',
  learnRate: 1e-3,
  numEpochs: 20,
  batchSize: 128,
  addNoise: false,
  klBeta: 1.0,
  klWarmup: 0,
  binarize: 'none',
  seed: 0,
  arch: 'seed',
  iwK: 1,
  elboK: 1,
  learnRateSchedule: 'constant',
});

/**
 * What `arch` changes in the defaults: `burda` is their MNIST model, 784-200-200-50 with tanh
 * hidden layers, no dropout, minibatches of 20 (any of these can still be set).
 */
export const ARCH_DEFAULTS: Readonly<Record<Arch, Readonly<Partial<VaeConfig>>>> = Object.freeze({
  seed: Object.freeze({}),
  burda: Object.freeze({ nHidden: 200, dimZ: 50, activation: 'tanh' as HiddenActivation, keepProb: 1, batchSize: 20 }),
});

/** Passes of the burda schedule: 3^0 + ... + 3^7 = 3,280 epochs when not compressed. */
export const BURDA_PASSES = 8;
export const BURDA_EPOCHS = (3 ** BURDA_PASSES - 1) / 2;

/**
 * The learning rate after `progress` epochs (fractional). `burda`: pass i (0-based) runs at
 * learnRate * 10^(-i/7) for 3^i epochs; with numEpochs < 3,280 every pass is shortened by the same
 * factor numEpochs / 3,280 (so each keeps its share of training); past 3,280 epochs the last rate holds.
 */
export function learnRateAt(c: Pick<TrainConfig, 'learnRate' | 'learnRateSchedule' | 'numEpochs'>, progress: number): number {
  if (c.learnRateSchedule === 'constant') return c.learnRate;
  const scale = Math.min(1, c.numEpochs / BURDA_EPOCHS);
  let end = 0;
  for (let i = 0; i < BURDA_PASSES; i++) {
    end += 3 ** i * scale;
    if (progress < end) return c.learnRate * 10 ** (-i / (BURDA_PASSES - 1));
  }
  return c.learnRate * 10 ** -1;
}

/**
 * Adam's beta1, beta2 and epsilon: the seed's tf.train.AdamOptimizer defaults (0.9, 0.999, 1e-8),
 * or Burda et al.'s (0.9, 0.999, 1e-4) under their schedule. (Their code has beta1 0.99 and starts
 * the second moments at 1; the paper's values are used here.)
 */
export function adamSettings(c: Pick<TrainConfig, 'learnRateSchedule'>): [number, number, number] {
  return c.learnRateSchedule === 'burda' ? [0.9, 0.999, 1e-4] : [0.9, 0.999, 1e-8];
}

/** Samples per image a training step decodes: K of the bound trained on (1 for the seed's ELBO). */
export function samplesPerImage(c: Pick<TrainConfig, 'iwK' | 'elboK'>): number {
  return Math.max(c.iwK, c.elboK);
}

/**
 * The KL weight after `progress` epochs of training (fractional: 2.5 is halfway through the third):
 * klBeta * min(1, progress / klWarmup), a linear warm-up from 0 at the first step to klBeta at the
 * end of epoch klWarmup (Bowman et al. 2016; Sønderby et al. 2016: against posterior collapse);
 * exactly klBeta throughout when klWarmup is 0.
 */
export function klBetaAt(c: Pick<TrainConfig, 'klBeta' | 'klWarmup'>, progress: number): number {
  return c.klWarmup > 0 && progress < c.klWarmup ? (c.klBeta * progress) / c.klWarmup : c.klBeta;
}

/** Importance samples per test image for a run's IS log-likelihood (summary.json, --IS_k). */
export const DEFAULT_IS_K = 50;

/**
 * How much an experiment trains and measures. `full`: the original's default epochs on every
 * training image, IS with DEFAULT_IS_K (what the committed notebooks show); `reduced`: 1 epoch on
 * 5,000 images and IS with k = 5, to check that everything runs (CI) or to try things quickly.
 */
export interface Setting {
  name: SettingName;
  numEpochs: number;
  trainImages: number; // the first this many training images (Infinity: all of them)
  isK: number;
}
export type SettingName = 'full' | 'reduced';
export const SETTINGS: Readonly<Record<SettingName, Readonly<Setting>>> = Object.freeze({
  full: Object.freeze({ name: 'full', numEpochs: defaultConfig.numEpochs, trainImages: Infinity, isK: DEFAULT_IS_K }),
  reduced: Object.freeze({ name: 'reduced', numEpochs: 1, trainImages: 5000, isK: 5 }),
});

/** A bad configuration value; `key` is the config field (the CLI maps it to its flag). */
export class ConfigError extends Error {
  constructor(readonly key: keyof VaeConfig, readonly value: unknown, readonly allowed: string) {
    super(`${key} must be ${allowed}, got ${JSON.stringify(value)}`);
    this.name = 'ConfigError';
  }
}

const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v);
const isFiniteNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
/** An integer in [lo, hi]. */
const intIn = (lo: number, hi: number): [(v: unknown) => boolean, string] => [(v) => isInt(v) && v >= lo && v <= hi, `an integer in [${lo}, ${hi}]`];

/**
 * Every check a configuration must pass; each entry returns true when the value is fine. The
 * upper bounds keep a run within what a machine can hold and train (see trainingBytes).
 */
const CHECKS: { [K in keyof VaeConfig]: [(v: unknown) => boolean, string] } = {
  mode: [(v) => MODES.includes(v as Mode), `one of ${MODES.join(', ')}`],
  dimImg: intIn(1, 65536),
  dimZ: intIn(1, 1024),
  nHidden: intIn(1, 8192),
  keepProb: [(v) => isFiniteNumber(v) && v > 0 && v <= 1, 'a number in (0, 1]'],
  activation: [(v) => HIDDEN_ACTIVATIONS.includes(v as HiddenActivation), `one of ${HIDDEN_ACTIVATIONS.join(', ')}`],
  likelihood: [(v) => LIKELIHOODS.includes(v as Likelihood), `one of ${LIKELIHOODS.join(', ')}`],
  learnRate: [(v) => isFiniteNumber(v) && v > 0 && v <= 1, 'a number in (0, 1]'],
  numEpochs: intIn(1, 100000),
  batchSize: intIn(1, 60000),
  addNoise: [(v) => typeof v === 'boolean', 'true or false'],
  klBeta: [(v) => isFiniteNumber(v) && v >= 0 && v <= 1000, 'a number in [0, 1000]'],
  klWarmup: intIn(0, 100000),
  binarize: [(v) => BINARIZATIONS.includes(v as Binarize), `one of ${BINARIZATIONS.join(', ')}`],
  seed: [(v) => isInt(v) && v >= 0 && v <= 0xffffffff, 'an integer in [0, 2^32)'],
  arch: [(v) => ARCHS.includes(v as Arch), `one of ${ARCHS.join(', ')}`],
  iwK: intIn(1, 100000),
  elboK: intIn(1, 100000),
  learnRateSchedule: [(v) => LEARN_RATE_SCHEDULES.includes(v as LearnRateSchedule), `one of ${LEARN_RATE_SCHEDULES.join(', ')}`],
};

/**
 * Bytes a training run holds, roughly: weights, gradients and Adam's two moments (16 bytes a
 * parameter) and a batch's activations, dropout masks and their gradients (the encoder's and
 * decoder's layers, ~3 copies each). An estimate to refuse what cannot fit before allocating.
 */
export function trainingBytes(c: ModelConfig & Pick<TrainConfig, 'batchSize'> & Partial<Pick<TrainConfig, 'iwK' | 'elboK'>>): number {
  const { dimImg: x, nHidden: h, dimZ: z } = c;
  const params = 2 * x * h + 2 * h * h + 3 * z * h + 4 * h + 2 * z + x;
  const k = samplesPerImage({ iwK: c.iwK ?? 1, elboK: c.elboK ?? 1 });
  const encoderRow = 2 * x + 6 * h + 4 * z; // an image through the encoder
  const decoderRow = 4 * x + 6 * h + 4 * z; // a sample through the decoder, its target and the loss's gradient
  return 16 * params + 4 * c.batchSize * (encoderRow + k * decoderRow);
}

/**
 * Defaults (the seed's, then those of `overrides.arch`) overridden by `overrides`, checked; throws
 * ConfigError on the first bad value.
 */
export function makeConfig(overrides: Partial<VaeConfig> = {}): VaeConfig {
  const config = { ...defaultConfig, ...ARCH_DEFAULTS[overrides.arch ?? defaultConfig.arch], ...overrides };
  validateConfig(config);
  return config;
}

export function validateConfig(config: VaeConfig): void {
  for (const key of Object.keys(CHECKS) as (keyof VaeConfig)[]) {
    const [ok, allowed] = CHECKS[key];
    if (!ok(config[key])) throw new ConfigError(key, config[key], allowed);
  }
  for (const key of Object.keys(config)) {
    if (!(key in CHECKS)) throw new ConfigError(key as keyof VaeConfig, (config as any)[key], 'a known setting');
  }
  if (config.klWarmup > config.numEpochs) throw new ConfigError('klWarmup', config.klWarmup, `at most the number of epochs (${config.numEpochs})`);
  if (config.iwK > 1 && config.elboK > 1) throw new ConfigError('elboK', config.elboK, `1 when iwK is above 1 (one objective: the importance-weighted bound with iwK ${config.iwK} samples, or the ELBO averaged over elboK)`);
  for (const key of ['iwK', 'elboK'] as const) {
    if (config[key] > 1 && config.mode !== 'vae') throw new ConfigError(key, config[key], `1 in ${config.mode} mode (samples of z need q(z|x): vae mode only)`);
  }
  if (config.iwK > 1 && (config.klBeta !== 1 || config.klWarmup !== 0)) {
    throw new ConfigError('iwK', config.iwK, `1 unless klBeta is 1 and klWarmup 0 (the importance-weighted bound has no KL term to weight; got klBeta ${config.klBeta}, klWarmup ${config.klWarmup})`);
  }
}

/**
 * Settings added after runs were saved: a configuration read from a checkpoint or config.json
 * that lacks them was trained with these values.
 */
export const ADDED_SETTINGS: Partial<VaeConfig> = Object.freeze({
  activation: 'seed', likelihood: 'bernoulli', klWarmup: 0, binarize: 'none', arch: 'seed', iwK: 1, elboK: 1, learnRateSchedule: 'constant',
});

/** The model half of a configuration (what a checkpoint must rebuild). */
export function modelConfigOf(c: ModelConfig): ModelConfig {
  return { mode: c.mode, dimImg: c.dimImg, dimZ: c.dimZ, nHidden: c.nHidden, keepProb: c.keepProb, activation: c.activation, likelihood: c.likelihood, arch: c.arch };
}
