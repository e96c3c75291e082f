import * as tf from '@tensorflow/tfjs';
import { createVae, DivergenceError, evaluate, makeConfig, Mode, Trainer } from '../lib';
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
});
