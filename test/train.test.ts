import * as tf from '@tensorflow/tfjs';
import { binarizedData, createVae, DivergenceError, evaluate, makeConfig, Mnist, Mode, Trainer } from '../lib/index';
import { smallMnist, useBackend } from './helpers';

useBackend();

// A few thousand real MNIST images and a smaller network keep these runs to seconds.
const cfg = (mode: Mode, extra = {}) => makeConfig({ mode, nHidden: 64, dimZ: 4, batchSize: 64, numEpochs: 2, ...extra });

describe('training', () => {
  test.each(['vae', 'vanilla_ae', 'no_encoder'] as Mode[])('%s: two epochs on 3,000 images lower the test loss', async (mode) => {
    const data = smallMnist(3000, 500);
    const config = cfg(mode);
    const model = createVae(config, 1);
    const before = evaluate(model, data.test, { klBeta: 1 });
    const { history, stopped } = await new Trainer(model, config, data).fit();
    expect(stopped).toBe(false);
    expect(history.map((h) => h.epoch)).toEqual([1, 2]);
    expect(history[1].test.loss).toBeLessThan(before.loss - 50);
    expect(history[1].test.loss).toBeLessThan(history[0].test.loss);
    expect(history[1].validation!.loss).toBeGreaterThan(0);
    if (mode === 'vae') expect(history[1].test.kl).toBeGreaterThan(0);
    else expect(history[1].test.kl).toBe(0);
  });

  test('-ELBO = recon + KL; with KL_beta the objective weighs KL', async () => {
    const data = smallMnist(1000, 300);
    const config = cfg('vae', { klBeta: 0.1, numEpochs: 1 });
    const { history } = await new Trainer(createVae(config, 1), config, data).fit();
    const t = history[0].test;
    expect(t.loss).toBeCloseTo(t.recon + 0.1 * t.kl, 3);
  });

  test('tensor count is the same after every epoch', async () => {
    const data = smallMnist(640, 200);
    const config = cfg('vae', { numEpochs: 4, addNoise: true });
    const trainer = new Trainer(createVae(config, 1), config, data);
    const counts: number[] = [];
    await trainer.fit({ onEpochEnd: () => void counts.push(tf.memory().numTensors) });
    // Adam creates its moment variables during the first step; from then on nothing may grow.
    expect(counts.length).toBe(4);
    expect(new Set(counts).size).toBe(1);
  });

  test('the same seed reproduces a run exactly; another seed does not', async () => {
    const data = smallMnist(640, 200);
    const run = async (seed: number) => {
      const config = cfg('vae', { seed, numEpochs: 1, addNoise: true });
      const { history } = await new Trainer(createVae(config, seed), config, data).fit();
      return [history[0].trainLoss, history[0].test.loss];
    };
    const a = await run(3);
    expect(await run(3)).toEqual(a);
    expect(await run(4)).not.toEqual(a);
  });

  test('hooks see every step, and shouldStop ends training early', async () => {
    const data = smallMnist(640, 200);
    const config = cfg('vae', { numEpochs: 3 });
    const trainer = new Trainer(createVae(config, 1), config, data);
    const steps: number[] = [];
    const { history, stopped } = await trainer.fit({ onStep: (s) => steps.push(s.step), shouldStop: () => steps.length >= 13 });
    expect(stopped).toBe(true);
    expect(history.length).toBe(1); // epoch 1 (10 steps) completed; epoch 2 stopped at its 3rd step
    expect(steps.slice(0, 11)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 1]);
    expect(trainer.epoch).toBe(1);
  });

  test('a NaN loss stops training with DivergenceError and leaves the weights untouched', async () => {
    const data = smallMnist(640, 200);
    const config = cfg('vae');
    const model = createVae(config, 1);
    model.encoder[2].b.assign(tf.fill([8], NaN)); // mu and sigma NaN, so the KL term is NaN
    const w = model.decoder[0].w.dataSync().slice();
    const fit = new Trainer(model, config, data).fit();
    await expect(fit).rejects.toThrow(DivergenceError);
    await expect(fit).rejects.toThrow('training diverged: loss is NaN at epoch 1, step 1');
    expect(Array.from(model.decoder[0].w.dataSync())).toEqual(Array.from(w));
  });

  test('a loss that explodes (1000x its first step) stops training with DivergenceError', async () => {
    const data = smallMnist(640, 200);
    const config = cfg('vae', { numEpochs: 5 });
    const model = createVae(config, 1);
    const losses: number[] = [];
    // After the first (sane) step, push the posterior means to 1e5: the KL term becomes ~1e10.
    const blowUp = (s: { loss: number }) => {
      losses.push(s.loss);
      if (losses.length === 3) model.encoder[2].b.assign(tf.fill([8], 1e5));
    };
    const fit = new Trainer(model, config, data).fit({ onStep: blowUp });
    const e = await fit.then(() => null, (err: DivergenceError) => err);
    expect(e).toBeInstanceOf(DivergenceError);
    expect(e!.message).toMatch(/^training diverged: loss is \S+ at epoch 1, step 4 \(1000x more than the first step's \d+\.\d\)$/);
    expect(e!.loss).toBeGreaterThan(1e9);
    expect(e!.firstLoss).toBe(losses[0]);
  });

  test('a batch larger than the training set is an error', async () => {
    const config = cfg('vae', { batchSize: 5000 });
    await expect(new Trainer(createVae(config, 1), config, smallMnist(1000, 100)).fit()).rejects.toThrow(
      'batchSize 5000 is larger than the 1000 training images',
    );
  });

  test('KL warm-up: beta rises linearly from 0 at the first step to KL_beta at the end of epoch KL_warmup, then stays', async () => {
    const data = smallMnist(640, 200); // 10 steps an epoch
    const config = cfg('vae', { klBeta: 0.5, klWarmup: 2, numEpochs: 3 });
    const betas: number[] = [];
    const { history } = await new Trainer(createVae(config, 1), config, data).fit({ onStep: (s) => void betas.push(s.klBeta) });
    expect(betas.length).toBe(30);
    betas.forEach((b, i) => expect(b).toBeCloseTo(Math.min(1, i / 20) * 0.5, 12));
    expect(history.map((m) => m.klBeta)).toEqual([0.25, 0.5, 0.5]);
    // Each epoch's evaluation weighs the KL with the beta in force at its end.
    history.forEach((m) => expect(m.test.loss).toBeCloseTo(m.test.recon + m.klBeta! * m.test.kl, 3));
  });

  test('a warm-up of 0 trains with exactly KL_beta at every step; a warm-up of 1 epoch ends elsewhere', async () => {
    const data = smallMnist(640, 200);
    const betas: number[] = [];
    const config = cfg('vae', { klBeta: 0.3, numEpochs: 1 });
    const model = createVae(config, 1);
    const { history } = await new Trainer(model, config, data).fit({ onStep: (s) => void betas.push(s.klBeta) });
    expect(new Set(betas)).toEqual(new Set([0.3]));
    expect(history[0].klBeta).toBe(0.3);
    // A warm-up changes training: the same seed with KL_warmup 1 ends elsewhere.
    const warm = createVae({ ...config, klWarmup: 1 } as never, 1);
    await new Trainer(warm, { ...config, klWarmup: 1 }, data).fit();
    expect(Array.from(warm.decoder[0].w.dataSync())).not.toEqual(Array.from(model.decoder[0].w.dataSync()));
  });
});

test('a warm-up of 0 trains as the step did before warm-ups (its KL weight left to the configuration\'s): the same weights, bit for bit', async () => {
  const data = smallMnist(640, 200);
  const config = cfg('vae', { klBeta: 0.3, numEpochs: 2 });
  const warmup0 = createVae(config, 1);
  await new Trainer(warmup0, config, data).fit();
  const before = createVae(config, 1);
  const trainer = new Trainer(before, config, data);
  const step = trainer.step.bind(trainer);
  trainer.step = (x) => step(x); // no KL weight passed: the step's default, config.klBeta
  await trainer.fit();
  const bytes = (m: typeof before) => Buffer.concat(m.variables().map((v) => {
    const a = v.dataSync() as Float32Array;
    return Buffer.from(a.buffer, a.byteOffset, a.byteLength);
  }));
  expect(bytes(warmup0).length).toBe(4 * before.variables().reduce((n, v) => n + v.size, 0));
  expect(bytes(warmup0).equals(bytes(before))).toBe(true);
});

describe('binarized MNIST', () => {
  const data = (): Mnist => ({ ...smallMnist(2000, 1000), binarized: undefined });
  const same = (a: Float32Array, b: Float32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));

  test('static: every split in {0, 1}, each pixel on with its intensity as probability, the same draw every time', () => {
    const raw = data();
    const bin = binarizedData(raw, 'static');
    for (const split of ['train', 'validation', 'test'] as const) {
      const b = bin[split].images, g = raw[split].images;
      expect(b.every((v) => v === 0 || v === 1)).toBe(true);
      const meanB = b.reduce((s, v) => s + v, 0) / b.length, meanG = g.reduce((s, v) => s + v, 0) / g.length;
      expect(Math.abs(meanB - meanG)).toBeLessThan(0.002); // ~1.2M pixels: the binomial's sd is < 0.0005
      // Black pixels stay black, white ones white.
      expect(g.filter((v, i) => (v === 0 || v === 1) && b[i] !== v).length).toBe(0);
    }
    expect(same(binarizedData(raw, 'static').test.images, bin.test.images)).toBe(true); // a fixed seed
    expect(raw.test.images.some((v) => v > 0 && v < 1)).toBe(true); // the data given is untouched
    expect(binarizedData(bin, 'static')).toBe(bin);
    expect(() => binarizedData(bin, 'dynamic')).toThrow("the images are already binarized (static): cannot binarize them as 'dynamic'");
  });

  test('dynamic: validation and test binarized as static ones, training images left grayscale for the trainer', () => {
    const raw = data();
    const dyn = binarizedData(raw, 'dynamic'), stat = binarizedData(raw, 'static');
    expect(same(dyn.test.images, stat.test.images)).toBe(true);
    expect(same(dyn.validation.images, stat.validation.images)).toBe(true);
    expect(dyn.train).toBe(raw.train);
    expect(binarizedData(raw, 'none')).toBe(raw);
  });

  test('dynamic: every training batch is a fresh binarization, the same ones for the same seed', async () => {
    const raw = smallMnist(256, 100); // 2 steps an epoch at batch 128
    const batches = async (seed: number) => {
      const config = makeConfig({ nHidden: 8, dimZ: 2, numEpochs: 2, batchSize: 128, binarize: 'dynamic', seed });
      const trainer = new Trainer(createVae(config, seed), config, binarizedData(raw, 'dynamic'));
      const seen: Float32Array[] = [];
      const step = trainer.step.bind(trainer);
      trainer.step = (x, beta) => (seen.push(x.slice()), step(x, beta));
      await trainer.fit();
      return seen;
    };
    const a = await batches(1);
    expect(a.length).toBe(4);
    a.forEach((x) => expect(x.every((v) => v === 0 || v === 1)).toBe(true));
    // Epoch 2's batches hold the same images as epoch 1's in another order, so compare sums of pixels per image set:
    // the binarizations differ (a fresh draw), while their means follow the intensities.
    const sum = (xs: Float32Array[]) => xs.reduce((s, x) => s + x.reduce((t, v) => t + v, 0), 0);
    const gray = raw.train.images.reduce((s, v) => s + v, 0);
    expect(Math.abs(sum(a.slice(0, 2)) - gray) / gray).toBeLessThan(0.01);
    expect(sum(a.slice(0, 2))).not.toBe(sum(a.slice(2, 4)));
    const again = await batches(1), other = await batches(2);
    expect(again.every((x, i) => same(x, a[i]))).toBe(true);
    expect(other.some((x, i) => !same(x, a[i]))).toBe(true);
  });
});

