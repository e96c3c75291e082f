// `npm run notebook-runs [-- --workers N]`: trains every notebook run (notebooks/settings.ts) that
// is not finished yet, N at a time (default: one per core), each in a process of its own, exactly
// as a notebook cell would (trainOrLoad into results/notebooks/<run>/). `npm run notebooks` runs
// it first, so the notebooks then load finished runs. VAE_NB_QUICK=1: the reduced setting.
import { fork } from 'child_process';
import * as os from 'os';
import * as path from 'path';
import { EpochMetrics, finishedRun, initBackend, runName, trainOrLoad } from '../lib';
import { chooseSetting, NOTEBOOK_RUNS, notebookConfig, notebookData, runsDir } from '../notebooks/settings';

const setting = chooseSetting();
const configs = NOTEBOOK_RUNS.map((o) => notebookConfig(o, setting));
const dirOf = (i: number) => path.join(runsDir(setting), runName(configs[i]));

type Message = { epoch: EpochMetrics } | { done: true } | { error: string };

/** A worker: trains configuration `index` and reports every epoch to the parent. */
async function child(index: number, concurrentRuns: number): Promise<void> {
  const send = (m: Message) => process.send!(m);
  try {
    await initBackend();
    const config = configs[index];
    const hooks = { onEpochEnd: (epoch: EpochMetrics) => void send({ epoch }) };
    const r = await trainOrLoad(dirOf(index), config, notebookData(setting), { hooks, isK: setting.isK, info: { concurrentRuns } });
    r.model.dispose();
    send({ done: true });
  } catch (e) {
    send({ error: (e as Error).message });
  }
}

function parseWorkers(argv: string[]): number {
  const i = argv.indexOf('--workers');
  if (i < 0) return os.availableParallelism?.() ?? os.cpus().length;
  const n = Number(argv[i + 1]);
  if (!Number.isInteger(n) || n < 1 || n > 64) {
    console.error(`error: --workers must be an integer in [1, 64], got ${JSON.stringify(argv[i + 1] ?? '')}`);
    process.exit(2);
  }
  return n;
}

async function parent(workers: number): Promise<number> {
  const todo = configs.map((_, i) => i).filter((i) => !finishedRun(dirOf(i), configs[i]));
  const t0 = Date.now();
  const clock = () => `${((Date.now() - t0) / 1000).toFixed(0).padStart(4)} s`;
  console.log(`notebook runs (${setting.name} setting, ${runsDir(setting)}): ${configs.length - todo.length} of ${configs.length} finished already, ` +
    `${todo.length} to train, ${Math.min(workers, todo.length)} at a time`);
  const failures: string[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < todo.length) {
      const i = todo[next++];
      const name = runName(configs[i]);
      console.log(`${clock()}  ${name}: started`);
      await new Promise<void>((resolve) => {
        const proc = fork(__filename, ['--child', String(i), String(Math.min(workers, todo.length))], {
          execArgv: ['-r', 'ts-node/register/transpile-only'],
        });
        let ended = false;
        proc.on('message', (m: Message) => {
          if ('epoch' in m) {
            const e = m.epoch;
            console.log(`${clock()}  ${name}: epoch ${e.epoch}/${configs[i].numEpochs}, test loss ${e.test.loss.toFixed(2)}, ${e.seconds.toFixed(1)} s`);
          } else if ('done' in m) {
            ended = true;
            console.log(`${clock()}  ${name}: finished`);
          } else {
            ended = true;
            failures.push(`${name}: ${m.error}`);
            console.log(`${clock()}  ${name}: FAILED: ${m.error}`);
          }
        });
        proc.on('exit', (code, signal) => {
          if (!ended) failures.push(`${name}: the worker exited (${signal ?? `code ${code}`}) before finishing`);
          resolve();
        });
      });
    }
  };
  await Promise.all(Array.from({ length: Math.min(workers, todo.length) }, worker));
  console.log(`notebook runs: ${todo.length - failures.length} trained, ${failures.length} failed, in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  for (const f of failures) console.error(`error: ${f}`);
  return failures.length ? 1 : 0;
}

const argv = process.argv.slice(2);
if (argv[0] === '--child') child(Number(argv[1]), Number(argv[2])).then(() => process.exit(0));
else parent(parseWorkers(argv)).then((code) => process.exit(code));
