import * as tf from '@tensorflow/tfjs';
import { bernoulliNll, klDivergence, vaeLoss } from '../lib/index';
import { useBackend, values } from './helpers';

useBackend();

describe('loss', () => {
  const logit = (p: number) => Math.log(p / (1 - p));
  const logits = (rows: number[][]) => tf.tensor2d(rows.map((r) => r.map(logit)));

  test('Bernoulli NLL matches a hand computation', () => {
    const x = tf.tensor2d([[1, 0, 0.5], [0, 0, 1]]);
    const y = logits([[0.9, 0.2, 0.5], [0.1, 0.1, 0.8]]);
    const expected = [
      -(Math.log(0.9) + Math.log(0.8) + 0.5 * Math.log(0.5) + 0.5 * Math.log(0.5)),
      -(Math.log(0.9) + Math.log(0.9) + Math.log(0.8)),
    ];
    values(bernoulliNll(x, y)).forEach((v, i) => expect(v).toBeCloseTo(expected[i], 5));
  });

  test("saturated logits cost what the seed's clip to [1e-8, 1 - 1e-8] says, never Infinity", () => {
    const x = tf.tensor2d([[0.5, 1, 0, 0]]);
    const l = tf.tensor2d([[40, -40, 40, -40]]);
    // pixel 1: 0.5 * 0 + 0.5 * -log 1e-8; pixel 2: -log 1e-8; pixel 3: -log 1e-8; pixel 4: ~0.
    const expected = -Math.log(1e-8) * 2.5;
    expect(values(bernoulliNll(x, l))[0]).toBeCloseTo(expected, 3);
  });

  test('KL matches the closed form for given mu and sigma', () => {
    const mu = tf.tensor2d([[1, -2]]);
    const sigma = tf.tensor2d([[0.5, 2]]);
    const kl = (m: number, s: number) => 0.5 * (m * m + s * s - Math.log(1e-8 + s * s) - 1);
    expect(values(klDivergence(mu, sigma))[0]).toBeCloseTo(kl(1, 0.5) + kl(-2, 2), 5);
  });

  test('KL is zero when q equals the prior N(0, I)', () => {
    const kl = values(klDivergence(tf.zeros([4, 20]) as tf.Tensor2D, tf.ones([4, 20]) as tf.Tensor2D));
    kl.forEach((v) => expect(Math.abs(v)).toBeLessThan(1e-6));
  });

  test('vae loss is batch-mean recon + beta * KL; other modes have no KL', () => {
    const x = tf.tensor2d([[1, 0], [0, 1]]);
    const out = { logits: logits([[0.8, 0.4], [0.3, 0.6]]), mu: tf.tensor2d([[1], [0]]), sigma: tf.tensor2d([[1], [0.5]]), z: tf.zeros([2, 1]) as tf.Tensor2D };
    const recon = (-(Math.log(0.8) + Math.log(0.6)) - (Math.log(0.7) + Math.log(0.6))) / 2;
    const kl = (0.5 * 1 + 0.5 * (0.25 - Math.log(0.25 + 1e-8) - 1)) / 2;
    const parts = vaeLoss(x, out, 0.1, 'vae');
    expect(parts.recon.dataSync()[0]).toBeCloseTo(recon, 5);
    expect(parts.kl.dataSync()[0]).toBeCloseTo(kl, 5);
    expect(parts.total.dataSync()[0]).toBeCloseTo(recon + 0.1 * kl, 5);
    for (const mode of ['vanilla_ae', 'no_encoder'] as const) {
      const p = vaeLoss(x, out, 1, mode);
      expect(p.kl.dataSync()[0]).toBe(0);
      expect(p.total.dataSync()[0]).toBeCloseTo(recon, 5);
    }
  });
});
