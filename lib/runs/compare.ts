// One table across runs: reads every run directory under a results folder (config.json,
// metrics.jsonl, summary.json) and lays out what each run was and what it measured, as rows,
// CSV and Markdown.
import * as fs from 'fs';
import * as path from 'path';
import { VaeConfig } from '../core/config';
import { readMetrics, readRunConfig, readRunSummary, RUN_FILES, RunSummary } from './rundir';

export interface RunRow {
  run: string; // directory name
  mode: string;
  dimZ: number;
  klBeta: number;
  klWarmup: number;
  addNoise: boolean;
  likelihood: string; // bernoulli, continuous_bernoulli
  binarize: string; // none, dynamic, static
  epochs: number;
  seed: number;
  testElbo: number; // the objective, recon + klBeta * KL (-ELBO when klBeta = 1), on the test set after the last epoch
  recon: number;
  kl: number;
  isNll: number | null; // -log p(x), importance-sampled (nats per image, lower is better)
  isK: number | null;
  isBitsPerDim: number | null; // isNll in bits per dimension
  activeUnits: number | null;
  secondsPerEpoch: number;
}

/** Names in natural order: digits compare as numbers (vae_z2 < vae_z5 < vae_z10). */
export const naturalOrder = (a: string, b: string) => a.localeCompare(b, 'en', { numeric: true });

/**
 * Rows for the runs directly under `root` that have a configuration and at least one epoch, in
 * natural order. A run whose files cannot be read is passed to `onDamaged` (by default a
 * warning) and left out; the others are still read.
 */
export function collectRuns(root: string, onDamaged: (run: string, why: string) => void = (run, why) => process.emitWarning(`${run}: damaged, left out (${why})`)): RunRow[] {
  if (!fs.existsSync(root)) return [];
  const rows: RunRow[] = [];
  for (const name of fs.readdirSync(root).sort(naturalOrder)) {
    const dir = path.join(root, name);
    if (!fs.existsSync(path.join(dir, RUN_FILES.config))) continue;
    try {
      const row = readRunRow(name, dir);
      if (row) rows.push(row);
    } catch (e) {
      onDamaged(name, (e as Error).message);
    }
  }
  return rows;
}

function readRunRow(name: string, dir: string): RunRow | null {
  const history = readMetrics(dir);
  if (history.length === 0) return null;
  const { config } = readRunConfig(dir);
  const last = history[history.length - 1];
  const summary = readRunSummary(dir);
  return {
    run: name,
    mode: config.mode,
    dimZ: config.dimZ,
    klBeta: config.klBeta,
    klWarmup: config.klWarmup,
    addNoise: config.addNoise,
    likelihood: config.likelihood,
    binarize: config.binarize,
    epochs: last.epoch,
    seed: config.seed,
    testElbo: last.test.loss,
    recon: last.test.recon,
    kl: last.test.kl,
    isNll: summary?.isLogLikelihood ? -summary.isLogLikelihood.value : null,
    isK: summary?.isLogLikelihood?.k ?? null,
    isBitsPerDim: summary?.bitsPerDim?.is ?? null, // readRunSummary's, derived for summaries older than it
    activeUnits: summary?.activeUnits ?? null,
    secondsPerEpoch: history.reduce((s, m) => s + m.seconds, 0) / history.length,
  };
}

const COLUMNS: [keyof RunRow, string][] = [
  ['run', 'run'], ['mode', 'mode'], ['likelihood', 'likelihood'], ['binarize', 'binarize'], ['dimZ', 'dim_z'], ['klBeta', 'KL_beta'],
  ['klWarmup', 'KL_warmup'], ['addNoise', 'noise'], ['epochs', 'epochs'], ['seed', 'seed'], ['testElbo', 'test loss (recon + β·KL)'],
  ['recon', 'reconstruction'], ['kl', 'KL'], ['isNll', '−log p(x) (IS)'], ['isK', 'IS k'], ['isBitsPerDim', 'bits/dim (IS)'],
  ['activeUnits', 'active units'], ['secondsPerEpoch', 's/epoch'],
];

function cell(v: RunRow[keyof RunRow], key: keyof RunRow): string {
  if (v === null) return '';
  if (typeof v === 'number' && !Number.isInteger(v)) return v.toFixed(key === 'isBitsPerDim' ? 4 : 2);
  return String(v);
}

/** The table's header and cells as text ('' where a run has no value). */
export function runsTable(rows: RunRow[]): { header: string[]; cells: string[][] } {
  return { header: COLUMNS.map(([, h]) => h), cells: rows.map((r) => COLUMNS.map(([k]) => cell(r[k], k))) };
}

