// The continuous Bernoulli likelihood (--likelihood continuous_bernoulli): its log normaliser against
// a float64 evaluation of the paper's formula, near and away from lambda = 1/2, its gradient against
// finite differences, the density integrating to 1 on [0, 1], the means, and the fused kernel
// (wasm + addon) against the plain tfjs formulation.
import * as tf from '@tensorflow/tfjs';
import {
  bernoulliNll, cbLogNormalizer, continuousBernoulliMeans, hasFusedKernels, initBackend, loadNative, LOGIT_CLIP, reconstructionNll,
} from '../lib/index';

/** log C(lambda) = log(2 atanh(1 - 2 lambda) / (1 - 2 lambda)) in float64, straight from Loaiza-Ganem & Cunningham (2019), eq. 7. */
function logCReference(l: number): number {
  const lc = Math.max(-LOGIT_CLIP, Math.min(LOGIT_CLIP, l));
  const lambda = 1 / (1 + Math.exp(-lc));
  const t = 1 - 2 * lambda;
  return t === 0 ? Math.LN2 : Math.log((2 * Math.atanh(t)) / t);
}

/** The logits tested: around lambda = 1/2 (where the closed form is 0/0), the Taylor/closed-form seam at 0.5, far out, and past the clip. */
const LOGITS = [0, 1e-7, -1e-5, 1e-3, -0.01, 0.1, 0.3, -0.4999, 0.4999, 0.5, 0.5001, -0.7, 1, 2.5, -4, 8, 15, -18, 30, -60];

/** The continuous Bernoulli's -log p(x | l) of single pixels, on the active backend (fused where it has the kernel). */
function pixelNll(xs: number[], l: number): Float64Array {
  const nll = tf.tidy(() => reconstructionNll(tf.tensor2d(xs, [xs.length, 1]), tf.fill([xs.length, 1], l) as tf.Tensor2D, 'continuous_bernoulli'));
  const values = Float64Array.from(nll.dataSync());
  nll.dispose();
  return values;
}

const engines: [string, () => Promise<void>][] = [
  ['plain tfjs (cpu)', async () => void (await initBackend('cpu'))],
  ...(loadNative() ? [['fused kernel (wasm + addon)', async () => {
    await initBackend('wasm');
    expect(hasFusedKernels()).toBe(true);
  }] as [string, () => Promise<void>]] : []),
];

describe.each(engines)('continuous Bernoulli, %s', (_, start) => {
  beforeAll(start);

  test('log normaliser within 4e-6 of the float64 formula, near and away from lambda = 1/2', () => {
    // -log p(x | l) = bernoulliNll - log C: log C from x = 0 pixels (a difference of float32 values up to 18.4).
    const x = tf.zeros([LOGITS.length, 1]) as tf.Tensor2D, logits = tf.tensor2d(LOGITS, [LOGITS.length, 1]);
    const got = tf.tidy(() => Array.from(tf.sub(bernoulliNll(x, logits), reconstructionNll(x, logits, 'continuous_bernoulli')).dataSync()));
    const alone = tf.tidy(() => Array.from(cbLogNormalizer(logits).dataSync())); // the plain formulation's normaliser
    LOGITS.forEach((l, i) => {
      const ref = logCReference(Math.fround(l));
      expect([l, Math.abs(got[i] - ref) < 4e-6, Math.abs(alone[i] - ref) < 2e-6]).toEqual([l, true, true]);
    });
  });

  test('gradient of -log p(x | l) matches central differences of the float64 formula', () => {
    const x = 0.3;
    const nll64 = (l: number) => {
      const lc = Math.max(-LOGIT_CLIP, Math.min(LOGIT_CLIP, l));
      const logY = Math.max(lc - Math.log1p(Math.exp(lc)), Math.log(1e-8)), log1mY = Math.max(-Math.log1p(Math.exp(lc)), Math.log(1e-8));
      return -(x * logY + (1 - x) * log1mY) - logCReference(l);
    };
    const grad = tf.grad((l: tf.Tensor) => tf.sum(reconstructionNll(tf.fill(l.shape as [number, number], x) as tf.Tensor2D, l as tf.Tensor2D, 'continuous_bernoulli')));
    const logits = LOGITS.filter((l) => Math.abs(Math.abs(l) - LOGIT_CLIP) > 1e-2 && Math.abs(l) !== 0.5); // not at a kink
    const g = tf.tidy(() => Array.from(grad(tf.tensor2d([logits])).dataSync()));
    const h = 1e-5;
    logits.forEach((l, i) => {
      const fd = (nll64(l + h) - nll64(l - h)) / (2 * h);
      expect([l, Math.abs(g[i] - fd) < 1e-5 + 1e-5 * Math.abs(fd)]).toEqual([l, true]);
    });
    // Past the clip the logit is lambda = 1 - 1e-8 for both terms: nothing to gain by moving it.
    expect(Math.abs(g[logits.indexOf(30)])).toBe(0);
  });

  test('the density integrates to 1 over [0, 1], for lambda near and far from 1/2', () => {
    const n = 2000; // Simpson's rule on n intervals
    const xs = Array.from({ length: n + 1 }, (_, i) => i / n);
    for (const l of [0, 0.2, -3, 9, 18]) {
      const nll = pixelNll(xs, l);
      const integral = xs.reduce((s, _, i) => s + (i === 0 || i === n ? 1 : i % 2 ? 4 : 2) * Math.exp(-nll[i]), 0) / (3 * n);
      expect([l, Math.abs(integral - 1) < 1e-4]).toEqual([l, true]);
    }
  });

  test('means are E[x] of the density (not lambda), including lambda = 1/2 and the clip', () => {
    const logits = [0, 1e-4, 0.3, -0.5, 0.7, -2, 6, -18, 40];
    const means = tf.tidy(() => Array.from(continuousBernoulliMeans(tf.tensor2d([logits])).dataSync()));
    const n = 2000;
    const xs = Array.from({ length: n + 1 }, (_, i) => i / n);
    logits.forEach((l, j) => {
      const nll = pixelNll(xs, l);
      const mean = xs.reduce((s, x, i) => s + (i === 0 || i === n ? 1 : i % 2 ? 4 : 2) * x * Math.exp(-nll[i]), 0) / (3 * n);
      expect([l, Math.abs(means[j] - mean) < 1e-4]).toEqual([l, true]);
    });
    expect(means[0]).toBeCloseTo(0.5, 6);
    const lambda = 1 / (1 + Math.exp(-6));
    expect(Math.abs(means[logits.indexOf(6)] - lambda)).toBeGreaterThan(0.1); // the mean is not lambda
    expect(means[logits.indexOf(40)]).toBeCloseTo(1 - 1 / LOGIT_CLIP, 5); // lambda clipped at 1 - 1e-8
  });
});
