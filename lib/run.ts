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
}

/**
 * Trains `model` as the run directory `dir`: config.json (with `info`), then after every epoch a
 * metrics line and the checkpoint; a run stopped early (hooks.shouldStop) saves its checkpoint
 * too. The command line and the notebooks both train through here.
 */
export async function trainRun(
  dir: string, model: Vae, config: VaeConfig, data: Mnist, hooks: TrainHooks = {}, info: Record<string, unknown> = {},
): Promise<{ history: EpochMetrics[]; stopped: boolean }> {
  fs.mkdirSync(dir, { recursive: true });
  writeRunConfig(dir, { config, ...info, startedAt: new Date().toISOString() });
  resetMetrics(dir);
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
    if (result.stopped) saveCheckpoint(checkpointDir, model, { train: config, epoch: trainer.epoch });
    return result;
  } finally {
    trainer.dispose();
  }
}

/**
 * The model a configuration defines: loaded from `dir` when a finished run with exactly this
 * configuration is there (unless `retrain`), else trained there by `trainRun`.
 */
export async function trainOrLoad(dir: string, config: VaeConfig, data: Mnist, hooks: TrainHooks = {}, retrain = false): Promise<TrainOrLoadResult> {
  if (!retrain && isFinishedRun(dir, config)) {
    return { model: loadCheckpoint(path.join(dir, RUN_FILES.checkpoint)).model, history: readMetrics(dir), dir, loaded: true };
  }
  const model = createVae(config, config.seed);
  const { history } = await trainRun(dir, model, config, data, hooks);
  return { model, history, dir, loaded: false };
}
