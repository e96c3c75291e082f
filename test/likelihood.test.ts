import * as tf from '@tensorflow/tfjs';
import { activeUnits, createVae, evaluate, importanceSampledLogLikelihood, makeConfig, sliceSplit, Trainer } from '../lib';
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
