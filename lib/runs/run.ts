// A run: trains a model into its run directory (lib/runs/rundir.ts) epoch by epoch and summarizes it at
// the end, or finds a finished run with the same configuration and loads it instead. The command
// line and the notebooks both train through here (lib/runs/naming.ts names a run's directory).
import * as fs from 'fs';
import * as path from 'path';
import { DEFAULT_IS_K, defaultConfig, VaeConfig } from '../core/config';
import { currentEngine } from '../core/backend';
import { CheckpointError, CheckpointMeta, loadCheckpoint, readCheckpointMeta, saveCheckpoint } from './checkpoint';
import { binarizedData, Mnist } from '../core/data';
import { acquireRunLock } from './lock';
import { ensureDir } from './files';
import { runName } from './naming';
import { createVae, Vae } from '../core/model';
import {
  appendMetrics, checkpointOf, readMetrics, readRunConfig, readRunSummary, resetMetrics, RunInfo, RunSummary, RUN_FILES, truncateMetrics,
  writeRunConfig, writeRunSummary,
} from './rundir';
import { summarizeRun } from './summary';
import { EpochMetrics, Trainer, TrainerState, TrainHooks } from '../core/train';

function sameConfig(a: VaeConfig | undefined, b: VaeConfig): boolean {
  if (!a) return false;
  const keys = Object.keys(b) as (keyof VaeConfig)[];
  return keys.length === Object.keys(a).length && keys.every((k) => a[k] === b[k]);
}

/** The checkpoint of a finished run in `dir` (exactly `config`, all its epochs), else null. */
export function finishedRun(dir: string, config: VaeConfig): CheckpointMeta | null {
  try {
    const meta = readCheckpointMeta(checkpointOf(dir));
    const saved = meta.train && ({ ...meta.model, ...meta.train } as VaeConfig);
    const complete = meta.epoch === config.numEpochs && meta.step === 0 && readMetrics(dir).length === config.numEpochs;
    return sameConfig(saved, config) && complete ? meta : null;
  } catch {
    return null;
  }
}

export interface TrainOrLoadResult {
  model: Vae;
  config: VaeConfig; // what the run was trained with (its binarization, warm-up, ...)
  history: EpochMetrics[];
  dir: string;
  loaded: boolean; // true: an earlier run's checkpoint was reused
  summary: RunSummary; // summary.json: written at the end of training, or when a loaded run lacked it
}

export interface TrainRunOptions {
  hooks?: TrainHooks;
  info?: Partial<RunInfo>; // more to record in config.json (the command line's flags, concurrentRuns)
  isK?: number; // importance samples per test image for summary.json (0: no IS estimate)
  resume?: TrainerState; // continue from this state (the model holds the same checkpoint's weights)
}

/**
 * Why a run's checkpoint cannot be continued under `config`: the settings that differ (all but
 * the number of epochs must be the same); none when it can.
 */
export function resumeConflicts(saved: VaeConfig, config: VaeConfig): (keyof VaeConfig)[] {
  return (Object.keys(config) as (keyof VaeConfig)[]).filter((k) => k !== 'numEpochs' && saved[k] !== config[k]);
}

/** Estimates what summary.json holds for a trained model and writes it into the run directory. */
function writeSummaryOf(
  dir: string, model: Vae, data: Mnist, history: EpochMetrics[], isK: number, seed: number, finishedAt?: string,
): RunSummary {
  const summary = { ...summarizeRun(model, data.test, history, isK, seed, data.binarized), ...(finishedAt ? { finishedAt } : {}) };
  writeRunSummary(dir, summary);
  return summary;
}

/** A finished run has its summary; one stopped early has none. */
export type TrainRunResult = { history: EpochMetrics[] } & ({ stopped: true; summary: null } | { stopped: false; summary: RunSummary });

/**
 * Trains `model` as the run directory `dir`: config.json (with `info`), then after every epoch a
 * metrics line and the checkpoint (weights, Adam, the generator: all a run needs to continue),
 * and at the end summary.json (IS log-likelihood, active units); a run stopped early
 * (hooks.shouldStop) saves its checkpoint at the step it reached and has no summary. With
 * `resume`, it continues from that state: metrics.jsonl keeps the epochs the checkpoint holds
 * and goes on from there. The command line and the notebooks both train through here.
 */
