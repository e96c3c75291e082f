// Importance-weighted training (Burda et al. 2016): the bound of K samples against a float64
// computation by hand, its K = 1 case, its rise with K, its gradients against finite differences,
// the K-sample ELBO, the burda schedule and architecture, and their flags' refusals.
import * as tf from '@tensorflow/tfjs';
import {
  BURDA_EPOCHS, LOG_CLIP, createVae, logMeanExp, iwaeLoss, learnRateAt, makeConfig, meanImageLogits, repeatRows, Rng, standardNormal, Trainer, trainingBytes, trainingLoss, vaeLoss, Vae,
} from '../lib/index';
import { runName } from '../lib/runs/naming';
import { parseFlags } from '../cli/flags';
import { smallMnist, useBackend } from './helpers';

useBackend();

/** A tiny all-tanh model (arch burda: sigma = exp) on 6-pixel images. */
const tiny = (seed = 3, extra = {}) => createVae(makeConfig({ arch: 'burda', dimImg: 6, dimZ: 2, nHidden: 3, keepProb: 1, ...extra }), seed);
const X = new Float32Array([0, 1, 1, 0, 0.5, 1, 1, 0, 0, 1, 0.2, 0]); // two images of 6 pixels

const read = (t: tf.Tensor) => Array.from(t.dataSync());
const weights = (m: Vae) => Object.fromEntries(m.namedVariables().map(([n, v]) => [n, { w: read(v), shape: v.shape }]));

/** act(x W + b) in float64 from the model's weights. */
function dense64(x: number[], w: number[], b: number[], fanOut: number, act: (v: number) => number): number[] {
  const out = b.slice();
  for (let i = 0; i < x.length; i++) for (let j = 0; j < fanOut; j++) out[j] += x[i] * w[i * fanOut + j];
  return out.map(act);
}

/** -L_K of each image by hand: log w_k = log p(x|z_k) + log N(z_k; 0, I) - log N(z_k; mu, sigma^2). */
function boundByHand(model: Vae, x: Float32Array, eps: number[], k: number): number[] {
  const W = weights(model);
  const { dimImg, dimZ, nHidden } = model.config;
  const id = (v: number) => v;
  const layer = (input: number[], name: string, fanOut: number, act: (v: number) => number) => dense64(input, W[`${name}/w`].w, W[`${name}/b`].w, fanOut, act);
  const out: number[] = [];
  for (let i = 0; i < x.length / dimImg; i++) {
    const xi = Array.from(x.subarray(i * dimImg, (i + 1) * dimImg));
    const h = layer(layer(xi, 'encoder/0', nHidden, Math.tanh), 'encoder/1', nHidden, Math.tanh);
    const p = layer(h, 'encoder/out', 2 * dimZ, id);
    const mu = p.slice(0, dimZ), sigma = p.slice(dimZ).map(Math.exp);
    const logW: number[] = [];
    for (let s = 0; s < k; s++) {
      const e = eps.slice((i * k + s) * dimZ, (i * k + s + 1) * dimZ);
      const z = e.map((v, d) => mu[d] + sigma[d] * v);
      const logits = layer(layer(layer(z, 'decoder/0', nHidden, Math.tanh), 'decoder/1', nHidden, Math.tanh), 'decoder/out', dimImg, id);
      // log y and log(1 - y) clipped at log 1e-8 per pixel, as the seed's clip of y (LOG_CLIP).
      const logSig = (l: number) => Math.max(LOG_CLIP, -Math.log1p(Math.exp(-l)));
      const logPx = logits.reduce((a, l, j) => a + xi[j] * logSig(l) + (1 - xi[j]) * logSig(-l), 0);
      const logPz = z.reduce((a, v) => a - 0.5 * v * v - 0.5 * Math.log(2 * Math.PI), 0);
      const logQ = z.reduce((a, v, d) => a - 0.5 * ((v - mu[d]) / sigma[d]) ** 2 - Math.log(sigma[d]) - 0.5 * Math.log(2 * Math.PI), 0);
      logW.push(logPx + logPz - logQ);
    }
    const m = Math.max(...logW);
    out.push(-(m + Math.log(logW.reduce((a, v) => a + Math.exp(v - m), 0) / k)));
  }
  return out;
}

function boundOf(model: Vae, x: Float32Array, k: number, eps: tf.Tensor2D): number {
  return tf.tidy(() => {
    const xt = tf.tensor2d(x, [x.length / model.config.dimImg, model.config.dimImg]);
    const xk = tf.tensor2d(repeatRowsOf(x, model.config.dimImg, k), [(x.length / model.config.dimImg) * k, model.config.dimImg]);
    return iwaeLoss(xk, model.forwardSamples(xt, k, { eps }), k).total.dataSync()[0];
  });
}

