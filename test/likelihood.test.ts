import * as tf from '@tensorflow/tfjs';
import { activeUnits, createVae, evaluate, fillNormal, importanceSampledLogLikelihood, makeConfig, reconstructionNll, Rng, sliceSplit, Trainer } from '../lib/index';
import { smallMnist, useBackend } from './helpers';

useBackend();

describe('importance-sampled log-likelihood', () => {
  test('exact when the proposal is the prior and the decoder ignores z (no_encoder)', () => {
    const model = createVae(makeConfig({ mode: 'no_encoder', dimZ: 2, nHidden: 8 }), 0);
    const out = model.decoder[2];
    out.w.assign(tf.zerosLike(out.w));
    out.b.assign(tf.fill(out.b.shape, 0.3)); // every pixel Bernoulli(sigmoid(0.3)), whatever z is
    const test = sliceSplit(smallMnist(10, 20).test, 0, 20);
    const p = 1 / (1 + Math.exp(-0.3));
    let expected = 0;
    for (const v of test.images) expected += v * Math.log(p) + (1 - v) * Math.log(1 - p);
    expected /= test.n;
    for (const k of [1, 7]) expect(importanceSampledLogLikelihood(model, test, { k })).toBeCloseTo(expected, 1);
  });

  test('k = 1 estimates the ELBO; the bound rises with k on a trained VAE', async () => {
    const data = smallMnist(3000, 1000);
    const config = makeConfig({ nHidden: 64, dimZ: 4, batchSize: 64, numEpochs: 2 });
    const model = createVae(config, 1);
    await new Trainer(model, config, data).fit();
    const elbo = -evaluate(model, data.test).loss;
    const k1 = importanceSampledLogLikelihood(model, data.test, { k: 1, seed: 3 });
    const k50 = importanceSampledLogLikelihood(model, data.test, { k: 50, seed: 3 });
    expect(Math.abs(k1 - elbo)).toBeLessThan(1.5);
    expect(k50).toBeGreaterThan(k1 + 1);
    expect(k50).toBeLessThan(0);
  });

  test.each(['bernoulli', 'continuous_bernoulli'] as const)('k = 1 is log p(x|z) + log p(z) - log q(z|x) at z = mu + sigma eps, eps the seed\'s draws (%s)', (likelihood) => {
    const model = createVae(makeConfig({ nHidden: 16, dimZ: 3, likelihood }), 2);
    const test = sliceSplit(smallMnist(10, 6).test, 0, 6);
    const eps = fillNormal(new Rng(4), new Float32Array(6 * 3)); // the draws the estimator makes, in its order
    const x = tf.tensor2d(test.images, [6, 784]);
    const { mu, sigma } = model.encode(x);
    const m = mu.arraySync(), s = sigma.arraySync();
    const z = m.map((row, i) => row.map((v, d) => v + s[i][d] * eps[i * 3 + d]));
    const logPxz = reconstructionNll(x, model.decodeLogits(tf.tensor2d(z)), likelihood).arraySync().map((v) => -v);
    const logN = (v: number[], mean: number[], sd: number[]) => v.reduce((a, vi, d) => a - 0.5 * ((vi - mean[d]) / sd[d]) ** 2 - Math.log(sd[d]) - 0.5 * Math.log(2 * Math.PI), 0);
    const expected = z.reduce((a, zi, i) => a + logPxz[i] + logN(zi, [0, 0, 0], [1, 1, 1]) - logN(zi, m[i], s[i]), 0) / 6;
    expect(importanceSampledLogLikelihood(model, test, { k: 1, seed: 4 })).toBeCloseTo(expected, 3);
  });

  test('the bound rises with k (1, 5, 50, 500), and does not depend on how images are batched', async () => {
    const data = smallMnist(2000, 100);
    const config = makeConfig({ nHidden: 64, dimZ: 4, batchSize: 64, numEpochs: 1 });
    const model = createVae(config, 1);
    await new Trainer(model, config, data).fit();
    const bounds = [1, 5, 50, 500].map((k) => importanceSampledLogLikelihood(model, data.test, { k, seed: 1 }));
    for (let i = 1; i < bounds.length; i++) expect(bounds[i]).toBeGreaterThan(bounds[i - 1]);
    // 100 images x 50 samples in batches of 1, 7 and all images: the same draws, the same estimate.
    for (const rowsPerBatch of [50, 350, 5000]) expect(importanceSampledLogLikelihood(model, data.test, { k: 50, seed: 1, rowsPerBatch })).toBeCloseTo(bounds[2], 3);
  });

  test('a vanilla autoencoder has no likelihood to estimate; k must be a positive integer', () => {
    const data = smallMnist(10, 10);
    expect(() => importanceSampledLogLikelihood(createVae(makeConfig({ mode: 'vanilla_ae', nHidden: 8 }), 0), data.test, { k: 5 })).toThrow(
      'a vanilla autoencoder defines no p(x)',
    );
    expect(() => importanceSampledLogLikelihood(createVae(makeConfig({ nHidden: 8 }), 0), data.test, { k: 0 })).toThrow('k must be an integer >= 1, got 0');
  });
});

