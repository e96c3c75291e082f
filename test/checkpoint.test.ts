// Checkpoints: one safetensors file replaced atomically; the model, and a trainer's state, load
// back exactly; damaged files are one clear error each; checkpoint@1 directories still load.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { CheckpointError, createVae, decodeSafetensors, loadCheckpoint, makeConfig, readCheckpointMeta, saveCheckpoint, Trainer } from '../lib/index';
import { smallMnist, useBackend, values } from './helpers';

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
    const file = path.join(tmp(), 'checkpoint.safetensors');
    const model = createVae(config, 11);
    saveCheckpoint(file, model, { train: config, epoch: 7 });
    const { model: loaded, meta, trainer } = loadCheckpoint(file);
    expect(meta).toMatchObject({ epoch: 7, step: 0, model: { mode: 'vanilla_ae', dimImg: 784, dimZ: 3, nHidden: 16, keepProb: 0.9 } });
    expect(meta.train!.klBeta).toBe(0.3);
    expect(trainer).toBeNull();
    const x = tf.randomUniform([4, 784], 0, 1, 'float32', 2) as tf.Tensor2D;
    expect(values(loaded.forward(x).logits)).toEqual(values(model.forward(x).logits));
    expect(values(loaded.encode(x).mu)).toEqual(values(model.encode(x).mu));
  });

  test('the file is safetensors: 8-byte header length, JSON header with dtype/shape/offsets and string metadata, raw float32', () => {
    const file = path.join(tmp(), 'c.safetensors');
    const model = createVae(config, 3);
    saveCheckpoint(file, model, { train: config, epoch: 2 });
    const buf = fs.readFileSync(file);
    const n = Number(buf.readBigUInt64LE(0));
    expect(n % 8).toBe(0);
    const header = JSON.parse(buf.subarray(8, 8 + n).toString());
    expect(header['decoder/out/w']).toMatchObject({ dtype: 'F32', shape: [16, 784] });
    expect(Object.values(header.__metadata__).every((v) => typeof v === 'string')).toBe(true);
    const [b] = header['encoder/0/b'].data_offsets;
    expect(buf.readFloatLE(8 + n + b)).toBe(values(model.encoder[0].b)[0]);
    expect(decodeSafetensors(buf).tensors['decoder/out/w'].data).toEqual(model.decoder[2].w.dataSync());
  });

  test("a trainer's state (Adam, generator, position in the epoch) comes back exactly", async () => {
    const c = makeConfig({ dimZ: 2, nHidden: 16, batchSize: 100, numEpochs: 3 });
    const data = smallMnist(1000, 100);
    const model = createVae(c, 1);
    const trainer = new Trainer(model, c, data);
    let steps = 0;
    await trainer.fit({ onStep: () => steps++, shouldStop: () => steps === 14 }); // epoch 2, step 4
    const state = trainer.getState();
    const file = path.join(tmp(), 'c.safetensors');
    saveCheckpoint(file, model, { train: c, trainer: state });
    const { trainer: back, meta } = loadCheckpoint(file);
    expect(meta).toMatchObject({ epoch: 1, step: 4 });
    expect(back!.order).toEqual(state.order);
    expect(back!.adam.m.map((m) => Array.from(m))).toEqual(state.adam.m.map((m) => Array.from(m)));
    expect({ ...back!, order: null, adam: { ...back!.adam, m: null, v: null } }).toEqual({ ...state, order: null, adam: { ...state.adam, m: null, v: null } });
    trainer.dispose();
  });

  test('saving over a checkpoint replaces it and leaves no temporary files', () => {
    const root = tmp();
    const file = path.join(root, 'c.safetensors');
    saveCheckpoint(file, createVae(config, 1), { epoch: 1 });
    saveCheckpoint(file, createVae(config, 2), { epoch: 2 });
    expect(readCheckpointMeta(file).epoch).toBe(2);
    expect(fs.readdirSync(root)).toEqual(['c.safetensors']);
  });

  test('a crash while writing leaves the previous checkpoint intact', () => {
    const root = tmp();
    const file = path.join(root, 'c.safetensors');
    const model = createVae(config, 1);
    saveCheckpoint(file, model, { epoch: 1 });
    mockFailNextWrite = true;
    expect(() => saveCheckpoint(file, createVae(config, 2), { epoch: 2 })).toThrow('disk full');
    expect(fs.readdirSync(root)).toEqual(['c.safetensors']);
    const { model: loaded, meta } = loadCheckpoint(file);
    expect(meta.epoch).toBe(1);
    expect(values(loaded.decoder[0].w)).toEqual(values(model.decoder[0].w));
  });

  describe('damaged files are one CheckpointError each, naming the file and what is wrong', () => {
    const good = () => {
      const file = path.join(tmp(), 'c.safetensors');
      saveCheckpoint(file, createVae(config, 1), { train: config, epoch: 1 });
      return { file, buf: fs.readFileSync(file), n: Number(fs.readFileSync(file).readBigUInt64LE(0)) };
    };
    const header = (buf: Buffer, n: number) => JSON.parse(buf.subarray(8, 8 + n).toString());
    const withHeader = (buf: Buffer, n: number, h: unknown) => {
      const json = Buffer.from(JSON.stringify(h));
      const len = Buffer.alloc(8);
      len.writeBigUInt64LE(BigInt(json.length));
      return Buffer.concat([len, json, buf.subarray(8 + n)]);
    };
    const cases: [string, (b: Buffer, n: number) => Buffer, RegExp][] = [
      ['missing', () => Buffer.alloc(0), /no checkpoint here/],
      ['empty', () => Buffer.alloc(3), /too short for the 8-byte header length/],
      ['truncated in the data', (b) => b.subarray(0, b.length - 10), /data_offsets .* do not lie within/],
      ['truncated in the header', (b) => b.subarray(0, 40), /header length \d+ exceeds the file/],
      ['a huge header length', (b) => { const c = Buffer.from(b); c.writeBigUInt64LE(2n ** 60n, 0); return c; }, /header length \d+ exceeds the file/],
      ['a bit flipped in the header', (b) => { const c = Buffer.from(b); c[12] ^= 0x20; return c; }, /header is not JSON|dtype|format/],
      ['a wrong shape', (b, n) => { const h = header(b, n); h['decoder/out/w'].shape = [784, 16]; return withHeader(b, n, h); }, /decoder\/out\/w is F32 \[784,16\], expected F32 \[16,784\]/],
      ['a missing variable', (b, n) => { const h = header(b, n); h['decoder/out/bb'] = h['decoder/out/b']; delete h['decoder/out/b']; return withHeader(b, n, h); }, /decoder\/out\/b is missing/],
      ['a bad dtype', (b, n) => { const h = header(b, n); h['encoder/0/w'].dtype = 'F64'; return withHeader(b, n, h); }, /dtype "F64", expected F32 or U32/],
      ['overlapping tensors', (b, n) => { const h = header(b, n); h['encoder/0/b'].data_offsets = h['encoder/0/w'].data_offsets.map((o: number) => o); h['encoder/0/b'].shape = h['encoder/0/w'].shape; return withHeader(b, n, h); }, /gap or overlap/],
      ['another format', (b, n) => { const h = header(b, n); h.__metadata__.format = 'other'; return withHeader(b, n, h); }, /format is "other"/],
      ['a model configuration without its mode', (b, n) => { const h = header(b, n); const m = JSON.parse(h.__metadata__.model); delete m.mode; h.__metadata__.model = JSON.stringify(m); return withHeader(b, n, h); }, /bad model configuration: missing mode/],
      ['a non-finite weight', (b, n) => { const c = Buffer.from(b); c.writeFloatLE(NaN, 8 + n + 4); return c; }, /holds a non-finite value \(NaN at 1\)/],
    ];
    test.each(cases)('%s', (_, damage, message) => {
      const { file, buf, n } = good();
      const bad = damage(buf, n);
      if (bad.length) fs.writeFileSync(file, bad);
      else fs.rmSync(file);
      expect(() => loadCheckpoint(file)).toThrow(CheckpointError);
      expect(() => loadCheckpoint(file)).toThrow(message);
      expect(() => loadCheckpoint(file)).toThrow(file);
    });
  });

  test('a checkpoint@1 directory (checkpoint.json + weights.bin) still loads; damaged, it is a clear error', () => {
    const dir = path.join(tmp(), 'checkpoint');
    const model = createVae(config, 5);
    const named = model.namedVariables();
    fs.mkdirSync(dir);
    const weights = new Float32Array(named.reduce((s, [, v]) => s + v.size, 0));
    let o = 0;
    for (const [, v] of named) {
      weights.set(v.dataSync() as Float32Array, o);
      o += v.size;
    }
    fs.writeFileSync(path.join(dir, 'weights.bin'), new Uint8Array(weights.buffer));
    const meta = { format: 'vae-mnist-ts/checkpoint@1', model: { mode: 'vanilla_ae', dimImg: 784, dimZ: 3, nHidden: 16, keepProb: 0.9 }, train: config, epoch: 4,
      variables: named.map(([name, v]) => ({ name, shape: v.shape })) };
    fs.writeFileSync(path.join(dir, 'checkpoint.json'), JSON.stringify(meta));
    const { model: loaded, meta: m } = loadCheckpoint(dir);
    expect(m.epoch).toBe(4);
    expect(values(loaded.decoder[2].w)).toEqual(values(model.decoder[2].w));
    fs.truncateSync(path.join(dir, 'weights.bin'), 100);
    expect(() => loadCheckpoint(dir)).toThrow(/weights.bin: 100 bytes, expected \d+/);
    fs.writeFileSync(path.join(dir, 'checkpoint.json'), JSON.stringify({ ...meta, variables: 3 }));
    expect(() => loadCheckpoint(dir)).toThrow('"variables" must list each variable\'s name and shape');
  });
});

