// The fast paths (native or transposition-free products on wasm, fused dense layers and loss,
// fused Adam) must give the numbers of the plain tfjs formulation: compared here against tfjs's
// cpu kernels, which run the plain ops. Run twice: with the native addon where it is built
// (speed_equivalence.test.ts) and without it, on tfjs's threaded build with our WebAssembly
// kernels (speed_equivalence_wasm.test.ts, VAE_NATIVE=0).
import * as tf from '@tensorflow/tfjs';
import { bernoulliNll, createAdam, Likelihood, createVae, FusedAdam, hasFusedKernels, initBackend, iwaeLoss, loadNative, makeConfig, repeatRows, Rng, Vae, vaeLoss } from '../lib/index';
import { HeapAdam } from '../lib/core/optimizer';
import { bernoulliMask } from '../lib/core/random';
import { maxRelDiff, realMnist } from './helpers';

function batch(): tf.Tensor2D {
  return tf.tensor2d(realMnist().train.images.subarray(0, 64 * 784), [64, 784]);
}

/**
 * Loss and gradients of the seed model (dim_z 20, n_hidden 500) on a fixed batch, with the
 * dropout masks and eps of a fixed seed (drawn in JavaScript: the same on every backend).
 */
function lossAndGrads(model: Vae, dropout = true, likelihood: Likelihood = 'bernoulli'): { loss: number; grads: Float32Array[] } {
  return lossAndGradsOf(model, (x) => {
    const noise = dropout ? { rng: new Rng(5) } : { eps: tf.randomNormal([64, 20], 0, 1, 'float32', 5) as tf.Tensor2D };
    return vaeLoss(x, model.forward(x, noise), 1, 'vae', likelihood).total;
  });
}

/** A loss of the fixed batch and its gradients for every trainable variable, read back. */
function lossAndGradsOf(model: Vae, loss: (x: tf.Tensor2D) => tf.Scalar): { loss: number; grads: Float32Array[] } {
  return tf.tidy(() => {
    const x = batch();
    const vars = model.trainableVariables();
    const { value, grads } = tf.variableGrads(() => loss(x), vars);
    return { loss: value.dataSync()[0], grads: vars.map((v) => grads[v.name].dataSync() as Float32Array) };
  });
}