function repeatRowsOf(x: Float32Array, dim: number, k: number): Float32Array {
  const out: number[] = [];
  for (let i = 0; i < x.length / dim; i++) for (let s = 0; s < k; s++) out.push(...x.subarray(i * dim, (i + 1) * dim));
  return Float32Array.from(out);
}

describe('the importance-weighted bound', () => {
  test('-L_K equals a float64 computation by hand (K = 1, 3, 7), stable with log-weights far below zero', () => {
    const model = tiny();
    for (const k of [1, 3, 7]) {
      const eps = standardNormal([2 * k, 2], new Rng(k));
      const byHand = boundByHand(model, X, read(eps), k);
      expect(boundOf(model, X, k, eps)).toBeCloseTo((byHand[0] + byHand[1]) / 2, 4);
      eps.dispose();
    }
    // Large weights make log w ≈ -100 per sample: exp(log w) is 0 in float32 without the max subtracted.
    const big = tiny(3, { dimImg: 40 });
    const X40 = Float32Array.from({ length: 80 }, (_, i) => (i * 7919) % 3 === 0 ? 1 : 0);
    tf.tidy(() => big.decoder[2].w.assign(tf.mul(big.decoder[2].w, 300)));
    const eps = standardNormal([10, 2], new Rng(9));
    const byHand = boundByHand(big, X40, read(eps), 5);
    expect(Math.min(...byHand)).toBeGreaterThan(150);
    expect(boundOf(big, X40, 5, eps) / ((byHand[0] + byHand[1]) / 2)).toBeCloseTo(1, 4);
    eps.dispose();
  });

  test('K = 1 is the ELBO: its mean over many samples meets the closed-form -ELBO; IW_k 1 trains the seed objective bit for bit', () => {
    const model = tiny();
    const n = 4000;
    const x = new Float32Array(n * 6);
    for (let i = 0; i < n; i++) x.set(X.subarray((i % 2) * 6, (i % 2 + 1) * 6), i * 6);
    const [l1, elbo] = tf.tidy(() => {
      const xt = tf.tensor2d(x, [n, 6]);
      const rng = new Rng(5);
      const a = iwaeLoss(xt, model.forwardSamples(xt, 1, { rng }), 1).total.dataSync()[0];
      const b = vaeLoss(xt, model.forward(xt, { rng: new Rng(6) }), 1, 'vae').total.dataSync()[0];
      return [a, b];
    });
    expect(Math.abs(l1 - elbo)).toBeLessThan(0.02 * Math.abs(elbo));
    const config = makeConfig({ nHidden: 16, dimZ: 3, keepProb: 1 });
    const xb = tf.tensor2d(smallMnist(8, 8).train.images.slice(0, 8 * 784), [8, 784]);
    const seed = createVae(config, 1);
    const one = tf.tidy(() => read(trainingLoss(seed, xb, { addNoise: false, klBeta: 1, rng: new Rng(2) }).total));
    const withK = tf.tidy(() => read(trainingLoss(seed, xb, { addNoise: false, klBeta: 1, rng: new Rng(2), iwK: 1, elboK: 1 }).total));
    expect(withK).toEqual(one);
    xb.dispose();
  });

  test('-L_K falls as K grows (in expectation: means over 200 draws) and stays above -log p(x) at K = 2000', () => {
    const model = tiny(4);
    const mean = (k: number) => {
      let s = 0;
      for (let r = 0; r < 200; r++) {
        const eps = standardNormal([2 * k, 2], new Rng(1000 * k + r));
        s += boundOf(model, X, k, eps);
        eps.dispose();
      }
      return s / 200;
    };
    const [b1, b5, b50] = [mean(1), mean(5), mean(50)];
    expect(b5).toBeLessThan(b1 - 0.01);
    expect(b50).toBeLessThan(b5 - 0.001);
    const eps = standardNormal([4000, 2], new Rng(77));
    expect(boundOf(model, X, 2000, eps)).toBeLessThan(b50 + 1e-3);
    eps.dispose();
  });

  test('its gradients match central finite differences of the bound (fixed eps, every variable, 3 entries each)', () => {
    const model = tiny(5);
    const k = 4;
    const eps = standardNormal([2 * k, 2], new Rng(11));
    const f = () => boundOf(model, X, k, eps);
    const vars = model.trainableVariables();
    const grads = tf.tidy(() => {
      const xt = tf.tensor2d(X, [2, 6]);
      const xk = tf.tensor2d(repeatRowsOf(X, 6, k), [2 * k, 6]);
      const { grads } = tf.variableGrads(() => iwaeLoss(xk, model.forwardSamples(xt, k, { eps }), k).total, vars);
      return vars.map((v) => read(grads[v.name]));
    });
    const h = 1e-2;
    let checked = 0;
    vars.forEach((v, vi) => {
      const base = read(v);
      for (const j of [0, Math.floor(base.length / 2), base.length - 1]) {
        const at = (delta: number) => {
          const w = base.slice();
          w[j] += delta;
          tf.tidy(() => v.assign(tf.tensor(w, v.shape)));
          return f();
        };
        const numeric = (at(h) - at(-h)) / (2 * h);
        tf.tidy(() => v.assign(tf.tensor(base, v.shape)));
        expect(Math.abs(grads[vi][j] - numeric)).toBeLessThan(2e-3 + 0.02 * Math.abs(numeric));
        checked++;
      }
    });
    expect(checked).toBe(3 * vars.length);
    eps.dispose();
  });

  test('the K-sample ELBO averages the reconstruction over the samples; its KL stays in closed form', () => {
    const model = tiny(6);
    const k = 3;
    tf.tidy(() => {
      const xt = tf.tensor2d(X, [2, 6]);
      const xk = tf.tensor2d(repeatRowsOf(X, 6, k), [2 * k, 6]);
      const eps = standardNormal([2 * k, 2], new Rng(1));
      const out = model.forwardSamples(xt, k, { eps });
      const parts = vaeLoss(xk, out, 1, 'vae');
      const recon = read(parts.recon)[0];
      // Each sample's reconstruction through forward() with its own eps: their mean is the term.
      const each: number[] = [];
      for (let s = 0; s < k; s++) {
        const e = tf.gather(eps, [s, k + s]) as tf.Tensor2D;
        each.push(read(vaeLoss(xt, model.forward(xt, { eps: e }), 1, 'vae').recon)[0]);
      }
      expect(recon).toBeCloseTo(each.reduce((a, b) => a + b, 0) / k, 4);
      expect(read(parts.kl)[0]).toBeCloseTo(read(vaeLoss(xt, model.forward(xt, { eps: tf.slice(eps, [0, 0], [2, 2]) }), 1, 'vae').kl)[0], 5);
    });
  });
});

