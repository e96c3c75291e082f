// A run directory: `config.json` (the full configuration), `metrics.jsonl` (one JSON line per
// epoch) and `checkpoint/` (weights + configuration). The command line and the notebooks write
// runs through here, and read them back to compare or to reuse a trained model.
import * as fs from 'fs';
import * as path from 'path';
import { VaeConfig } from './config';
import { CheckpointMeta, loadCheckpoint, readCheckpointMeta, saveCheckpoint } from './checkpoint';
import { writeFileAtomic } from './files';
import { Mnist, Split } from './data';
import { LossMetrics } from './evaluate';
import { activeUnits, importanceSampledLogLikelihood } from './likelihood';
import { createVae, Vae } from './model';
import { EpochMetrics, Trainer, TrainHooks } from './train';

export const RUN_FILES = { config: 'config.json', metrics: 'metrics.jsonl', checkpoint: 'checkpoint', summary: 'summary.json' };

export interface RunInfo {
  config: VaeConfig;
  backend?: string;
  startedAt?: string;
  [extra: string]: unknown;
}

export function writeRunConfig(dir: string, info: RunInfo): void {
  writeFileAtomic(path.join(dir, RUN_FILES.config), JSON.stringify(info, null, 2) + '\n');
}

/** Starts a fresh metrics file (a run that restarts from epoch 0 replaces its old history). */
export function resetMetrics(dir: string): void {
  writeFileAtomic(path.join(dir, RUN_FILES.metrics), '');
}

/** Appends one epoch as one line: a single small append, so a line is either there or not. */
export function appendMetrics(dir: string, m: EpochMetrics): void {
  fs.appendFileSync(path.join(dir, RUN_FILES.metrics), JSON.stringify(m) + '\n');
}

export function readMetrics(dir: string): EpochMetrics[] {
  const file = path.join(dir, RUN_FILES.metrics);
  if (!fs.existsSync(file)) return [];
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as EpochMetrics);
}

export function readRunConfig(dir: string): RunInfo {
  return JSON.parse(fs.readFileSync(path.join(dir, RUN_FILES.config), 'utf8')) as RunInfo;
}

/** What a finished run measured on the test set beyond its per-epoch metrics. */
export interface RunSummary {
  epochs: number;
  test: LossMetrics;
  isLogLikelihood: { k: number; value: number } | null; // null: not estimated (or vanilla_ae)
  activeUnits: number | null; // null: the mode has no encoder
  secondsPerEpoch: number;
}

/** Estimates IS log-likelihood and active units of a trained model and assembles its summary. */
export function summarizeRun(model: Vae, test: Split, history: EpochMetrics[], isK: number, seed = 0): RunSummary {
  const last = history[history.length - 1];
  const mode = model.config.mode;
  return {
    epochs: last?.epoch ?? 0,
    test: last?.test ?? { loss: NaN, recon: NaN, kl: NaN },
    isLogLikelihood: isK > 0 && mode !== 'vanilla_ae' ? { k: isK, value: importanceSampledLogLikelihood(model, test, { k: isK, seed }) } : null,
    activeUnits: mode === 'no_encoder' ? null : activeUnits(model, test).count,
    secondsPerEpoch: history.length ? history.reduce((s, m) => s + m.seconds, 0) / history.length : NaN,
  };
}

export function writeRunSummary(dir: string, summary: RunSummary): void {
  writeFileAtomic(path.join(dir, RUN_FILES.summary), JSON.stringify(summary, null, 2) + '\n');
}

export function readRunSummary(dir: string): RunSummary | null {
  const file = path.join(dir, RUN_FILES.summary);
  return fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')) as RunSummary) : null;
}

/** A short directory name that spells out a configuration. */
export function runName(c: VaeConfig): string {
  return `${c.mode}_z${c.dimZ}_h${c.nHidden}_beta${c.klBeta}${c.addNoise ? '_noise' : ''}_e${c.numEpochs}_b${c.batchSize}_lr${c.learnRate}_s${c.seed}`;
}

function sameConfig(a: VaeConfig | undefined, b: VaeConfig): boolean {
  if (!a) return false;
  const keys = Object.keys(b) as (keyof VaeConfig)[];
  return keys.length === Object.keys(a).length && keys.every((k) => a[k] === b[k]);
}

