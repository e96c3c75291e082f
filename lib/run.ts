// A run directory: `config.json` (the full configuration), `metrics.jsonl` (one JSON line per
// epoch) and `checkpoint/` (weights + configuration). The command line and the notebooks write
// runs through here, and read them back to compare or to reuse a trained model.
import * as fs from 'fs';
import * as path from 'path';
import { VaeConfig } from './config';
import { writeFileAtomic } from './files';
import { EpochMetrics } from './train';

export const RUN_FILES = { config: 'config.json', metrics: 'metrics.jsonl', checkpoint: 'checkpoint' };

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
