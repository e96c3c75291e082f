import * as tf from '@tensorflow/tfjs';
import { createVae, makeConfig, Rng, saltAndPepper, trainingLoss } from '../lib/index';
import { useBackend, values } from './helpers';

useBackend();

describe('salt & pepper noise', () => {
  test('x * m1 + m2 with m1, m2 fair coins: four values in equal shares', () => {
    const v = values(saltAndPepper(tf.fill([100, 784], 0.5) as tf.Tensor2D, new Rng(3)));
    const counts = new Map<number, number>();
    v.forEach((x) => counts.set(x, (counts.get(x) ?? 0) + 1));
    expect([...counts.keys()].sort()).toEqual([0, 0.5, 1, 1.5]);
    for (const c of counts.values()) expect(c / v.length).toBeCloseTo(0.25, 1);
    expect(v.reduce((s, x) => s + x, 0) / v.length).toBeCloseTo(0.75, 1); // E = 0.5 * 0.5 + 0.5
  });

  test('is reproducible from the seed', () => {
    const x = tf.fill([2, 784], 0.3) as tf.Tensor2D;
    expect(values(saltAndPepper(x, new Rng(9)))).toEqual(values(saltAndPepper(x, new Rng(9))));
    expect(values(saltAndPepper(x, new Rng(9)))).not.toEqual(values(saltAndPepper(x, new Rng(10))));
  });

  test('training with noise reconstructs the clean image, not the noisy one', () => {
    // A decoder that outputs ~1e-8 everywhere: the NLL of an all-zero target is ~0, while the
    // noisy input (half the pixels >= 1) would cost hundreds of nats.
    const model = createVae(makeConfig({ nHidden: 8, dimZ: 2, mode: 'vanilla_ae' }), 0);
    const out = model.decoder[2];
    out.w.assign(tf.zerosLike(out.w));
    out.b.assign(tf.fill(out.b.shape, -30));
    const x = tf.zeros([16, 784]) as tf.Tensor2D;
    const parts = trainingLoss(model, x, { addNoise: true, klBeta: 1, rng: new Rng(1) });
    expect(parts.recon.dataSync()[0]).toBeLessThan(0.01);
  });
});