/** A finished run directory under `dir` whose checkpoint has exactly `config` and all its epochs. */
function isFinishedRun(dir: string, config: VaeConfig): CheckpointMeta | null {
  try {
    const meta = readCheckpointMeta(path.join(dir, RUN_FILES.checkpoint));
    const saved = meta.train && ({ ...meta.model, ...meta.train } as VaeConfig);
    return sameConfig(saved, config) && meta.epoch === config.numEpochs && readMetrics(dir).length === config.numEpochs ? meta : null;
  } catch {
    return null;
  }
}

export interface TrainOrLoadResult {
  model: Vae;
  history: EpochMetrics[];
  dir: string;
  loaded: boolean; // true: an earlier run's checkpoint was reused
  summary: RunSummary; // summary.json: written at the end of training, or when a loaded run lacked it
}

/** Importance samples per test image for a run's IS log-likelihood, unless told otherwise. */
export const DEFAULT_IS_K = 50;

export interface TrainRunOptions {
  hooks?: TrainHooks;
  info?: Record<string, unknown>; // more to record in config.json (the command line's flags, the backend)
  isK?: number; // importance samples per test image for summary.json (0: no IS estimate)
}

/** Estimates what summary.json holds for a trained model and writes it into the run directory. */
function writeSummaryOf(dir: string, model: Vae, data: Mnist, history: EpochMetrics[], isK: number, seed: number): RunSummary {
  const summary = summarizeRun(model, data.test, history, isK, seed);
  writeRunSummary(dir, summary);
  return summary;
}

/** A finished run has its summary; one stopped early has none. */
export type TrainRunResult = { history: EpochMetrics[] } & ({ stopped: true; summary: null } | { stopped: false; summary: RunSummary });

/**
 * Trains `model` as the run directory `dir`: config.json (with `info`), then after every epoch a
 * metrics line and the checkpoint, and at the end summary.json (IS log-likelihood, active units);
 * a run stopped early (hooks.shouldStop) saves its checkpoint and has no summary. The command line
 * and the notebooks both train through here.
 */
export async function trainRun(
  dir: string, model: Vae, config: VaeConfig, data: Mnist, { hooks = {}, info = {}, isK = DEFAULT_IS_K }: TrainRunOptions = {},
): Promise<TrainRunResult> {
  fs.mkdirSync(dir, { recursive: true });
  writeRunConfig(dir, { config, ...info, startedAt: new Date().toISOString() });
  resetMetrics(dir);
  fs.rmSync(path.join(dir, RUN_FILES.summary), { force: true }); // an earlier run's
  const checkpointDir = path.join(dir, RUN_FILES.checkpoint);
  const trainer = new Trainer(model, config, data);
  try {
    const result = await trainer.fit({
      ...hooks,
      onEpochEnd: async (m) => {
        appendMetrics(dir, m);
        saveCheckpoint(checkpointDir, model, { train: config, epoch: m.epoch });
        await hooks.onEpochEnd?.(m);
      },
    });
    if (result.stopped) {
      saveCheckpoint(checkpointDir, model, { train: config, epoch: trainer.epoch });
      return { history: result.history, stopped: true, summary: null };
    }
    const summary = writeSummaryOf(dir, model, data, result.history, isK, config.seed);
    return { history: result.history, stopped: false, summary };
  } finally {
    trainer.dispose();
  }
}

/**
 * The model a configuration defines: loaded from `dir` when a finished run with exactly this
 * configuration is there (unless `retrain`), else trained there by `trainRun`. A loaded run
 * without summary.json gets one.
 */
export async function trainOrLoad(
  dir: string, config: VaeConfig, data: Mnist, { retrain = false, ...options }: TrainRunOptions & { retrain?: boolean } = {},
): Promise<TrainOrLoadResult> {
  if (!retrain && isFinishedRun(dir, config)) {
    const model = loadCheckpoint(path.join(dir, RUN_FILES.checkpoint)).model;
    const history = readMetrics(dir);
    const summary = readRunSummary(dir) ?? writeSummaryOf(dir, model, data, history, options.isK ?? DEFAULT_IS_K, config.seed);
    return { model, history, dir, loaded: true, summary };
  }
  const model = createVae(config, config.seed);
  const result = await trainRun(dir, model, config, data, options);
  if (result.stopped) throw new Error(`training of ${dir} was stopped before its last epoch`);
  return { model, history: result.history, dir, loaded: false, summary: result.summary };
}