describe('training on it', () => {
  test('IW_k 5 for two epochs: the bound falls, -L_5 on the test split is below its -ELBO, memory stays flat', async () => {
    const data = smallMnist(600, 200);
    const config = makeConfig({ arch: 'burda', nHidden: 32, dimZ: 4, numEpochs: 3, iwK: 5 });
    const trainer = new Trainer(createVae(config, 1, data.train.images), config, data);
    const counts: number[] = [];
    const { history } = await trainer.fit({ onEpochEnd: () => void counts.push(tf.memory().numTensors) });
    expect(history[2].testBound!.k).toBe(5);
    expect(history[2].testBound!.value).toBeLessThan(history[0].testBound!.value);
    for (const m of history) expect(m.testBound!.value).toBeLessThan(m.test.loss);
    expect(history[2].trainLoss).toBeLessThan(history[0].trainLoss);
    expect(new Set(counts.slice(1)).size).toBe(1);
    trainer.dispose();
  });

  test('ELBO_k 4 trains too, and two seeded runs agree bit for bit', async () => {
    const data = smallMnist(300, 100);
    const config = makeConfig({ nHidden: 32, dimZ: 4, batchSize: 50, numEpochs: 1, elboK: 4 });
    const run = async () => {
      const model = createVae(config, 2);
      await new Trainer(model, config, data).fit();
      return read(model.decoder[2].w);
    };
    const [a, b] = [await run(), await run()];
    expect(a).toEqual(b);
    expect(a.every(Number.isFinite)).toBe(true);
  });
});

