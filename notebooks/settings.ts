// What the notebooks train, in which setting, and where their runs live. No Jupyter here: the
// notebooks' display helpers (display.ts), `npm run notebooks` (which trains these runs before
// executing the notebooks) and the README figures all read this one list.
import * as path from 'path';
import { loadMnist, makeConfig, Mnist, Setting, SettingName, SETTINGS, sliceSplit, VaeConfig } from '../lib/index';

/** Epochs of notebook 07's KL warm-up: half the full setting's runs (at most the run's epochs in any setting). */
const WARMUP = 10;

/** Every configuration a notebook trains (beyond the setting's epochs), each once. */
export const NOTEBOOK_RUNS: readonly Partial<VaeConfig>[] = [
  ...[1, 2].map((seed) => ({ dimZ: 2, seed })), // 01, 02 (seed 1), 03 (β 1), 04 (dim_z 2), 06
  ...[1, 2, 3].map((seed) => ({ dimZ: 2, mode: 'vanilla_ae' as const, seed })), // 01
  { dimZ: 2, mode: 'no_encoder', seed: 1 }, // 02
  ...[0.3, 0.1, 0.01].map((klBeta) => ({ dimZ: 2, klBeta, seed: 1 })), // 03
  ...[5, 10, 20].map((dimZ) => ({ dimZ, seed: 1 })), // 04
  { dimZ: 20, addNoise: true, seed: 1 }, // 05
  { dimZ: 20, likelihood: 'continuous_bernoulli', seed: 1 }, // 07 (and dim_z 20 above: the Bernoulli on grayscale)
  { dimZ: 20, binarize: 'dynamic', seed: 1 }, // 07
  ...[20, 50].map((dimZ) => ({ dimZ, klWarmup: WARMUP, seed: 1 })), // 07
  { dimZ: 50, seed: 1 }, // 07
  // 08: Burda et al.'s architecture on dynamically binarized MNIST; the IWAE and the VAE with k = 50 first (the longest).
  ...[{ iwK: 50 }, { elboK: 50 }, { iwK: 5 }, { elboK: 5 }, {}].map((o) => ({ arch: 'burda' as const, binarize: 'dynamic' as const, seed: 1, ...o })),
];

/**
 * The setting the notebooks run in: `requested` (what a notebook's first cell asks for), unless
 * VAE_NB_QUICK=1 forces the reduced one (CI and `npm test` set it).
 */
export function chooseSetting(requested: SettingName = 'full'): Setting {
  if (!(requested in SETTINGS)) throw new Error(`the setting must be one of ${Object.keys(SETTINGS).join(', ')}, got '${requested}'`);
  return SETTINGS[process.env.VAE_NB_QUICK === '1' ? 'reduced' : requested];
}

/**
 * A notebook run's configuration: the defaults, the setting's epochs, then `overrides`; a KL
 * warm-up longer than the setting's runs (the reduced setting's single epoch) spans the whole run.
 */
export function notebookConfig(overrides: Partial<VaeConfig>, setting: Setting): VaeConfig {
  return makeConfig({ numEpochs: setting.numEpochs, ...overrides, klWarmup: Math.min(overrides.klWarmup ?? 0, setting.numEpochs) });
}

/**
 * Where the notebooks keep their runs, one directory per setting so the two never mix:
 * results/notebooks (full) and results/notebooks-reduced, under $VAE_NB_RESULTS when set.
 */
export function runsDir(setting: Setting): string {
  return path.join(process.env.VAE_NB_RESULTS || 'results', setting.name === 'full' ? 'notebooks' : `notebooks-${setting.name}`);
}

/** MNIST as the notebook runs use it: the setting's training images, the full validation and test sets. */
export function notebookData(setting: Setting): Mnist {
  const data = loadMnist();
  return { ...data, train: sliceSplit(data.train, 0, Math.min(data.train.n, setting.trainImages)) };
}