describe('active units', () => {
  test('counts the latent dimensions whose mean varies across the data', () => {
    const model = createVae(makeConfig({ dimZ: 3, nHidden: 16 }), 0);
    // mu = h1 W[:, :3] + b: only column 0 of W depends on the input, scaled up to vary a lot.
    const w = model.encoder[2].w;
    const mask = tf.tensor2d([Array.from({ length: 6 }, (_, j) => (j === 0 ? 20 : 0))]);
    w.assign(tf.mul(w, mask));
    const au = activeUnits(model, smallMnist(10, 500).test);
    expect(au.count).toBe(1);
    expect(au.variances[0]).toBeGreaterThan(0.01);
    expect(au.variances[1]).toBeCloseTo(0, 6);
    expect(au.variances[2]).toBeCloseTo(0, 6);
  });
});

describe('KL per latent dimension and active units in the evaluation', () => {
  test('one number per dimension, summing to the KL; zero for a dimension whose posterior is the prior', () => {
    const model = createVae(makeConfig({ dimZ: 3, nHidden: 16 }), 0);
    // Encoder output columns: mu_0..mu_2, then the pre-softplus of sigma_0..sigma_2. Dimension 2:
    // mu = 0 and sigma = 1e-6 + softplus(b) = 1 whatever the input (weights 0, b = softplus^-1(1 - 1e-6)).
    const out = model.encoder[2];
    const keep = tf.tensor2d([[1, 1, 0, 1, 1, 0]]);
    out.w.assign(tf.mul(out.w, keep));
    const s = 1 - 1e-6;
    out.b.assign(tf.tensor1d([0.1, -0.2, 0, 0.3, 0.4, Math.log(Math.expm1(s))]));
    const test = smallMnist(10, 300).test;
    const m = evaluate(model, test);
    expect(m.klPerDim).toHaveLength(3);
    expect(m.klPerDim![0] + m.klPerDim![1] + m.klPerDim![2]).toBeCloseTo(m.kl, 3);
    expect(Math.abs(m.klPerDim![2])).toBeLessThan(1e-5);
    expect(m.klPerDim![0]).toBeGreaterThan(1e-3);
    expect(m.klPerDim![1]).toBeGreaterThan(1e-3);
    // The same numbers batch by batch: split size and batch size do not matter.
    const small = evaluate(model, test, { batchSize: 7 });
    small.klPerDim!.forEach((v, d) => expect(v).toBeCloseTo(m.klPerDim![d], 4));
    expect(m.activeUnits).toBe(activeUnits(model, test).count);
  });

  test('by mode: vae has both, vanilla_ae active units only, no_encoder neither; noise leaves the active units on clean codes', () => {
    const test = smallMnist(10, 200).test;
    const vae = createVae(makeConfig({ dimZ: 4, nHidden: 16 }), 1);
    const w = vae.encoder[2].w;
    w.assign(tf.mul(w, 30)); // codes that vary: every dimension active
    const clean = evaluate(vae, test);
    expect(clean.activeUnits).toBe(activeUnits(vae, test).count);
    expect(clean.activeUnits).toBe(4);
    const noisy = evaluate(vae, test, { addNoise: true, seed: 2 });
    expect(noisy.activeUnits).toBe(clean.activeUnits);
    expect(noisy.kl).not.toBeCloseTo(clean.kl, 3); // the KL term is of the noisy input, as in training
    expect(noisy.klPerDim!.reduce((a, b) => a + b, 0)).toBeCloseTo(noisy.kl, 3);
    const ae = evaluate(createVae(makeConfig({ mode: 'vanilla_ae', dimZ: 4, nHidden: 16 }), 1), test);
    expect(ae.klPerDim).toBeUndefined();
    expect(ae.activeUnits).toEqual(expect.any(Number));
    const noEnc = evaluate(createVae(makeConfig({ mode: 'no_encoder', dimZ: 4, nHidden: 16 }), 1), test);
    expect(noEnc.klPerDim).toBeUndefined();
    expect(noEnc.activeUnits).toBeUndefined();
  });
});