describe('the burda schedule', () => {
  const lr = (numEpochs: number, p: number) => learnRateAt({ learnRate: 1e-3, learnRateSchedule: 'burda', numEpochs }, p);
  test('uncompressed: pass i of 3^i epochs at 1e-3 * 10^(-i/7), 3,280 epochs in all', () => {
    expect(BURDA_EPOCHS).toBe(3280);
    expect(lr(3280, 0)).toBe(1e-3);
    expect(lr(3280, 0.99)).toBe(1e-3);
    expect(lr(3280, 1)).toBeCloseTo(1e-3 * 10 ** (-1 / 7), 12);
    expect(lr(3280, 3.99)).toBeCloseTo(1e-3 * 10 ** (-1 / 7), 12);
    expect(lr(3280, 4)).toBeCloseTo(1e-3 * 10 ** (-2 / 7), 12);
    expect(lr(3280, 1093)).toBeCloseTo(1e-3 * 10 ** (-7 / 7), 12); // 1 + 3 + ... + 3^6 = 1093
    expect(lr(3280, 1092.9)).toBeCloseTo(1e-3 * 10 ** (-6 / 7), 12);
    expect(lr(5000, 4000)).toBeCloseTo(1e-4, 12); // past 3,280: the last rate
  });
  test('compressed to 328 epochs: every pass a tenth as long', () => {
    expect(lr(328, 0.099)).toBe(1e-3);
    expect(lr(328, 0.101)).toBeCloseTo(1e-3 * 10 ** (-1 / 7), 12);
    expect(lr(328, 0.399)).toBeCloseTo(1e-3 * 10 ** (-1 / 7), 12);
    expect(lr(328, 0.401)).toBeCloseTo(1e-3 * 10 ** (-2 / 7), 12);
    expect(lr(328, 109.4)).toBeCloseTo(1e-4, 12);
    expect(lr(328, 327.9)).toBeCloseTo(1e-4, 12);
  });
  test('constant: the learning rate throughout', () => {
    expect(learnRateAt({ learnRate: 3e-4, learnRateSchedule: 'constant', numEpochs: 10 }, 9.5)).toBe(3e-4);
  });
});

describe('the burda architecture', () => {
  test('Glorot-uniform layers, sigma = exp of its layer, the output bias at the logit of the mean image', () => {
    const images = smallMnist(500, 10).train.images;
    const model = createVae(makeConfig({ arch: 'burda' }), 1, images);
    expect([model.config.nHidden, model.config.dimZ, model.config.activation, model.config.keepProb]).toEqual([200, 50, 'tanh', 1]);
    const w0 = read(model.encoder[0].w), r0 = Math.sqrt(6 / (784 + 200));
    const maxAbs = (a: number[]) => a.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    expect(maxAbs(w0)).toBeLessThanOrEqual(r0);
    expect(maxAbs(w0)).toBeGreaterThan(0.99 * r0);
    expect(w0.reduce((a, v) => a + v * v, 0) / w0.length).toBeCloseTo((r0 * r0) / 3, 4);
    const wOut = read(model.encoder[2].w);
    expect(maxAbs(wOut)).toBeLessThanOrEqual(Math.sqrt(6 / (200 + 50)));
    expect(maxAbs(wOut)).toBeGreaterThan(0.99 * Math.sqrt(6 / (200 + 50)));
    expect(read(model.decoder[2].b)).toEqual(Array.from(meanImageLogits(images, 784)));
    const b = read(model.decoder[2].b);
    expect(b.reduce((m, v) => Math.min(m, v), 0)).toBeCloseTo(Math.log(0.001 / 0.999), 4); // border pixels: mean 0, clipped
    tf.tidy(() => {
      const x = tf.tensor2d(images.slice(0, 3 * 784), [3, 784]);
      const raw = tf.slice(tf.add(tf.matMul(tf.tanh(tf.add(tf.matMul(tf.tanh(tf.add(tf.matMul(x, model.encoder[0].w as tf.Tensor2D), model.encoder[0].b)), model.encoder[1].w as tf.Tensor2D), model.encoder[1].b)), model.encoder[2].w as tf.Tensor2D), model.encoder[2].b), [0, 50], [-1, 50]);
      const { sigma } = model.encode(x);
      const [s, e] = [read(sigma), read(tf.exp(raw))];
      s.forEach((v, i) => expect(v / e[i]).toBeCloseTo(1, 4));
    });
    model.dispose();
  });

  test('the seed arch is unchanged: He-initialised, zero output bias, sigma = 1e-6 + softplus', () => {
    const model = createVae(makeConfig({ nHidden: 50, dimZ: 3 }), 1, smallMnist(100, 10).train.images);
    expect(read(model.decoder[2].b).every((v) => v === 0)).toBe(true);
    model.dispose();
  });
});

