// The files of a run directory: `config.json` (the full configuration and how the run was made),
// `metrics.jsonl` (one JSON line per epoch), `summary.json` (what the finished run measured) and
// `checkpoint/` (weights + configuration). Reading and writing them, nothing else.
import * as fs from 'fs';
import * as path from 'path';
import { VaeConfig } from './config';
import { LossMetrics } from './evaluate';
import { writeFileAtomic } from './files';
import { EpochMetrics } from './train';

export const RUN_FILES = { config: 'config.json', metrics: 'metrics.jsonl', checkpoint: 'checkpoint', summary: 'summary.json' };

/** config.json: the configuration, and what else says how the run was made. */
export interface RunInfo {
  config: VaeConfig;
  backend?: string;
  nativeKernels?: boolean;
  images?: { train: number; validation: number; test: number }; // how many of each split the run used
  startedAt?: string; // ISO time
  concurrentRuns?: number; // runs trained at the same time on the machine (npm run notebooks)
  [extra: string]: unknown;
}

export function writeRunConfig(dir: string, info: RunInfo): void {
  writeFileAtomic(path.join(dir, RUN_FILES.config), JSON.stringify(info, null, 2) + '\n');
}

export function readRunConfig(dir: string): RunInfo {
  return JSON.parse(fs.readFileSync(path.join(dir, RUN_FILES.config), 'utf8')) as RunInfo;
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

/** What a finished run measured on the test set beyond its per-epoch metrics. */
export interface RunSummary {
  epochs: number;
  test: LossMetrics;
  isLogLikelihood: { k: number; value: number } | null; // null: not estimated (or vanilla_ae)
  activeUnits: number | null; // null: the mode has no encoder
  secondsPerEpoch: number;
  finishedAt?: string; // ISO time the last epoch ended
}

export function writeRunSummary(dir: string, summary: RunSummary): void {
  writeFileAtomic(path.join(dir, RUN_FILES.summary), JSON.stringify(summary, null, 2) + '\n');
}

export function readRunSummary(dir: string): RunSummary | null {
  const file = path.join(dir, RUN_FILES.summary);
  return fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')) as RunSummary) : null;
}
