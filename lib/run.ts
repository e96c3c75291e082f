// A run: trains a model into its run directory (lib/rundir.ts) epoch by epoch and summarizes it at
// the end, or finds a finished run with the same configuration and loads it instead. The command
// line and the notebooks both train through here; `runName` names a run's directory.
import * as fs from 'fs';
import * as path from 'path';
import { DEFAULT_IS_K, VaeConfig } from './config';
import { currentEngine } from './backend';
import { CheckpointMeta, loadCheckpoint, readCheckpointMeta, saveCheckpoint } from './checkpoint';
import { Mnist } from './data';
import { acquireRunLock } from './lock';
import { createVae, Vae } from './model';
import {
  appendMetrics, readMetrics, readRunSummary, resetMetrics, RunInfo, RunSummary, RUN_FILES, writeRunConfig, writeRunSummary,
} from './rundir';
import { summarizeRun } from './summary';
import { EpochMetrics, Trainer, TrainHooks } from './train';

/** A short directory name that spells out a configuration. */
export function runName(c: VaeConfig): string {
  return `${c.mode}_z${c.dimZ}_h${c.nHidden}_beta${c.klBeta}${c.addNoise ? '_noise' : ''}_e${c.numEpochs}_b${c.batchSize}_lr${c.learnRate}_s${c.seed}`;
}

function sameConfig(a: VaeConfig | undefined, b: VaeConfig): boolean {
  if (!a) return false;
  const keys = Object.keys(b) as (keyof VaeConfig)[];
  return keys.length === Object.keys(a).length && keys.every((k) => a[k] === b[k]);
}

/** The checkpoint of a finished run in `dir` (exactly `config`, all its epochs), else null. */
export function finishedRun(dir: string, config: VaeConfig): CheckpointMeta | null {
  try {
    const meta = readCheckpointMeta(path.join(dir, RUN_FILES.checkpoint));
    const saved = meta.train && ({ ...meta.model, ...meta.train } as VaeConfig);
    const complete = meta.epoch === config.numEpochs && readMetrics(dir).length === config.numEpochs;
    return sameConfig(saved, config) && complete ? meta : null;
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

export interface TrainRunOptions {
  hooks?: TrainHooks;
  info?: Partial<RunInfo>; // more to record in config.json (the command line's flags, concurrentRuns)
  isK?: number; // importance samples per test image for summary.json (0: no IS estimate)
}

/** Estimates what summary.json holds for a trained model and writes it into the run directory. */
function writeSummaryOf(
  dir: string, model: Vae, data: Mnist, history: EpochMetrics[], isK: number, seed: number, finishedAt?: string,
): RunSummary {
  const summary = { ...summarizeRun(model, data.test, history, isK, seed), ...(finishedAt ? { finishedAt } : {}) };
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
  const images = { train: data.train.n, validation: data.validation?.n ?? 0, test: data.test.n };
  writeRunConfig(dir, { config, ...currentEngine(), images, ...info, startedAt: new Date().toISOString() });
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
    const summary = writeSummaryOf(dir, model, data, result.history, isK, config.seed, new Date().toISOString());
    return { history: result.history, stopped: false, summary };
  } finally {
    trainer.dispose();
  }
}

/**
 * The model a configuration defines: loaded from `dir` when a finished run with exactly this
 * configuration is there (unless `retrain`), else trained there by `trainRun`, holding the
 * directory's lock (a second process training the same run is refused). A loaded run without
 * summary.json gets one.
 */
export async function trainOrLoad(
  dir: string, config: VaeConfig, data: Mnist, { retrain = false, ...options }: TrainRunOptions & { retrain?: boolean } = {},
): Promise<TrainOrLoadResult> {
  if (!retrain && finishedRun(dir, config)) {
    const model = loadCheckpoint(path.join(dir, RUN_FILES.checkpoint)).model;
    const history = readMetrics(dir);
    const summary = readRunSummary(dir) ?? writeSummaryOf(dir, model, data, history, options.isK ?? DEFAULT_IS_K, config.seed);
    return { model, history, dir, loaded: true, summary };
  }
  const lock = acquireRunLock(dir);
  try {
    const model = createVae(config, config.seed);
    const result = await trainRun(dir, model, config, data, options);
    if (result.stopped) throw new Error(`training of ${dir} was stopped before its last epoch`);
    return { model, history: result.history, dir, loaded: false, summary: result.summary };
  } finally {
    lock.release();
  }
}
