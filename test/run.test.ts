// A run directory as the notebooks use it: trained once by trainOrLoad, then reused; every
// finished run has its summary.json (IS log-likelihood, active units).
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { describeRun, makeConfig, readMetrics, readRunConfig, readRunSummary, RUN_FILES, trainOrLoad } from '../lib/index';
import { smallMnist, useBackend } from './helpers';

useBackend();

describe('trainOrLoad', () => {
  test('trains a run directory with its summary, then reuses it; a missing summary is made again', async () => {
    const data = smallMnist(640, 200);
    const config = makeConfig({ dimZ: 3, nHidden: 32, batchSize: 64, numEpochs: 2, seed: 4 });
    const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'run-')), 'a');

    const first = await trainOrLoad(dir, config, data, { isK: 3 });
    expect(first.loaded).toBe(false);
    expect(first.history.map((m) => m.epoch)).toEqual([1, 2]);
    expect(readMetrics(dir)).toEqual(first.history);
    const summary = readRunSummary(dir)!;
    expect(summary).toEqual(first.summary);
    expect(summary.epochs).toBe(2);
    expect(summary.isLogLikelihood!.k).toBe(3);
    // log p(x) is at least the ELBO in expectation: within a few nats of -test loss, and finite.
    expect(summary.isLogLikelihood!.value).toBeGreaterThan(-summary.test.loss - 5);
    expect(summary.isLogLikelihood!.value).toBeLessThan(0);
    expect(summary.units).toBe('Bernoulli on grayscale pixels (not a density)');
    expect(summary.bitsPerDim!.elbo).toBeCloseTo((summary.test.recon + summary.test.kl) / (784 * Math.LN2), 10);
    expect(summary.bitsPerDim!.is).toBeCloseTo(-summary.isLogLikelihood!.value / (784 * Math.LN2), 10);
    expect(summary.activeUnits).toBeGreaterThanOrEqual(1);
    expect(summary.activeUnits).toBeLessThanOrEqual(3);
    expect(Date.parse(summary.finishedAt!)).toBeGreaterThan(Date.now() - 60000);
    // config.json says how the run was made: engine and images, beside the configuration.
    const info = readRunConfig(dir);
    expect(info).toMatchObject({ config, backend: 'wasm', images: { train: 640, validation: 200, test: 200 } });
    expect(typeof info.nativeKernels).toBe('boolean');
    expect(describeRun(info, summary)).toMatch(new RegExp(
      `^trained until \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d UTC: 2 epochs on 640 training images, \\d+\\.\\d s/epoch, wasm( \\+ native kernels)?\\n` +
      `test \\(nats per image, Bernoulli on grayscale pixels \\(not a density\\)\\): ` +
      `−ELBO ${summary.test.loss.toFixed(2)} \\(reconstruction ${summary.test.recon.toFixed(2)}, KL ${summary.test.kl.toFixed(2)}\\); ` +
      `−log p\\(x\\) ${(-summary.isLogLikelihood!.value).toFixed(2)} = ${(-summary.isLogLikelihood!.value / (784 * Math.LN2)).toFixed(4)} bits/dim \\(IS, k = 3\\); ` +
      `active units ${summary.activeUnits}/3$`,
    ));

    const again = await trainOrLoad(dir, config, data, { isK: 3 });
    expect(again.loaded).toBe(true);
    expect(again.history).toEqual(first.history);
    expect(again.summary).toEqual(summary);
    expect(Array.from(again.model.decoder[2].b.dataSync())).toEqual(Array.from(first.model.decoder[2].b.dataSync()));

    fs.rmSync(path.join(dir, RUN_FILES.summary));
    const backfilled = await trainOrLoad(dir, config, data, { isK: 3 });
    expect(backfilled.loaded).toBe(true);
    // Same model, same seed: the same estimates; when training ended is unknown to a backfill.
    expect(readRunSummary(dir)).toEqual({ ...summary, finishedAt: undefined });

    const other = await trainOrLoad(dir, { ...config, numEpochs: 1 }, data, { isK: 0 });
    expect(other.loaded).toBe(false); // another configuration trains anew in place
    expect(readRunSummary(dir)!.isLogLikelihood).toBeNull();

    // A damaged checkpoint stops trainOrLoad with its error, naming the file; nothing is overwritten.
    const file = path.join(dir, RUN_FILES.checkpoint);
    const before = () => Object.fromEntries(fs.readdirSync(dir).sort().map((f) => [f, fs.readFileSync(path.join(dir, f)).toString('base64')]));
    for (const damage of [(b: Buffer) => b.subarray(0, Math.floor(b.length / 2)), (b: Buffer) => Buffer.concat([Buffer.from('{not json'), b.subarray(9)])]) {
      fs.writeFileSync(file, damage(fs.readFileSync(file)));
      const files = before();
      for (const c of [config, { ...config, numEpochs: 1 }]) {
        const err = await trainOrLoad(dir, c, data, { isK: 0 }).then(() => null, (e: Error) => e);
        expect(err?.name).toBe('CheckpointError');
        expect(err?.message).toContain(file);
        expect(before()).toEqual(files);
      }
    }
  });

  test('a run stopped early is continued from its checkpoint by the next trainOrLoad, to the same end as one left alone', async () => {
    const data = smallMnist(640, 200);
    const config = makeConfig({ dimZ: 2, nHidden: 16, batchSize: 64, numEpochs: 2, seed: 8 });
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'run-'));
    const alone = await trainOrLoad(path.join(root, 'alone'), config, data, { isK: 0 });
    let steps = 0;
    const dir = path.join(root, 'stopped');
    await expect(trainOrLoad(dir, config, data, { isK: 0, hooks: { onStep: () => steps++, shouldStop: () => steps === 13 } })).rejects.toThrow('stopped before its last epoch');
    const continued = await trainOrLoad(dir, config, data, { isK: 0, hooks: { onStep: () => steps++ } });
    expect(steps).toBe(20); // 13 before the stop, the 7 left after it: nothing trained twice
    expect(continued.loaded).toBe(false);
    expect(continued.history.map((m) => m.test)).toEqual(alone.history.map((m) => m.test));
    expect(Array.from(continued.model.decoder[2].w.dataSync())).toEqual(Array.from(alone.model.decoder[2].w.dataSync()));
  });
});
