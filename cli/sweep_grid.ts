// A sweep's grid: the original's flags, any of those that define a run taking a comma-separated
// list (`--dim_z 2,5,10 --KL_beta 1,0.1 --seed 1,2,3`), expanded into the cartesian product of
// configurations, each validated by the command line's own parser before anything starts, each
// trained into <results_path>/<run name>/. Points that name the same run collapse into one.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { checkpointOf, describeRunDir, PICTURES } from '../lib/runs/rundir';
import { finishedRun } from '../lib/runs/run';
import { runName } from '../lib/runs/naming';
import { FlagError } from './command';
import { Flags, parseFlags } from './flags';

const CLI = 'cli/commands/run_main.ts';

/** Flags that define a run (its directory's name): the only ones that may take a list. */
export const CAN_VARY = [
  'dim_z', 'n_hidden', 'learn_rate', 'num_epochs', 'batch_size', 'add_noise', 'KL_beta', 'KL_warmup', 'likelihood', 'binarize', 'activation',
  'keep_prob', 'seed', 'arch', 'IW_k', 'ELBO_k', 'learn_rate_schedule',
  'vanilla_ae_mode', 'no_encoder_mode',
];
/** The sweep decides these for each run itself: a finished run is skipped, an interrupted one resumed. */
const DECIDED_BY_SWEEP = ['resume', 'overwrite'];
/** More points than this is a typo more likely than a plan. */
export const MAX_POINTS = 10000;

/** One configuration of the grid: its run name, its command line (without --results_path) and the parsed flags. */
export interface GridPoint {
  name: string;
  dir: string; // <results_path>/<name>
  argv: string[];
  flags: Flags;
}

export interface SweepOptions {
  workers: number;
  queue?: string; // redis://HOST:PORT
  detach: boolean;
}

export interface Sweep extends SweepOptions {
  resultsPath: string;
  points: GridPoint[];
}

/** argv as [flag, value] pairs: `--flag value`, `--flag=value`, or a bare `--flag` (a boolean switched on). */
function pairs(argv: string[]): [string, string][] {
  const out: [string, string][] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) throw new FlagError(`expected a flag, got '${a}' (flags are --name value; lists are comma-separated: --dim_z 2,5,10)`);
    const eq = a.indexOf('=');
    if (eq > 0) out.push([a.slice(2, eq), a.slice(eq + 1)]);
    else if (i + 1 < argv.length && !argv[i + 1].startsWith('--')) out.push([a.slice(2), argv[++i]]);
    else out.push([a.slice(2), 'True']);
  }
  return out;
}

export const CORES = os.availableParallelism?.() ?? os.cpus().length;

/** --workers: an integer in [1, 256]; absent, the machine's cores. */
export function workersOf(v: string | undefined, cores = CORES): number {
  if (v === undefined) return cores;
  const n = Number(v);
  if (!/^\d+$/.test(v.trim()) || n < 1 || n > 256) throw new FlagError(`--workers must be an integer in [1, 256], got '${v}'`);
  return n;
}

/** --queue's value, checked: a Redis URL (redis://HOST:PORT, rediss:// for TLS, an optional /DB). */
export function queueUrlOf(v: string | undefined): string {
  if (!v || !/^rediss?:\/\/[^\s/]+(:\d+)?(\/\d+)?$/.test(v)) throw new FlagError(`--queue must be a Redis URL, redis://HOST:PORT, got '${v ?? ''}'`);
  return v;
}

/**
 * The sweep that `argv` asks for: the grid's points (validated, named, duplicates collapsed, in
 * the order of the product with the last flag varying fastest), where they go, and how many
 * workers train them. Throws a FlagError naming what is wrong before anything runs.
 */
