import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { CheckpointError, createVae, loadCheckpoint, makeConfig, readCheckpointMeta, saveCheckpoint } from '../lib';
import { useBackend, values } from './helpers';

useBackend();

// Lets a test make the next file write fail, as a full disk or a crash mid-write would.
let mockFailNextWrite = false;
jest.mock('fs', () => {
  const real = jest.requireActual('fs');
  return {
    ...real,
    writeFileSync: (...args: unknown[]) => {
      if (mockFailNextWrite) {
        mockFailNextWrite = false;
        throw new Error('disk full');
      }
      return real.writeFileSync(...args);
    },
  };
});

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'ckpt-'));
const config = makeConfig({ mode: 'vanilla_ae', dimZ: 3, nHidden: 16, klBeta: 0.3 });

describe('checkpoints', () => {
  test('a saved model loads back with its configuration and gives the same outputs', () => {
    const dir = path.join(tmp(), 'ckpt');
    const model = createVae(config, 11);
    saveCheckpoint(dir, model, { train: config, epoch: 7 });
    const { model: loaded, meta } = loadCheckpoint(dir);
    expect(meta.epoch).toBe(7);
    expect(meta.model).toEqual({ mode: 'vanilla_ae', dimImg: 784, dimZ: 3, nHidden: 16, keepProb: 0.9 });
    expect(meta.train!.klBeta).toBe(0.3);
    const x = tf.randomUniform([4, 784], 0, 1, 'float32', 2) as tf.Tensor2D;
    expect(values(loaded.forward(x).logits)).toEqual(values(model.forward(x).logits));
    expect(values(loaded.encode(x).mu)).toEqual(values(model.encode(x).mu));
  });

  test('saving over a checkpoint replaces it and leaves no temporary files', () => {
    const root = tmp();
    const dir = path.join(root, 'ckpt');
    saveCheckpoint(dir, createVae(config, 1), { epoch: 1 });
    saveCheckpoint(dir, createVae(config, 2), { epoch: 2 });
    expect(readCheckpointMeta(dir).epoch).toBe(2);
    expect(fs.readdirSync(root)).toEqual(['ckpt']);
  });

  test('a crash while writing leaves the previous checkpoint intact', () => {
    const root = tmp();
    const dir = path.join(root, 'ckpt');
    const model = createVae(config, 1);
    saveCheckpoint(dir, model, { epoch: 1 });
    mockFailNextWrite = true;
    expect(() => saveCheckpoint(dir, createVae(config, 2), { epoch: 2 })).toThrow('disk full');
    expect(fs.readdirSync(root)).toEqual(['ckpt']);
    const { model: loaded, meta } = loadCheckpoint(dir);
    expect(meta.epoch).toBe(1);
    expect(values(loaded.decoder[0].w)).toEqual(values(model.decoder[0].w));
  });

  test('missing, corrupt or mismatched checkpoints are clear errors', () => {
    const dir = path.join(tmp(), 'ckpt');
    expect(() => loadCheckpoint(dir)).toThrow(`${path.join(dir, 'checkpoint.json')}: no checkpoint here`);
    saveCheckpoint(dir, createVae(config, 1));
    fs.truncateSync(path.join(dir, 'weights.bin'), 100);
    expect(() => loadCheckpoint(dir)).toThrow(CheckpointError);
    expect(() => loadCheckpoint(dir)).toThrow(/weights.bin: 100 bytes, expected \d+/);
    fs.writeFileSync(path.join(dir, 'checkpoint.json'), '{"format": "other"}');
    expect(() => loadCheckpoint(dir)).toThrow('format is "other"');
  });
});