export function runsToCsv(rows: RunRow[]): string {
  const quote = (s: string) => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  const { header, cells } = runsTable(rows);
  return [header.join(','), ...cells.map((r) => r.map(quote).join(','))].join('\n') + '\n';
}

/** A Markdown table: a header line, a rule, one line per row. */
export function markdownTable(header: string[], rows: (string | number)[][]): string {
  const line = (cells: (string | number)[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n') + '\n';
}

export function runsToMarkdown(rows: RunRow[]): string {
  const { header, cells } = runsTable(rows);
  return markdownTable(header, cells.map((r) => r.map((c) => c || '–')));
}

/** What a results table shows of a run: how it is labelled, what it was trained with, what it measured. */
export interface ResultRun {
  label: string;
  config: VaeConfig;
  summary: RunSummary;
}

/** `v` with `digits` decimals; '–' where the run has no such number. */
const fixed = (v: number | null | undefined, digits: number) => (typeof v === 'number' ? v.toFixed(digits) : '–');

/** The objective a run trained on, in words: the seed's ELBO, its K-sample form, the IWAE bound, or a mode's. */
function trainedOn(c: VaeConfig): string {
  if (c.mode !== 'vae') return 'reconstruction (no KL)';
  if ((c.iwK ?? 1) > 1) return `IWAE bound, K = ${c.iwK}`;
  const samples = (c.elboK ?? 1) > 1 ? `K = ${c.elboK} samples` : '1 sample';
  return c.klBeta === 1 ? `ELBO, ${samples}` : `recon + ${c.klBeta}·KL, ${samples}`;
}

/** The columns a notebook's results table can show, each computed from a run's configuration and summary. */
export const RESULT_COLUMNS = {
  units: { header: () => 'what the numbers are', cell: (r: ResultRun) => r.summary.units ?? '' },
  klWarmup: { header: () => 'KL warm-up (epochs)', cell: (r: ResultRun) => r.config.klWarmup },
  objective: { header: () => 'objective (recon + β·KL)', cell: (r: ResultRun) => r.summary.test.loss.toFixed(2) },
  elbo: { header: () => '−ELBO (recon + KL)', cell: (r: ResultRun) => (r.summary.test.recon + r.summary.test.kl).toFixed(2) },
  elboBits: { header: () => '−ELBO bits/dim', cell: (r: ResultRun) => fixed(r.summary.bitsPerDim?.elbo, 4) },
  recon: { header: () => 'reconstruction', cell: (r: ResultRun) => r.summary.test.recon.toFixed(2) },
  kl: { header: () => 'KL', cell: (r: ResultRun) => r.summary.test.kl.toFixed(2) },
  is: {
    header: (runs: ResultRun[]) => `−log p(x) (IS, k = ${runs.find((r) => r.summary.isLogLikelihood)?.summary.isLogLikelihood!.k ?? '–'})`,
    cell: (r: ResultRun) => fixed(r.summary.isLogLikelihood && -r.summary.isLogLikelihood.value, 2),
  },
  isBits: { header: () => 'bits/dim', cell: (r: ResultRun) => fixed(r.summary.bitsPerDim?.is, 4) },
  trainedOn: {
    header: () => 'trained on',
    cell: (r: ResultRun) => trainedOn(r.config),
  },
  bound: {
    header: () => '−(bound trained on)',
    cell: (r: ResultRun) => (r.summary.testBound ? r.summary.testBound.value : r.summary.test.recon + r.summary.test.kl).toFixed(2),
  },
  epochs: { header: () => 'epochs', cell: (r: ResultRun) => r.summary.epochs },
  secondsPerEpoch: { header: () => 's/epoch', cell: (r: ResultRun) => fixed(r.summary.secondsPerEpoch, 1) },
  activeUnits: { header: () => 'active units', cell: (r: ResultRun) => (r.summary.activeUnits === null ? '–' : `${r.summary.activeUnits}/${r.config.dimZ}`) },
} as const;
export type ResultColumn = keyof typeof RESULT_COLUMNS;

/** A results table of `runs` (one row each, first its label under `first`) with the `columns` asked for, as the notebooks show it. */
export function resultsTable(runs: ResultRun[], columns: ResultColumn[], first = 'run'): { header: string[]; cells: (string | number)[][] } {
  return {
    header: [first, ...columns.map((c) => RESULT_COLUMNS[c].header(runs))],
    cells: runs.map((r) => [r.label, ...columns.map((c) => RESULT_COLUMNS[c].cell(r))]),
  };
}
