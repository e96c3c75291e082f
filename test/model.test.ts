import * as tf from '@tensorflow/tfjs';
import { bernoulliMeans, createVae, makeConfig, Mode, Rng } from '../lib/index';
import { useBackend, values } from './helpers';

useBackend();

const small = (mode: Mode) => makeConfig({ mode, dimZ: 3, nHidden: 16 });
const batch = (n: number, seed = 1) => tf.randomUniform([n, 784], 0, 1, 'float32', seed) as tf.Tensor2D;

describe('model', () => {
  test.each(['vae', 'vanilla_ae', 'no_encoder'] as Mode[])('%s: output shapes and range', (mode) => {
    const m = createVae(small(mode), 0);
    const out = m.forward(batch(5), { rng: new Rng(2) });
    expect(out.z.shape).toEqual([5, 3]);
    expect(out.logits.shape).toEqual([5, 784]);
    const y = values(bernoulliMeans(out.logits));
    expect(Math.min(...y)).toBeGreaterThanOrEqual(1e-8);
    expect(Math.max(...y)).toBeLessThanOrEqual(1 - 1e-8);
    if (mode === 'no_encoder') expect(out.mu).toBeUndefined();
    else expect(out.mu!.shape).toEqual([5, 3]);
  });

  test('layers are the seed sizes: 784-500-500-2*dimZ and dimZ-500-500-784', () => {
    const m = createVae(makeConfig({ dimZ: 20 }), 0);
    expect(m.encoder.map((l) => l.w.shape)).toEqual([[784, 500], [500, 500], [500, 40]]);
    expect(m.decoder.map((l) => l.w.shape)).toEqual([[20, 500], [500, 500], [500, 784]]);
  });

  test('He init: zero biases, weight stddev sqrt(2 / fanIn), truncated at 2 sigma', () => {
    const m = createVae(makeConfig({ dimZ: 20 }), 0);
    const w = values(m.encoder[1].w);
    const sd = Math.sqrt(w.reduce((s, v) => s + v * v, 0) / w.length);
    expect(sd).toBeCloseTo(Math.sqrt(2 / 500), 2);
    expect(w.reduce((m, v) => Math.max(m, Math.abs(v)), 0)).toBeLessThanOrEqual(2 * Math.sqrt(2.6 / 500) + 1e-6);
    m.namedVariables().filter(([n]) => n.endsWith('/b')).forEach(([, b]) => expect(values(b).every((x) => x === 0)).toBe(true));
  });

  test('the same seed gives the same weights; another seed others', () => {
    const a = values(createVae(small('vae'), 5).decoder[0].w);
    expect(values(createVae(small('vae'), 5).decoder[0].w)).toEqual(a);
    expect(values(createVae(small('vae'), 6).decoder[0].w)).not.toEqual(a);
  });

  test('sigma is positive: 1e-6 + softplus', () => {
    const { sigma } = createVae(small('vae'), 0).encode(batch(4));
    expect(Math.min(...values(sigma))).toBeGreaterThan(0);
  });

  test('vae samples z = mu + sigma * eps; vanilla AE uses z = mu', () => {
    const x = batch(4);
    const eps = tf.fill([4, 3], 2) as tf.Tensor2D;
    const vae = createVae(small('vae'), 0);
    const { mu, sigma } = vae.encode(x);
    expect(values(vae.forward(x, { eps }).z)).toEqual(values(tf.add(mu, tf.mul(sigma, 2))).map((v) => expect.closeTo(v, 5)));
    const ae = createVae(small('vanilla_ae'), 0);
    expect(values(ae.forward(x, { eps }).z)).toEqual(values(ae.encode(x).mu));
  });

  test('no-encoder: z is the noise itself, independent of the images', () => {
    const m = createVae(small('no_encoder'), 0);
    const eps = tf.randomNormal([4, 3], 0, 1, 'float32', 3) as tf.Tensor2D;
    const a = m.forward(batch(4, 1), { eps });
    const b = m.forward(batch(4, 2), { eps });
    expect(values(a.z)).toEqual(values(eps));
    expect(values(a.logits)).toEqual(values(b.logits));
    expect(m.trainableVariables()).toEqual(m.decoder.flatMap((l) => [l.w, l.b]));
  });

  test('dropout only with an rng: evaluation is deterministic, training is not', () => {
    const m = createVae(small('vanilla_ae'), 0);
    const x = batch(3);
    expect(values(m.forward(x).logits)).toEqual(values(m.forward(x).logits));
    expect(values(m.forward(x, { rng: new Rng(1) }).logits)).not.toEqual(values(m.forward(x).logits));
    expect(values(m.forward(x, { rng: new Rng(1) }).logits)).toEqual(values(m.forward(x, { rng: new Rng(1) }).logits));
  });

  test('the decoder alone maps latent points to images', () => {
    const m = createVae(small('vae'), 0);
    expect(m.decode(tf.zeros([7, 3]) as tf.Tensor2D).shape).toEqual([7, 784]);
  });

  test('--activation tanh: every hidden layer is tanh (AEVB, Burda et al.), the seed\'s layers are ELU/tanh', () => {
    const z = [[0.3, -1.2]];
    const logitsOf = (activation: 'seed' | 'tanh') => {
      const m = createVae(makeConfig({ dimZ: 2, nHidden: 6, keepProb: 1, activation }), 5);
      const got = Array.from(m.decodeLogits(tf.tensor2d(z)).dataSync());
      // By hand, in float64: act1(act0(z W0 + b0) W1 + b1) W2 + b2.
      const dense = (x: number[], i: number) => {
        const w = m.decoder[i].w.arraySync() as number[][], b = Array.from(m.decoder[i].b.dataSync());
        return b.map((bj, j) => x.reduce((s, xi, k) => s + xi * w[k][j], bj));
      };
      const elu = (v: number) => (v > 0 ? v : Math.expm1(v));
      const [a0, a1] = activation === 'tanh' ? [Math.tanh, Math.tanh] : [Math.tanh, elu];
      const want = dense(dense(dense(z[0], 0).map(a0), 1).map(a1), 2);
      m.dispose();
      return { got, want };
    };
    for (const a of ['seed', 'tanh'] as const) {
      const { got, want } = logitsOf(a);
      got.forEach((v, i) => expect(v).toBeCloseTo(want[i], 4));
    }
  });
});