describe('flags', () => {
  const flags = (...argv: string[]) => parseFlags(argv) as { config: ReturnType<typeof makeConfig> };
  test('--arch burda takes their sizes unless given; the run name spells the new settings', () => {
    const c = flags('--arch', 'burda', '--IW_k', '5', '--learn_rate_schedule', 'burda', '--binarize', 'dynamic').config;
    expect([c.nHidden, c.dimZ, c.activation, c.keepProb, c.batchSize, c.iwK, c.learnRateSchedule]).toEqual([200, 50, 'tanh', 1, 20, 5, 'burda']);
    expect(runName(c)).toBe('vae_z50_h200_tanh_keep1_burda_beta1_iw5_bindyn_e20_b20_lr0.001burda_s0');
    expect(flags('--arch', 'burda', '--dim_z', '2', '--batch_size', '100').config).toMatchObject({ dimZ: 2, batchSize: 100, nHidden: 200 });
    expect(runName(flags('--ELBO_k', '5').config)).toBe('vae_z20_h500_beta1_elbo5_e20_b128_lr0.001_s0');
    expect(runName(flags().config)).toBe('vae_z20_h500_beta1_e20_b128_lr0.001_s0');
  });

  test.each([
    [['--IW_k', '0'], /^--IW_k must be an integer in \[1, 100000\], got 0$/],
    [['--IW_k', '2.5'], /^--IW_k must be an integer, got '2.5'$/],
    [['--ELBO_k', '-1'], /^--ELBO_k must be an integer in \[1, 100000\], got -1$/],
    [['--IW_k', '5', '--ELBO_k', '5'], /^--ELBO_k must be 1 when iwK is above 1/],
    [['--IW_k', '5', '--KL_beta', '0.5'], /^--IW_k must be 1 unless klBeta is 1 and klWarmup 0/],
    [['--IW_k', '5', '--vanilla_ae_mode', 'True'], /^--IW_k must be 1 in vanilla_ae mode/],
    [['--ELBO_k', '5', '--no_encoder_mode', 'True'], /^--ELBO_k must be 1 in no_encoder mode/],
    [['--learn_rate_schedule', 'cosine'], /^--learn_rate_schedule must be one of constant, burda, got 'cosine'$/],
    [['--arch', 'resnet'], /^--arch must be one of seed, burda, got 'resnet'$/],
    [['--IW_k', '100000'], /^--n_hidden 500, --dim_z 20, --batch_size 128 and --IW_k 100000 need about \d+\.\d GB to train, more than/],
  ])('%j is refused in one line', (argv, message) => {
    expect(() => parseFlags(argv as string[])).toThrow(message as RegExp);
  });

  test('the memory estimate grows with the samples per image', () => {
    const c = makeConfig({});
    const perSample = trainingBytes({ ...c, iwK: 2 }) - trainingBytes(c);
    expect(perSample).toBe(4 * 128 * (4 * 784 + 6 * 500 + 4 * 20)); // a sample's decoder rows, target and gradient
    expect(trainingBytes({ ...c, iwK: 50 }) - trainingBytes(c)).toBe(49 * perSample);
    expect(trainingBytes({ ...c, elboK: 50 })).toBe(trainingBytes({ ...c, iwK: 50 }));
  });
});

// repeatRows is the trainer's way of building the K-times targets.
test('repeatRows repeats each image K times, image-major', () => {
  const images = new Float32Array(784 * 2).map((_, i) => i);
  const out = repeatRows(images, 0, 2, 3, new Float32Array(784 * 6));
  expect(Array.from(out.subarray(784, 786))).toEqual([0, 1]);
  expect(Array.from(out.subarray(3 * 784, 3 * 784 + 2))).toEqual([784, 785]);
});

test('logMeanExp: its value is stable and its gradient the normalised weights, those below 1e-30 dropped', () => {
  const logW = tf.tensor2d([[0, -50, -100], [-1000, -1000, -1000]]);
  const value = read(logMeanExp(logW, 3));
  expect(value[0]).toBeCloseTo(Math.log((1 + Math.exp(-50) + Math.exp(-100)) / 3), 6);
  expect(value[1]).toBeCloseTo(-1000 - Math.log(1), 3); // log of the mean of three equal weights
  const g = read(tf.grad((w: tf.Tensor) => tf.sum(logMeanExp(w as tf.Tensor2D, 3)))(logW));
  expect(g[0]).toBeCloseTo(1, 6);
  expect(g[1] / Math.exp(-50)).toBeCloseTo(1, 3); // 1.9e-22: kept
  expect(g[2]).toBe(0); // 3.7e-44, a subnormal float: dropped
  g.slice(3).forEach((v) => expect(v).toBeCloseTo(1 / 3, 4)); // float32 rounding of logW - lse at -1000
  logW.dispose();
});
