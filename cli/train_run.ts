// What `npm run main` does once its flags are parsed (cli/commands/run_main.ts): trains one run on MNIST
// into --results_path, writing the original's pictures (PNG) there beside config.json,
// metrics.jsonl and a checkpoint; refuses a directory that holds another run unless told to resume
// or overwrite it; reports each epoch as a JSON event for a parent process (cli/events.ts).
import * as path from 'path';
import {
  acquireRunLock, binarizedData, addSaltAndPepper, CheckpointError, clearRunFiles, createVae, describeRunDir,
  loadResumable, readMetrics, Resumable, ResumeError, currentEngine, describeEngine, DivergenceError, EpochMetrics, firstImages,
  imageGridPng, initBackend, loadMnist, PICTURES, pmlrMapPng, pmlrPng, prrPng, setThreads, sliceSplit, StepInfo, trainRun,
  writeFileAtomic, writeRunExplorer,
} from '../lib/index';
import { emitEvent } from './events';
import { EXIT } from './exit';
import { FlagError } from './command';
import { checkRunPaths, flagOf, Flags } from './flags';
import { createProgress } from './progress';

/** The original numbers its pictures from epoch 00. */
const epochName = (prefix: string, epochIndex: number) => `${prefix}_epoch_${String(epochIndex).padStart(2, '0')}.png`;

/**
 * Trains the run `flags` describe; resolves with the exit code (0 done, 130 interrupted) or throws
 * an error of the exit contract (cli/exit.ts): a bad flag or path, a damaged file, a diverged run
 * (its message then names the likely cause).
 */
export async function runMain(flags: Flags, log: (line: string) => void = console.log): Promise<number> {
  try {
    return await trainFromFlags(flags, log);
  } catch (e) {
    if (e instanceof DivergenceError) e.message = `${e.message}; ${likelyCause(flags.config)}; the checkpoint of the last completed epoch is kept`;
    throw e;
  }
}

async function trainFromFlags(flags: Flags, log: (line: string) => void): Promise<number> {
  const { run } = flags;
  checkRunPaths(run);
  const lock = acquireRunLock(run.resultsPath);
  try {
    const there = describeRunDir(run.resultsPath, PICTURES);
    if (there && !run.resume && !run.overwrite) {
      throw new FlagError(`--results_path ${run.resultsPath} already holds a run (${there}): pass --resume True to continue it, ` +
        '--overwrite True to replace it, or choose another --results_path');
    }
    if (run.threads !== undefined) setThreads(run.threads); // before the backend starts: wasm without the addon makes its pool once
    await initBackend(run.backend); // before a checkpoint is loaded into it
    log(describeEngine(currentEngine()));
    if (run.resume) return await trainInto(flags, log, resumeFrom(flags, there));
    if (there) {
      clearRunFiles(run.resultsPath, PICTURES);
      log(`overwrite: removed the run that was in ${run.resultsPath} (${there})`);
    }
    return await trainInto(flags, log, null);
  } finally {
    lock.release();
  }
}

/** --resume True: the run in --results_path, continued (lib's loadResumable), its refusals worded for the flags. */
function resumeFrom(flags: Flags, there: string | null): Resumable {
  const { config, run } = flags;
  try {
    return loadResumable(run.resultsPath, config);
  } catch (e) {
    if (!(e instanceof ResumeError)) throw e;
    const r = e;
    const dir = run.resultsPath;
    if (r.reason === 'no-run') throw new FlagError(`--resume True: ${dir} holds no run to continue${there ? ` (${there}; no checkpoint)` : ''}`);
    if (r.reason === 'settings') {
      throw new FlagError(`--resume True: the run in ${dir} was trained with other settings: ` +
        r.differ.map((k) => `${flagOf(k)} ${JSON.stringify(r.saved![k])} (given ${JSON.stringify(config[k])})`).join(', ') + '; pass the same ones, or --overwrite True');
    }
    if (r.reason === 'finished') {
      throw new FlagError(`--resume True: the run in ${dir} has its ${r.epochs} epochs already; pass a larger --num_epochs to train on`);
    }
    throw new CheckpointError(r.message);
  }
}