describe(`fast paths equal the plain formulation (${loadNative() ? 'native addon' : 'without the addon: WebAssembly kernels'})`, () => {
  test.each([
    ['with dropout', true, 'bernoulli'],
    ['without dropout', false, 'bernoulli'],
    ['with dropout, continuous Bernoulli', true, 'continuous_bernoulli'],
  ] as const)('wasm loss and gradients of the seed model match tfjs cpu kernels, %s', async (_, dropout, likelihood) => {
    await initBackend('cpu');
    const model = createVae(makeConfig(), 3);
    const ref = lossAndGrads(model, dropout, likelihood);
    await initBackend('wasm');
    expect(hasFusedKernels()).toBe(true);
    const ours = lossAndGrads(model, dropout, likelihood);
    expect(ours.loss).toBeGreaterThan(likelihood === 'bernoulli' ? 100 : 20); // a real loss, not a degenerate one (the density's log normaliser lowers it)
    expect(Math.abs(ours.loss - ref.loss)).toBeLessThan(1e-5 * Math.abs(ref.loss));
    ours.grads.forEach((g, i) => expect(maxRelDiff(g, ref.grads[i])).toBeLessThan(1e-4));
  });

  test('wasm loss and gradients of the importance-weighted bound (burda arch, K = 5) match tfjs cpu kernels', async () => {
    const k = 5;
    const iwLossAndGrads = (model: Vae) => lossAndGradsOf(model, (x) => {
      const xk = tf.tensor2d(repeatRows(x.dataSync() as Float32Array, 0, 64, k, new Float32Array(64 * 784 * k)), [64 * k, 784]);
      const eps = tf.randomNormal([64 * k, 50], 0, 1, 'float32', 7) as tf.Tensor2D;
      return iwaeLoss(xk, model.forwardSamples(x, k, { eps }), k).total;
    });
    await initBackend('cpu');
    const model = createVae(makeConfig({ arch: 'burda', iwK: k }), 3, realMnist().train.images);
    const ref = iwLossAndGrads(model);
    await initBackend('wasm');
    const ours = iwLossAndGrads(model);
    expect(ours.loss).toBeGreaterThan(100);
    expect(Math.abs(ours.loss - ref.loss)).toBeLessThan(1e-5 * Math.abs(ref.loss));
    ours.grads.forEach((g, i) => expect(maxRelDiff(g, ref.grads[i])).toBeLessThan(1e-4));
  });

  test('fused Adam matches tf.train.adam step for step', async () => {
    await initBackend('wasm');
    const make = () => [tf.variable(tf.randomNormal([300, 7], 0, 1, 'float32', 1)), tf.variable(tf.randomNormal([7], 0, 1, 'float32', 2))];
    const fusedVars = make().map((v) => tf.variable(v.add(0))); // variables owning their memory
    const plainVars = make();
    const fused = createAdam(0.01, 0.9, 0.999, 1e-8, true);
    const plain = createAdam(0.01, 0.9, 0.999, 1e-8, false);
    expect(fused).toBeInstanceOf(loadNative() ? FusedAdam : HeapAdam);
    expect(plain).not.toBeInstanceOf(FusedAdam);
    expect(plain).not.toBeInstanceOf(HeapAdam);
    for (let step = 0; step < 5; step++) {
      const grads = plainVars.map((v, i) => tf.randomNormal(v.shape, 0, 1 + step, 'float32', 10 * step + i));
      fused.applyGradients(fusedVars, grads);
      plain.applyGradients(plainVars, grads);
      grads.forEach((g) => g.dispose());
    }
    fusedVars.forEach((v, i) => expect(maxRelDiff(v.dataSync() as Float32Array, plainVars[i].dataSync() as Float32Array)).toBeLessThan(1e-5));
    // The weights did move: 5 steps of lr 0.01.
    expect(maxRelDiff(fusedVars[0].dataSync() as Float32Array, make()[0].dataSync() as Float32Array)).toBeGreaterThan(1e-3);
  });

  test('a dropout mask drawn onto the wasm heap (by the addon, or our WebAssembly kernel without it) is the draws of Rng.next()', async () => {
    await initBackend('wasm');
    const rng = new Rng(7), ref = new Rng(7);
    const mask = bernoulliMask([101, 99], 0.9, 1 / 0.9, rng); // an odd size: the kernels' ragged tails
    expect(Array.from(mask.dataSync())).toEqual(Array.from({ length: 101 * 99 }, () => Math.fround(ref.next() < 0.9 ? 1 / 0.9 : 0)));
    expect(rng.next()).toBe(ref.next()); // the state advanced by as many draws
    mask.dispose();
  });

  test('dropout masks drawn by the addon are the draws of Rng.next()', () => {
    const rng = new Rng(42), ref = new Rng(42);
    const mask = rng.fillBernoulli(new Float32Array(10001), 0.9, 1 / 0.9);
    const expected = Float32Array.from({ length: 10001 }, () => (ref.next() < 0.9 ? 1 / 0.9 : 0));
    expect(mask).toEqual(expected);
    expect(rng.next()).toBe(ref.next()); // the state advanced by as many draws
    const kept = mask.filter((v) => v > 0).length / mask.length;
    expect(kept).toBeGreaterThan(0.88);
    expect(kept).toBeLessThan(0.92);
  });

  test('a clone of a variable keeps its values through a fused Adam step', async () => {
    await initBackend('wasm');
    const v = tf.variable(tf.tensor1d([1, 2, 3]));
    const before = v.clone(); // shares memory on wasm (no-copy Identity)
    const adam = createAdam(0.1, 0.9, 0.999, 1e-8, true);
    const g = tf.tensor1d([1, -1, 1]);
    adam.applyGradients([v], [g]);
    expect(Array.from(before.dataSync())).toEqual([1, 2, 3]);
    const after = Array.from(v.dataSync());
    [0.9, 2.1, 2.9].forEach((x, i) => expect(after[i]).toBeCloseTo(x, 5));
    [v, before, g].forEach((t) => t.dispose());
  });

  test('NaN is never clipped or squashed away: a diverged model gives a NaN loss', async () => {
    await initBackend('wasm');
    const x = tf.tensor2d([[0, 1, 0.5, 1]]);
    expect(bernoulliNll(x, tf.tensor2d([[NaN, 0, 1, 2]])).dataSync()[0]).toBeNaN();
    expect(bernoulliNll(x, tf.tensor2d([[Infinity, 0, 1, 2]])).dataSync()[0]).toBeNaN();
    for (const layer of [0, 1]) {
      // NaN in the first layer (ELU) or the second (tanh) reaches mu, sigma and the loss.
      const model = createVae(makeConfig({ nHidden: 16, dimZ: 2 }), 1);
      model.encoder[layer].b.assign(tf.fill([16], NaN));
      const xs = tf.tensor2d(realMnist().test.images.subarray(0, 4 * 784), [4, 784]);
      const out = model.forward(xs, { rng: new Rng(1) });
      expect(Array.from(out.mu!.dataSync()).every(Number.isNaN)).toBe(true);
      expect(Array.from(out.sigma!.dataSync()).every(Number.isNaN)).toBe(true);
      expect(vaeLoss(xs, out, 1, 'vae').recon.dataSync()[0]).toBeNaN();
      model.dispose();
    }
  });

  (loadNative() ? test : test.skip)('the addon rejects wrong arguments with one error naming the function', () => {
    const native = loadNative()!;
    const f = (n: number) => new Float32Array(n);
    expect(() => native.sgemm(false, false, 2, 2, 2, f(3), f(4), f(4))).toThrow('sgemm: array length differs from its shape');
    expect(() => native.adam(f(3), f(3), f(2), f(3), 0.1, 0.9, 0.999, 0.1, 0.001, 1e-8)).toThrow('adam: arrays differ in length');
    expect(() => native.bernoulliFill(f(1) as unknown as Int32Array, f(4), 0.5, 1)).toThrow('bernoulliFill: expected an Int32Array');
    expect(() => native.dense(f(4), f(4), f(2), null, f(4), 2, 2, -1, 0)).toThrow('dense: expected an integer in [0, 2^31)');
    expect(() => native.denseGrad(f(4), f(4), null, f(4), f(4), f(4), f(2), null, f(3), 2, 2, 2, 1)).toThrow('denseGrad: array length differs from its shape');
    expect(() => native.denseGrad(f(4), f(4), null, f(4), f(4), f(4), f(2), null, f(4), 2, 2, 2, 3)).toThrow('denseGrad: expected an activation code');
    const c = f(4);
    native.sgemm(false, true, 2, 2, 2, Float32Array.from([1, 2, 3, 4]), Float32Array.from([1, 0, 0, 1]), c);
    expect(Array.from(c)).toEqual([1, 2, 3, 4]); // A I^T = A
  });
});
