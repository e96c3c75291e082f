// The Gaussian latent layer's fused wasm kernels (lib/core/kernels/wasm_latent.ts) against the
// plain tfjs ops that define them (model.ts's gaussianHead, loss.ts's klPerDimension), on wasm
// itself: mu, sigma and the KL per image, and their gradients, for both links, at ordinary and
// extreme raw outputs; shapes refused.
import * as tf from '@tensorflow/tfjs';
import { gaussianHead, initBackend, KL_LOG_EPS, klPerDimension, SIGMA_FLOOR } from '../lib/index';
import { fusedGaussianHead, fusedGaussianKl, hasLatentKernels } from '../lib/core/kernels/wasm_latent';
import { maxRelDiff } from './helpers';

/** A scalar of every output (with fixed random weights) and its gradient with respect to the encoder's output. */
function objective(params: tf.Tensor2D, head: (p: tf.Tensor2D) => { mu: tf.Tensor2D; sigma: tf.Tensor2D }, kl: (mu: tf.Tensor2D, s: tf.Tensor2D) => tf.Tensor1D, useSigma = true) {
  const [b, twoD] = params.shape;
  const wMu = tf.randomNormal([b, twoD / 2], 0, 1, 'float32', 11), wKl = tf.randomNormal([b], 0, 1, 'float32', 12);
  const f = (p: tf.Tensor) => {
    const { mu, sigma } = head(p as tf.Tensor2D);
    const fromMu = tf.sum(tf.mul(mu, wMu));
    return useSigma ? tf.add(fromMu, tf.sum(tf.mul(kl(mu, sigma), wKl))) : fromMu;
  };
  const { value, grad } = tf.valueAndGrad(f)(params);
  const { mu, sigma } = head(params);
  return { value: value.dataSync()[0], grad: grad.dataSync(), mu: mu.dataSync(), sigma: sigma.dataSync(), kl: kl(mu, sigma).dataSync() };
}

const plainKl = (mu: tf.Tensor2D, sigma: tf.Tensor2D) => tf.sum(klPerDimension(mu, sigma), 1) as tf.Tensor1D;

function expectClose(a: ArrayLike<number>, b: ArrayLike<number>, rel: number): void {
  expect(a.length).toBe(b.length);
  expect(maxRelDiff(a, b)).toBeLessThanOrEqual(rel);
}

describe('fused Gaussian latent kernels (wasm)', () => {
  beforeAll(async () => {
    await initBackend('wasm');
  });

  test('they serve wasm, with or without the native addon', () => {
    expect(hasLatentKernels()).toBe(true);
  });

  test.each([
    ['softplus', 1],
    ['softplus', 12], // raw far out on both sides: softplus's linear and exponential regimes
    ['exp', 1],
    ['exp', 4],
  ] as const)('%s link, raw outputs of scale %d: mu, sigma, KL and gradients equal the plain ops', (link, scale) => {
    const params = tf.randomNormal([7, 2 * 5], 0, scale, 'float32', 3) as tf.Tensor2D; // odd batch
    const ours = objective(params, (p) => fusedGaussianHead(p, link, SIGMA_FLOOR), (m, s) => fusedGaussianKl(m, s, KL_LOG_EPS));
    const ref = objective(params, (p) => gaussianHead(p, link), plainKl);
    expectClose(ours.mu, ref.mu, 0);
    expectClose(ours.sigma, ref.sigma, 1e-6);
    expectClose(ours.kl, ref.kl, 1e-5);
    expect(Math.abs(ours.value - ref.value)).toBeLessThan(1e-5 * Math.abs(ref.value) + 1e-5);
    expectClose(ours.grad, ref.grad, 1e-5);
    expect(Math.max(...Array.from(ours.grad, Math.abs))).toBeGreaterThan(0.1); // a real gradient
  });

  test('an unused sigma passes no gradient to its half of the encoder output', () => {
    const params = tf.randomNormal([3, 4], 0, 1, 'float32', 4) as tf.Tensor2D;
    const ours = objective(params, (p) => fusedGaussianHead(p, 'softplus', SIGMA_FLOOR), (m, s) => fusedGaussianKl(m, s, KL_LOG_EPS), false);
    const g = Array.from(ours.grad);
    for (let i = 0; i < 3; i++) expect(g.slice(i * 4 + 2, i * 4 + 4)).toEqual([0, 0]);
    expect(g.slice(0, 2).every((v) => v !== 0)).toBe(true);
  });

  test('the floor and the log constant are the ones passed in', () => {
    const params = tf.tensor2d([[0, -200]]); // softplus(-200) = 0 in float32: sigma is the floor
    expect(fusedGaussianHead(params, 'softplus', 0.25).sigma.dataSync()[0]).toBeCloseTo(0.25, 7);
    const kl = (eps: number) => fusedGaussianKl(tf.tensor2d([[0]]), tf.tensor2d([[0]]), eps).dataSync()[0];
    expect(kl(1e-8)).toBeCloseTo(0.5 * (-Math.log(1e-8) - 1), 4);
    expect(kl(1)).toBeCloseTo(-0.5, 6);
  });

  test('shapes that do not fit are refused, naming them', () => {
    expect(() => fusedGaussianHead(tf.zeros([2, 3]) as tf.Tensor2D, 'exp', SIGMA_FLOOR)).toThrow("VaeGaussianHead: the encoder's output [2,3] must be batch x 2 dim_z");
    expect(() => fusedGaussianKl(tf.zeros([2, 3]) as tf.Tensor2D, tf.zeros([2, 4]) as tf.Tensor2D, KL_LOG_EPS)).toThrow('VaeGaussianKl: mu [2,3] and sigma [2,4] must both be batch x dim_z');
  });

  test('no tensor is left behind by a forward and backward pass', () => {
    const params = tf.randomNormal([5, 6]) as tf.Tensor2D;
    const before = tf.memory().numTensors;
    tf.tidy(() => {
      tf.grad((p: tf.Tensor) => {
        const { mu, sigma } = fusedGaussianHead(p as tf.Tensor2D, 'softplus', SIGMA_FLOOR);
        return tf.add(tf.sum(mu), tf.sum(fusedGaussianKl(mu, sigma, KL_LOG_EPS)));
      })(params).dataSync();
    });
    expect(tf.memory().numTensors).toBe(before);
  });
});
