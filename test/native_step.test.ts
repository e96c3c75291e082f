// NativeStep (lib/core/native_step.ts), the training step written out as addon calls, must be the
// engine's step bit for bit: the same weights, Adam moments, losses and generator state after a few
// steps, in every mode, likelihood, arch, with dropout or not, noise, a KL weight and odd batch sizes.
// Skipped where the addon is not built (the step then is the engine's: nothing to compare).
import * as tf from '@tensorflow/tfjs';
import { createHash } from 'crypto';
import { createVae, DivergenceError, initBackend, loadNative, makeConfig, Trainer, VaeConfig } from '../lib/index';
import { smallMnist } from './helpers';

const maybe = loadNative() ? describe : describe.skip;

/** The bytes of a float32 array as a digest: bit for bit (-0 and NaN payloads included), and fast to compare. */
const digest = (a: Float32Array) => createHash('sha256').update(Buffer.from(a.buffer, a.byteOffset, a.byteLength)).digest('hex');

/** Trains `steps` steps of `config` from seed 3 with the hand-written step or the engine's; returns everything a later step depends on. */
function train(config: VaeConfig, nativeStep: boolean, steps: number) {
  const data = smallMnist(1000, 100);
  const model = createVae(config, 3, data.train.images);
  const trainer = new Trainer(model, config, data, { nativeStep });
  const initial = model.variables().map((v) => Array.from(v.dataSync()));
  const losses: number[][] = [];
  for (let s = 0; s < steps; s++) {
    const batch = data.train.images.subarray(s * config.batchSize * 784, (s + 1) * config.batchSize * 784);
    const m = trainer.step(batch, config.klBeta);
    losses.push([m.loss, m.recon, m.kl]);
  }
  const state = trainer.getState();
  const result = {
    inUse: trainer.nativeStepInUse, losses,
    moved: model.variables().filter((v, i) => Array.from(v.dataSync()).some((x, j) => x !== initial[i][j])).length, rng: state.rng, t: state.adam.t,
    weights: model.variables().map((v) => digest(v.dataSync() as Float32Array)), m: state.adam.m.map(digest), v: state.adam.v.map(digest),
  };
  trainer.dispose();
  model.dispose();
  return result;
}

maybe('the hand-written step (wasm + addon) is the engine step bit for bit', () => {
  beforeAll(async () => {
    await initBackend('wasm');
  });

  test.each([
    ['the seed model (vae, dropout, Bernoulli)', {}],
    ['continuous Bernoulli', { likelihood: 'continuous_bernoulli' }],
    ['vanilla_ae', { mode: 'vanilla_ae' }],
    ['no_encoder', { mode: 'no_encoder' }],
    ['salt & pepper noise', { addNoise: true }],
    ['arch burda (sigma = exp, tanh, no dropout, batch 20)', { arch: 'burda', nHidden: 200, dimZ: 50, activation: 'tanh', keepProb: 1, batchSize: 20 }],
    ['KL_beta 0.3, batch 37 (means over a batch that is not a power of 2)', { klBeta: 0.3, batchSize: 37, keepProb: 0.5 }],
    ['KL_beta 0', { klBeta: 0, nHidden: 64, dimZ: 3 }],
  ] as [string, Partial<VaeConfig>][])('%s', (_, over) => {
    const config = makeConfig({ seed: 3, ...over });
    const engine = train(config, false, 4);
    const ours = train(config, true, 4);
    expect(engine.inUse).toBe(false);
    expect(ours.inUse).toBe(true);
    expect(ours.moved).toBe(config.mode === 'no_encoder' ? 6 : 12); // every trained variable moved
    expect(ours).toEqual({ ...engine, inUse: true });
  });

  test('K > 1 samples per image runs on the engine', () => {
    const config = makeConfig({ iwK: 3, nHidden: 32, dimZ: 2 });
    const trainer = new Trainer(createVae(config, 1), config, smallMnist(256, 10));
    expect(trainer.nativeStepInUse).toBe(false);
    trainer.dispose();
  });

  test('no tensor is made by a step, and a NaN loss changes no weight and stops training as on the engine', async () => {
    const config = makeConfig({ nHidden: 32, dimZ: 2, batchSize: 64, numEpochs: 1 });
    const data = smallMnist(256, 64);
    const model = createVae(config, 1);
    const trainer = new Trainer(model, config, data);
    const batch = data.train.images.subarray(0, 64 * 784);
    trainer.step(batch);
    const tensors = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) trainer.step(batch);
    expect(tf.memory().numTensors).toBe(tensors);
    model.decoder[2].b.assign(tf.fill([784], NaN));
    const before = model.variables().map((v) => Array.from(v.dataSync()));
    expect(trainer.step(batch).loss).toBeNaN();
    expect(model.variables().map((v) => Array.from(v.dataSync()))).toEqual(before);
    expect(trainer.getState().adam.t).toBe(4);
    await expect(trainer.fit()).rejects.toThrow(DivergenceError);
    trainer.dispose();
    model.dispose();
  });
});

maybe("the addon's denseGrad is activationGrad and two sgemm calls, bit for bit", () => {
  test.each([
    ['seed sizes, ELU, dropout, dx', 128, 500, 784, 1, true, true],
    ['odd sizes, tanh, no mask, dx', 37, 61, 129, 2, false, true],
    ['linear, no dx (a first layer)', 3, 784, 40, 0, false, false],
    ['one row', 1, 20, 500, 2, true, true],
  ] as const)('%s', (_, m, k, n, act, masked, withDx) => {
    const native = loadNative()!;
    let seed = m * 7919 + k;
    const rand = (len: number, scale = 1) => Float32Array.from({ length: len }, () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32 - 0.5) * scale);
    const dy = rand(m * n), y = rand(m * n, 1.8), x = rand(m * k), w = rand(k * n, 0.2);
    const mask = masked ? rand(m * n).map((v) => (v > -0.4 ? 1 / 0.9 : 0)) : null;
    const out = () => ({ dPre: new Float32Array(m * n), db: new Float32Array(n), dx: withDx ? new Float32Array(m * k) : null, dW: new Float32Array(k * n) });
    const fused = out(), split = out();
    native.denseGrad(dy, y, mask, x, w, fused.dPre, fused.db, fused.dx, fused.dW, m, k, n, act);
    native.activationGrad(dy, y, mask, split.dPre, split.db, m, n, act);
    if (split.dx) native.sgemm(false, true, m, k, n, split.dPre, w, split.dx);
    native.sgemm(true, false, k, n, m, x, split.dPre, split.dW);
    expect(fused.dW.some((v) => v !== 0)).toBe(true);
    for (const key of ['dPre', 'db', 'dx', 'dW'] as const) {
      const [a, b] = [fused[key], split[key]];
      expect(a === null ? null : digest(a)).toBe(b === null ? null : digest(b));
    }
  });
});
