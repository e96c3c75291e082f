// `npm run bench-iwae [-- --steps N]`: a training step of Burda et al.'s architecture (--arch burda:
// 784-200-200-50, batch 20) on dynamically binarized MNIST with K samples of z per image, for the
// K-sample ELBO (--ELBO_k) and the importance-weighted bound (--IW_k) at K = 1, 5, 50: ms a step,
// s an epoch of 55,000 images, and each as a ratio to K = 1 measured in the same run. The
// configurations alternate round by round so that each sees the same machine; medians of 3 rounds.
import * as lib from '../lib/index';

const ROUNDS = 3;
const CASES: [string, Partial<lib.VaeConfig>][] = [
  ['K = 1 (the ELBO)', {}], ['ELBO_k 5', { elboK: 5 }], ['IW_k 5', { iwK: 5 }], ['ELBO_k 50', { elboK: 50 }], ['IW_k 50', { iwK: 50 }],
];

function stepsArg(argv: string[]): number {
  const i = argv.indexOf('--steps');
  const n = i >= 0 ? Number(argv[i + 1]) : 100;
  if (!Number.isInteger(n) || n < 1 || n > 100000) {
    console.error(`--steps must be an integer in [1, 100000], got '${i >= 0 ? argv[i + 1] ?? '' : ''}'`);
    process.exit(2);
  }
  return n;
}

(async () => {
  const steps = stepsArg(process.argv.slice(2));
  await lib.initBackend();
  const data = lib.binarizedData(lib.loadMnist(), 'dynamic');
  const trainers = CASES.map(([, o]) => {
    const config = lib.makeConfig({ arch: 'burda', binarize: 'dynamic', ...o });
    const model = lib.createVae(config, 1, data.train.images);
    return { config, trainer: new lib.Trainer(model, config, { train: data.train, test: lib.sliceSplit(data.test, 0, 100) }) };
  });
  const batch = lib.binarizeInPlace(data.train.images.slice(0, 20 * 784), new lib.Rng(1));
  const times: number[][] = CASES.map(() => []);
  for (let round = 0; round <= ROUNDS; round++) {
    trainers.forEach(({ trainer }, c) => {
      const t0 = process.hrtime.bigint();
      for (let s = 0; s < (round === 0 ? 10 : steps); s++) trainer.step(batch);
      if (round > 0) times[c].push(Number(process.hrtime.bigint() - t0) / 1e6 / steps); // round 0 warms up
    });
  }
  const median = (a: number[]) => a.slice().sort((x, y) => x - y)[Math.floor(a.length / 2)];
  const ms = times.map(median);
  const stepsPerEpoch = Math.floor(55000 / 20);
  console.log(`${lib.describeEngine(lib.currentEngine())}; ${steps} steps a round, median of ${ROUNDS}`);
  CASES.forEach(([name], c) => {
    console.log(`${name.padEnd(17)} ${ms[c].toFixed(2).padStart(7)} ms/step  ${((ms[c] * stepsPerEpoch) / 1000).toFixed(1).padStart(6)} s/epoch  ${(ms[c] / ms[0]).toFixed(2)}x K = 1`);
  });
  trainers.forEach(({ trainer }) => trainer.dispose());
})();