export async function trainRun(
  dir: string, model: Vae, config: VaeConfig, data: Mnist, { hooks = {}, info = {}, isK = DEFAULT_IS_K, resume }: TrainRunOptions = {},
): Promise<TrainRunResult> {
  ensureDir(dir);
  data = binarizedData(data, config.binarize);
  const images = { train: data.train.n, validation: data.validation?.n ?? 0, test: data.test.n };
  const now = new Date().toISOString();
  const earlier = resume ? truncateMetrics(dir, readMetrics(dir), resume.epoch) : [];
  if (resume && earlier.length !== resume.epoch) {
    throw new CheckpointError(`${path.join(dir, RUN_FILES.metrics)}: holds ${earlier.length} epochs, the checkpoint ${resume.epoch}: cannot resume`);
  }
  const startedAt = resume ? (readRunConfig(dir).startedAt ?? now) : now;
  writeRunConfig(dir, { config, ...currentEngine(), images, ...info, startedAt, ...(resume ? { resumedAt: now } : {}) });
  if (!resume) resetMetrics(dir);
  for (const f of [RUN_FILES.summary, RUN_FILES.explorer]) fs.rmSync(path.join(dir, f), { force: true }); // an earlier run's
  // Temporary files of writes a killed process never finished (this process holds the lock).
  for (const f of fs.readdirSync(dir)) if (/\.tmp-\d+$/.test(f)) fs.rmSync(path.join(dir, f), { force: true });
  const checkpoint = path.join(dir, RUN_FILES.checkpoint);
  const trainer = new Trainer(model, config, data);
  if (resume) trainer.setState(resume);
  const save = () => {
    saveCheckpoint(checkpoint, model, { train: config, trainer: trainer.getState() });
    fs.rmSync(path.join(dir, RUN_FILES.legacyCheckpoint), { recursive: true, force: true }); // superseded
  };
  try {
    const result = await trainer.fit({
      ...hooks,
      onEpochEnd: async (m) => {
        appendMetrics(dir, m);
        save();
        await hooks.onEpochEnd?.(m);
      },
    });
    const history = [...earlier, ...result.history];
    if (result.stopped) {
      save();
      return { history, stopped: true, summary: null };
    }
    const summary = writeSummaryOf(dir, model, data, history, isK, config.seed, new Date().toISOString());
    return { history, stopped: false, summary };
  } finally {
    trainer.dispose();
  }
}

/** A run that cannot be continued under a configuration, and why (the command line words it for its flags). */
export class ResumeError extends Error {
  constructor(
    message: string,
    readonly reason: 'no-run' | 'settings' | 'finished' | 'no-state',
    readonly saved?: VaeConfig, // the run's own configuration, when it has one
    readonly differ: (keyof VaeConfig)[] = [],
    readonly epochs?: number, // epochs the run has done
  ) {
    super(message);
    this.name = 'ResumeError';
  }
}

/** A run the model and trainer state can continue from. */
export interface Resumable {
  model: Vae;
  trainer: TrainerState;
}

/**
 * The checkpoint of the run in `dir`, loaded to continue under `config`: it must have been
 * trained with the same settings (all but numEpochs), have fewer epochs than config.numEpochs
 * and hold a trainer's state. Throws a ResumeError saying which of these fails (and
 * CheckpointError for a damaged file).
 */
export function loadResumable(dir: string, config: VaeConfig): Resumable {
  const file = checkpointOf(dir);
  if (!fs.existsSync(file)) throw new ResumeError(`${dir} holds no checkpoint to continue`, 'no-run');
  const meta = readCheckpointMeta(file);
  if (!meta.train) throw new ResumeError(`${file}: has no training configuration, so it cannot be continued`, 'no-state');
  const saved: VaeConfig = { ...meta.model, ...meta.train };
  const differ = resumeConflicts(saved, config);
  if (differ.length) throw new ResumeError(`${dir} was trained with other settings: ${differ.join(', ')}`, 'settings', saved, differ);
  if (meta.epoch >= config.numEpochs) throw new ResumeError(`${dir} has its ${meta.epoch} epochs already`, 'finished', saved, [], meta.epoch);
  const { model, trainer } = loadCheckpoint(file);
  if (!trainer) {
    model.dispose();
    throw new ResumeError(`${file}: an earlier format, without the optimizer's and generator's state: it cannot be continued exactly`, 'no-state', saved);
  }
  return { model, trainer };
}

/**
 * The run in `dir` to continue under `config`, or null when there is nothing to continue: no
 * checkpoint yet, or a sound one of another configuration (a finished run, other settings, an
 * earlier format), which training then replaces. A damaged checkpoint (CheckpointError, naming the
 * file and what is wrong) or a file that cannot be read is thrown: nothing is overwritten.
 */
function resumableOrNull(dir: string, config: VaeConfig): Resumable | null {
  try {
    return loadResumable(dir, config);
  } catch (e) {
    if (e instanceof ResumeError) return null;
    throw e;
  }
}

/**
 * The model a configuration defines: loaded from `dir` when a finished run with exactly this
 * configuration is there (unless `retrain`), else trained there by `trainRun` (continuing a run
 * of the same configuration that stopped early, from its checkpoint), holding the
 * directory's lock (a second process training the same run is refused). A loaded run without
 * summary.json gets one. A damaged checkpoint stops it with the checkpoint's error, nothing
 * overwritten (`retrain` replaces it).
 */
export async function trainOrLoad(
  dir: string, config: VaeConfig, data: Mnist, { retrain = false, ...options }: TrainRunOptions & { retrain?: boolean } = {},
): Promise<TrainOrLoadResult> {
  data = binarizedData(data, config.binarize);
  if (!retrain && finishedRun(dir, config)) {
    const model = loadCheckpoint(checkpointOf(dir)).model;
    const history = readMetrics(dir);
    const summary = readRunSummary(dir) ?? writeSummaryOf(dir, model, data, history, options.isK ?? DEFAULT_IS_K, config.seed);
    return { model, config, history, dir, loaded: true, summary };
  }
  const lock = acquireRunLock(dir);
  try {
    const earlier = retrain ? null : resumableOrNull(dir, config);
    const model = earlier?.model ?? createVae(config, config.seed, data.train.images);
    const result = await trainRun(dir, model, config, data, { ...options, resume: earlier?.trainer });
    if (result.stopped) throw new Error(`training of ${dir} was stopped before its last epoch`);
    return { model, config, history: result.history, dir, loaded: false, summary: result.summary };
  } finally {
    lock.release();
  }
}
