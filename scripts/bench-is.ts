// `npm run bench-is -- RUN_DIR [--k 50,500,5000] [--threads 1,2] [--images 10000]` (threads: default the machine's cores): times the
// importance-sampled log-likelihood (lib/core/estimators.ts) of a trained run on its test set (binarized
// as the run was trained) for each k and number of threads of the native kernels, and prints each estimate in
// nats and bits/dim with the seconds it took. The README's IS times come from here.
import {
  binarizedData, bitsPerDim, checkpointOf, currentEngine, describeEngine, importanceSampledLogLikelihood, initBackend, likelihoodUnits,
  loadCheckpoint, loadMnist, readRunConfig, sliceSplit, cores,
} from '../lib/index';

const USAGE = 'usage: npm run bench-is -- RUN_DIR [--k 50,500,5000] [--threads 1,2] [--images N]';

function list(v: string | undefined, flag: string, lo: number, hi: number): number[] {
  const values = (v ?? '').split(',').map(Number);
  if (!v || values.some((x) => !Number.isInteger(x) || x < lo || x > hi)) throw new Error(`${flag} must be integers in [${lo}, ${hi}], comma-separated, got '${v ?? ''}' (${USAGE})`);
  return values;
}

function parseArgs(argv: string[]): { dir: string; ks: number[]; threads: number[]; images: number } {
  const opts: Record<string, string> = {};
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i].startsWith('--')) opts[argv[i].slice(2)] = argv[++i];
    else rest.push(argv[i]);
  }
  const unknown = Object.keys(opts).find((k) => !['k', 'threads', 'images'].includes(k));
  if (unknown || rest.length !== 1) throw new Error(unknown ? `unknown option --${unknown} (${USAGE})` : USAGE);
  return {
    dir: rest[0],
    ks: list(opts.k ?? '50,500,5000', '--k', 1, 100000),
    threads: list(opts.threads ?? String(cores()), '--threads', 1, cores()),
    images: list(opts.images ?? '10000', '--images', 1, 10000)[0],
  };
}

async function main(): Promise<void> {
  const { dir, ks, threads, images } = parseArgs(process.argv.slice(2));
  await initBackend();
  console.log(describeEngine(currentEngine()));
  const { config } = readRunConfig(dir);
  const { model } = loadCheckpoint(checkpointOf(dir));
  const test = sliceSplit(binarizedData(loadMnist(), config.binarize).test, 0, images);
  console.log(`${dir}: ${test.n} test images; nats per image, ${likelihoodUnits(config)}`);
  for (const k of ks) {
    for (const t of threads) {
      const t0 = process.hrtime.bigint();
      const value = importanceSampledLogLikelihood(model, test, { k, seed: config.seed, threads: t });
      const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
      console.log(`k = ${k}, ${t} thread${t === 1 ? '' : 's'}: −log p(x) ${(-value).toFixed(2)} (${bitsPerDim(-value).toFixed(4)} bits/dim) in ${seconds.toFixed(1)} s ` +
        `(${((seconds / (test.n * k)) * 1e6).toFixed(1)} µs a sample)`);
    }
  }
  model.dispose();
}

main().catch((e) => {
  console.error(`error: ${(e as Error).message}`);
  process.exit(e instanceof Error && e.message.includes('usage') ? 2 : 1);
});
