// A run directory: `config.json` (the full configuration), `metrics.jsonl` (one JSON line per
// epoch) and `checkpoint/` (weights + configuration). The command line and the notebooks write
// runs through here, and read them back to compare or to reuse a trained model.
import * as fs from 'fs';
import * as path from 'path';
import { VaeConfig } from './config';
import { writeFileAtomic } from './files';
import { Split } from './data';
import { LossMetrics } from './evaluate';
import { activeUnits, importanceSampledLogLikelihood } from './likelihood';
import { Vae } from './model';
import { EpochMetrics } from './train';

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
