// The files of a run directory: `config.json` (the full configuration and how the run was made),
// `metrics.jsonl` (one JSON line per epoch), `summary.json` (what the finished run measured) and
// `checkpoint/` (weights + configuration). Reading and writing them, nothing else.
import * as fs from 'fs';
import * as path from 'path';
import { ADDED_SETTINGS, VaeConfig } from '../core/config';
import { LossMetrics } from '../core/evaluate';
import { writeFileAtomic } from './files';
import { runUnits } from '../core/units';
import { EpochMetrics } from '../core/train';

export const RUN_FILES = {
  config: 'config.json', metrics: 'metrics.jsonl', checkpoint: 'checkpoint.safetensors', summary: 'summary.json',
  explorer: 'explorer.html', // lib/web/explorer.ts: written at the end of a run
  legacyCheckpoint: 'checkpoint', // checkpoint@1, a directory: still read
};

/** The checkpoint of run directory `dir`: checkpoint.safetensors, else an earlier run's checkpoint/ directory, else where one would go. */
export function checkpointOf(dir: string): string {
  const file = path.join(dir, RUN_FILES.checkpoint);
  const legacy = path.join(dir, RUN_FILES.legacyCheckpoint);
  return !fs.existsSync(file) && fs.existsSync(legacy) ? legacy : file;
}

/** Rewrites metrics.jsonl with the first `n` epochs only (a resumed run drops what its checkpoint does not hold). */
export function truncateMetrics(dir: string, history: EpochMetrics[], n: number): EpochMetrics[] {
  const kept = history.slice(0, n);
  writeFileAtomic(path.join(dir, RUN_FILES.metrics), kept.map((m) => JSON.stringify(m) + '\n').join(''));
  return kept;
}

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

/** A JSON file of a run directory; unreadable JSON is a DamagedRunError naming the file. */
function readJson<T>(file: string): T {
  const text = fs.readFileSync(file, 'utf8');
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new DamagedRunError(file, `not JSON (${text.length} bytes)`);
  }
}

/** config.json; a configuration written before a setting existed gets the value it was trained with (ADDED_SETTINGS). */
export function readRunConfig(dir: string): RunInfo {
  const info = readJson<RunInfo>(path.join(dir, RUN_FILES.config));
  return info.config ? { ...info, config: { ...ADDED_SETTINGS, ...info.config } as VaeConfig } : info;
}

/** Starts a fresh metrics file (a run that restarts from epoch 0 replaces its old history). */
export function resetMetrics(dir: string): void {
  writeFileAtomic(path.join(dir, RUN_FILES.metrics), '');
}

/** Appends one epoch as one line: a single small append, so a line is either there or not. */
export function appendMetrics(dir: string, m: EpochMetrics): void {
  fs.appendFileSync(path.join(dir, RUN_FILES.metrics), JSON.stringify(m) + '\n');
}

/** A run directory's file that cannot be read as a run wrote it. */
export class DamagedRunError extends Error {
  constructor(readonly file: string, readonly why: string) {
    super(`${file}: ${why}`);
    this.name = 'DamagedRunError';
  }
}

/**
 * The epochs recorded so far. A last line cut short (a crash in the middle of an append: no
 * newline at its end, not JSON) is skipped, and `warn` says so; damage anywhere else is a
 * DamagedRunError naming the file and the line.
 */
export function readMetrics(dir: string, warn: (message: string) => void = (m) => process.emitWarning(m)): EpochMetrics[] {
  const file = path.join(dir, RUN_FILES.metrics);
  if (!fs.existsSync(file)) return [];
  const text = fs.readFileSync(file, 'utf8');
  const lines = text.split('\n');
  const metrics: EpochMetrics[] = [];
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    try {
      metrics.push(JSON.parse(line) as EpochMetrics);
    } catch {
      const unfinished = i === lines.length - 1; // the file does not end with a newline
      if (!unfinished) throw new DamagedRunError(file, `line ${i + 1} is not JSON`);
      warn(`${file}: skipped its last line, cut short (${line.length} characters, no newline): a run stopped while writing it`);
    }
  });
  return metrics;
}

/** What a finished run measured on the test set beyond its per-epoch metrics. */
export interface RunSummary {
  epochs: number;
  test: LossMetrics;
  /** What the log-likelihoods are (likelihoodUnits): nats per image under this, summed over the 784 pixels. */
  units?: string;
  isLogLikelihood: { k: number; value: number } | null; // null: not estimated (or vanilla_ae)
  /** -ELBO (recon + KL, whatever the KL weight; no_encoder: recon, also a bound) and IS -log p(x) in bits per dimension (bitsPerDim); null where not defined. */
  bitsPerDim?: { elbo: number | null; is: number | null };
  activeUnits: number | null; // null: the mode has no encoder
  /** --IW_k K > 1: the last epoch's -L_K on the test split, the bound the run trained on. */
  testBound?: { k: number; value: number };
  secondsPerEpoch: number;
  finishedAt?: string; // ISO time the last epoch ended
}

export function writeRunSummary(dir: string, summary: RunSummary): void {
  writeFileAtomic(path.join(dir, RUN_FILES.summary), JSON.stringify(summary, null, 2) + '\n');
}

/** summary.json; one written before units and bits/dim were recorded gets them, derived from its numbers and config.json. */
export function readRunSummary(dir: string): RunSummary | null {
  const file = path.join(dir, RUN_FILES.summary);
  if (!fs.existsSync(file)) return null;
  const summary = readJson<RunSummary>(file);
  return summary.units !== undefined ? summary : { ...summary, ...runUnits(readRunConfig(dir).config, summary.test, summary.isLogLikelihood) };
}

/** Files a run directory holds that a run wrote, by name: its records and, through `pictures`, its images. */
function runFilesIn(dir: string, pictures: RegExp): string[] {
  if (!fs.existsSync(dir)) return [];
  const records = new Set(Object.values(RUN_FILES));
  return fs.readdirSync(dir).filter((f) => records.has(f) || pictures.test(f)).sort();
}

/** The pictures a run writes (the original's names), which --overwrite removes with the run's records. */
export const PICTURES = /^(input|input_noise|(PRR|PMLR|PMLR_map)_epoch_\d{2,})\.png$/;

/** What of a run `dir` holds ("config.json, metrics.jsonl (3 epochs), checkpoint, 4 pictures"), or null when nothing. */
export function describeRunDir(dir: string, pictures: RegExp): string | null {
  const files = runFilesIn(dir, pictures);
  if (files.length === 0) return null;
  const epochs = () => {
    try {
      const n = readMetrics(dir, () => undefined).length;
      return `${n} epoch${n === 1 ? '' : 's'}`;
    } catch {
      return 'damaged';
    }
  };
  const named = files.filter((f) => !pictures.test(f)).map((f) => (f === RUN_FILES.metrics ? `${f} (${epochs()})` : f));
  const n = files.length - named.length;
  return [...named, ...(n ? [`${n} picture${n === 1 ? '' : 's'}`] : [])].join(', ');
}

/** Removes what a run wrote in `dir` (its records and pictures), never anything else. */
export function clearRunFiles(dir: string, pictures: RegExp): void {
  for (const f of runFilesIn(dir, pictures)) fs.rmSync(path.join(dir, f), { recursive: true, force: true });
}