export function parseSweep(argv: string[], cores = CORES): Sweep {
  const given = pairs(argv);
  const seen = new Set<string>();
  for (const [flag] of given) {
    if (seen.has(flag)) throw new FlagError(`--${flag} is given twice: give it once, with a comma-separated list for several values`);
    seen.add(flag);
  }
  const take = (flag: string) => given.find(([f]) => f === flag)?.[1];
  const options: SweepOptions = { workers: workersOf(take('workers'), cores), queue: take('queue'), detach: /^(true|1|yes)$/i.test(take('detach') ?? '') };
  if (options.detach && !options.queue) throw new FlagError('--detach needs --queue: a local sweep runs in this process');
  if (options.queue !== undefined) queueUrlOf(options.queue);
  const runFlags = given.filter(([f]) => !['workers', 'queue', 'detach'].includes(f));
  const decided = runFlags.find(([f]) => DECIDED_BY_SWEEP.includes(f));
  if (decided) throw new FlagError(`--${decided[0]} is not a sweep flag: a sweep skips finished runs and resumes interrupted ones itself`);
  const resultsPath = take('results_path') ?? 'results';

  const axes = runFlags.filter(([f]) => f !== 'results_path').map(([flag, value]): [string, string[]] => {
    const values = value.split(',').map((v) => v.trim());
    if (values.length > 1) {
      if (values.some((v) => v === '')) throw new FlagError(`--${flag} ${value}: an empty value in the list`);
      if (!CAN_VARY.includes(flag)) {
        throw new FlagError(`--${flag} cannot take a list in a sweep (runs differing only in it would share one run directory); ` +
          `the flags that can: ${CAN_VARY.map((f) => `--${f}`).join(', ')}`);
      }
    }
    return [flag, values];
  });
  if (take('results_path')?.includes(',')) throw new FlagError(`--results_path cannot take a list in a sweep: it is where every run of the grid goes, got '${resultsPath}'`);
  const size = axes.reduce((n, [, v]) => n * v.length, 1);
  if (size > MAX_POINTS) throw new FlagError(`the grid has ${size} points, more than ${MAX_POINTS}: narrow the lists`);

  const points: GridPoint[] = [];
  const names = new Set<string>();
  const combos = axes.reduce<[string, string][][]>((acc, [flag, values]) => acc.flatMap((c) => values.map((v) => [...c, [flag, v] as [string, string]])), [[]]);
  for (const combo of combos) {
    const pointArgv = combo.flatMap(([f, v]) => [`--${f}`, v]);
    let flags: Flags;
    try {
      const parsed = parseFlags(pointArgv);
      if ('help' in parsed) throw new FlagError('--help is not a sweep flag (npm run main -- --help lists the flags)');
      flags = parsed;
    } catch (e) {
      if (!(e instanceof FlagError)) throw e;
      const varying = combo.filter(([f]) => (axes.find(([a]) => a === f)?.[1].length ?? 0) > 1);
      throw new FlagError(varying.length ? `${e.message} (in the grid point ${varying.map(([f, v]) => `--${f} ${v}`).join(' ')})` : e.message);
    }
    const name = runName(flags.config);
    if (names.has(name)) continue;
    names.add(name);
    const dir = path.join(resultsPath, name);
    points.push({ name, dir, argv: pointArgv, flags: { ...flags, run: { ...flags.run, resultsPath: dir } } });
  }
  return { ...options, resultsPath, points };
}

/** A grid point from its command line (as a queue job carries it): validated again, placed under `resultsPath`. */
export function pointOf(argv: string[], resultsPath: string): GridPoint {
  const { points } = parseSweep([...argv, '--results_path', resultsPath, '--workers', '1']);
  if (points.length !== 1) throw new FlagError(`a queued run must be one configuration, got ${points.length}: ${argv.join(' ')}`);
  return points[0];
}

/**
 * The command line that trains `point` now, as `npm run main` would: null when the run is
 * finished, with --resume True when it has a checkpoint, --overwrite True over a run that never
 * reached one.
 */
export function commandFor(point: GridPoint): string[] | null {
  const { dir } = point;
  if (finishedRun(dir, point.flags.config)) return null;
  const extra = fs.existsSync(checkpointOf(dir)) ? ['--resume', 'True'] : describeRunDir(dir, PICTURES) ? ['--overwrite', 'True'] : [];
  return [CLI, ...point.argv, '--results_path', dir, ...extra];
}
