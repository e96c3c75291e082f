// `npm run notebook-runs [-- --workers N]`: trains every notebook run (notebooks/settings.ts, the
// one list of the notebooks' configurations) that is not finished yet, on the sweep's local pool
// (cli/pool.ts): N at a time (default: one per core), each in a process of its own, exactly as a
// notebook cell would (trainOrLoad into results/notebooks/<run>/), a crashed one retried from its
// checkpoint. `npm run notebooks` runs it first, so the notebooks then load finished runs.
// VAE_NB_QUICK=1: the reduced setting.
import * as path from 'path';
import { EpochMetrics, finishedRun, initBackend, runName, trainOrLoad } from '../../lib/index';
import { runPool } from '../pool';
import { emitEvent } from '../events';
import { newCommand, parseCommand, printHelp } from '../command';
import { EXIT, runCommand } from '../exit';
import { workersOf } from '../sweep_grid';
import { chooseSetting, NOTEBOOK_RUNS, notebookConfig, notebookData, runsDir } from '../../notebooks/settings';

const setting = chooseSetting();
const configs = NOTEBOOK_RUNS.map((o) => notebookConfig(o, setting));
const dirOf = (i: number) => path.join(runsDir(setting), runName(configs[i]));

/** A worker: trains configuration `index`, with an epoch event after every epoch (the pool follows them). */
async function child(index: number, concurrentRuns: number): Promise<number> {
  await initBackend();
  const config = configs[index];
  const hooks = { onEpochEnd: (m: EpochMetrics) => emitEvent({ event: 'epoch', epoch: m.epoch, epochs: config.numEpochs, loss: m.test.loss }) };
  const r = await trainOrLoad(dirOf(index), config, notebookData(setting), { hooks, isK: setting.isK, info: { concurrentRuns } });
  r.model.dispose();
  return EXIT.done;
}

/** --workers N (default: one per core), or { help }. */
function parseArgs(argv: string[]): { workers: number } | { help: string } {
  const cmd = newCommand('notebook-runs', 'Train every notebook run not finished yet.').option('--workers <n>', 'runs at a time (default: one per core)');
  const help = parseCommand(cmd, argv, 'npm run notebook-runs [-- --workers N]');
  return help ?? { workers: workersOf(cmd.opts<{ workers?: string }>().workers) };
}

async function parent(workers: number): Promise<number> {
  const todo = configs.filter((c, i) => !finishedRun(dirOf(i), c)).length;
  const t0 = Date.now();
  const concurrent = Math.max(1, Math.min(workers, todo));
  console.log(`notebook runs (${setting.name} setting, ${runsDir(setting)}): ${configs.length - todo} of ${configs.length} finished already, ` +
    `${todo} to train, ${concurrent} at a time`);
  const status = await runPool(configs.map((c, i) => ({
    name: runName(c), epochs: c.numEpochs, command: () => (finishedRun(dirOf(i), c) ? null : [__filename, '--child', String(i), String(concurrent)]),
  })), { workers });
  const failed = status.filter((s) => s.state === 'failed' || s.state === 'interrupted');
  console.log(`notebook runs: ${status.filter((s) => s.state === 'done').length} trained, ${failed.length} failed, in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  for (const f of failed) console.error(`error: ${f.name}: ${f.reason ?? f.state}`);
  return failed.length ? EXIT.failed : EXIT.done;
}

const argv = process.argv.slice(2);
runCommand(async () => {
  if (argv[0] === '--child') return child(Number(argv[1]), Number(argv[2]));
  const args = parseArgs(argv);
  if ('help' in args) return printHelp(args);
  return parent(args.workers);
});