async function trainInto(flags: Flags, log: (line: string) => void, resumed: Resumable | null): Promise<number> {
  const { config, run } = flags;
  const data = binarizedData(loadMnist(run.dataDir), config.binarize); // the pictures show what the model sees
  if (config.batchSize > data.train.n) {
    throw new FlagError(`--batch_size must be at most the ${data.train.n.toLocaleString('en-US')} training images, got ${config.batchSize}`);
  }
  const out = run.resultsPath;
  const write = (name: string, bytes: Buffer) => writeFileAtomic(path.join(out, name), bytes);


  // PRR inputs: the first test images, corrupted once (with the run's seed) when noise is on.
  const prrGrid = { nx: run.prrNImgX, ny: run.prrNImgY, resize: run.prrResizeFactor };
  let prrInputs = firstImages(data.test, Math.min(prrGrid.nx * prrGrid.ny, data.test.n));
  if (run.prr) {
    write('input.png', imageGridPng(prrInputs, prrGrid.nx, prrGrid.ny, prrGrid.resize));
    if (config.addNoise) {
      prrInputs = addSaltAndPepper(prrInputs, config.seed);
      write('input_noise.png', imageGridPng(prrInputs, prrGrid.nx, prrGrid.ny, prrGrid.resize));
    }
  }
  const pmlrSamples = sliceSplit(data.test, 0, run.pmlrNSamples);
  const pmlrGrid = { nx: run.pmlrNImgX, ny: run.pmlrNImgY, resize: run.pmlrResizeFactor };

  const model = resumed?.model ?? createVae(config, config.seed, data.train.images);
  if (resumed) log(`resuming ${out} after epoch ${resumed.trainer.epoch}${resumed.trainer.step ? `, step ${resumed.trainer.step}` : ''}`);
  const progress = createProgress(config, process.stderr, log);
  let interrupted = false;
  const onSigint = () => {
    if (interrupted) process.exit(EXIT.interrupted); // a second Ctrl-C: stop now; every file is written atomically
    interrupted = true;
  };
  process.on('SIGINT', onSigint);
  // The best test loss so far decides when pictures are written; a resumed run remembers its epochs.
  let best = Math.min(Infinity, ...(resumed ? readMetrics(out).slice(0, resumed.trainer.epoch).map((m) => m.test.loss) : []));
  try {
    const hooks = {
      onStep: (s: StepInfo) => progress.step(s),
      shouldStop: () => interrupted,
      onEpochEnd: async (m: EpochMetrics) => {
        progress.epochEnd(m);
        emitEvent({ event: 'epoch', epoch: m.epoch, epochs: config.numEpochs, loss: m.test.loss });
        // As the original: pictures when the loss improves, and at the last epoch.
        if (m.test.loss < best || m.epoch === config.numEpochs) {
          best = Math.min(best, m.test.loss);
          if (run.prr) write(epochName('PRR', m.epoch - 1), prrPng(model, prrInputs, prrGrid, config.seed));
          if (run.pmlr) {
            write(epochName('PMLR', m.epoch - 1), pmlrPng(model, pmlrGrid, run.pmlrZRange, run.pmlrGrid));
            write(epochName('PMLR_map', m.epoch - 1), await pmlrMapPng(model, pmlrSamples.images, pmlrSamples.labels, run.pmlrZRange, config.seed));
          }
        }
      },
    };
    const { history, stopped, summary } = await trainRun(out, model, config, data, { hooks, info: { run }, isK: run.isK, resume: resumed?.trainer });
    if (stopped) {
      progress.stop();
      log(`interrupted during epoch ${history.length + 1}: checkpoint (after ${history.length} full epochs and the steps since) and metrics saved in ${out}; ` +
        'continue with the same command and --resume True');
      return EXIT.interrupted;
    }
    if (summary.isLogLikelihood) {
      log(`test −log p(x) <= ${(-summary.isLogLikelihood.value).toFixed(2)} nats = ${summary.bitsPerDim!.is!.toFixed(4)} bits/dim ` +
        `(importance sampling, k = ${summary.isLogLikelihood.k}; ${summary.units})`);
    }
    if (summary.activeUnits !== null) log(`active units: ${summary.activeUnits} of ${config.dimZ}`);
    if (run.explorer) {
      const ex = writeRunExplorer(out, model, data.test);
      log(`explorer: ${ex.file} (${(ex.bytes / 1e6).toFixed(2)} MB; its decoder within ${ex.meta.maxPixelError.toFixed(3)} of the model's per pixel)`);
    }
    log(`done: results in ${out}`);
    return EXIT.done;
  } finally {
    process.off('SIGINT', onSigint);
    model.dispose();
  }
}

/** What most likely made a run diverge, in the flags' words. */
export function likelyCause(c: { learnRate: number }): string {
  return c.learnRate > 1e-2
    ? `--learn_rate ${c.learnRate} is probably too large (the original's 1e-3 trains)`
    : `try a smaller --learn_rate than ${c.learnRate}`;
}