// Another reader of the format: scripts/read_checkpoint.py parses the file with Python's standard
// library and NumPy only, and decodes with the saved decoder as lib/core/model.ts does.
const python = ['/usr/bin/python3', 'python3'].find((p) => require('child_process').spawnSync(p, ['-c', 'import numpy'], { encoding: 'utf8' }).status === 0);
(python ? test : test.skip)('a reader written from the safetensors spec alone (Python + NumPy) loads our weights and decodes as we do', () => {
  const { spawnSync } = require('child_process');
  const c = makeConfig({ dimZ: 2, nHidden: 32 });
  const model = createVae(c, 9);
  const file = path.join(tmp(), 'checkpoint.safetensors');
  saveCheckpoint(file, model, { train: c, epoch: 3 });
  const r = spawnSync(python, [path.join(__dirname, '..', 'scripts', 'read_checkpoint.py'), file, '0.5,-1.25', '2,0'], { encoding: 'utf8' });
  expect(r.status).toBe(0);
  const [head, ...images] = r.stdout.trim().split('\n').map((l: string) => JSON.parse(l));
  expect(head.metadata).toMatchObject({ format: 'vae-mnist-ts/checkpoint@2', epoch: '3' });
  expect(head.tensors['decoder/out/w']).toEqual([32, 784]);
  const ours = tf.tidy(() => model.decode(tf.tensor2d([[0.5, -1.25], [2, 0]]))).arraySync() as number[][];
  images.forEach((img: number[], i: number) => img.forEach((p, j) => expect(Math.abs(p - ours[i][j])).toBeLessThan(1e-5)));
});
