// Checkpoints: a directory holding `checkpoint.json` (model configuration, training
// configuration, epoch, variable names and shapes) and `weights.bin` (float32, little-endian, in
// that order). Written atomically: a complete new directory replaces the old one by rename, so a
// crash mid-write never leaves a half checkpoint in place of a good one.
import * as fs from 'fs';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { ModelConfig, modelConfigOf, TrainConfig, validateConfig, defaultConfig } from './config';
import { writeFileSynced } from './files';
import { createVae, Vae } from './model';

const FORMAT = 'vae-mnist-ts/checkpoint@1';

export interface CheckpointMeta {
  format: string;
  model: ModelConfig;
  train?: TrainConfig;
  epoch: number;
  variables: { name: string; shape: number[] }[];
}

export class CheckpointError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CheckpointError';
  }
}

/** Saves `model` (and the training configuration and epoch that produced it) under `dir`. */
export function saveCheckpoint(dir: string, model: Vae, info: { train?: TrainConfig; epoch?: number } = {}): void {
  const named = model.namedVariables();
  const vars = named.map(([, v]) => v);
  const meta: CheckpointMeta = {
    format: FORMAT,
    model: modelConfigOf(model.config),
    train: info.train,
    epoch: info.epoch ?? 0,
    variables: named.map(([name, v]) => ({ name, shape: v.shape })),
  };
  const size = vars.reduce((n, v) => n + v.size, 0);
  const weights = new Float32Array(size);
  let offset = 0;
  for (const v of vars) {
    weights.set(v.dataSync() as Float32Array, offset);
    offset += v.size;
  }
  const target = path.resolve(dir);
  fs.mkdirSync(path.dirname(target), { recursive: true });
  const tmp = `${target}.tmp-${process.pid}`;
  const old = `${target}.old-${process.pid}`;
  fs.rmSync(tmp, { recursive: true, force: true });
  fs.mkdirSync(tmp);
  try {
    writeFileSynced(path.join(tmp, 'weights.bin'), new Uint8Array(weights.buffer));
    writeFileSynced(path.join(tmp, 'checkpoint.json'), JSON.stringify(meta, null, 2) + '\n');
  } catch (e) {
    fs.rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
  // Swap: the good checkpoint stays complete until the new one is in place.
  if (fs.existsSync(target)) fs.renameSync(target, old);
  fs.renameSync(tmp, target);
  fs.rmSync(old, { recursive: true, force: true });
}

/** Reads only the metadata of the checkpoint under `dir` (its configuration and epoch). */
export function readCheckpointMeta(dir: string): CheckpointMeta {
  const file = path.join(dir, 'checkpoint.json');
  if (!fs.existsSync(file)) throw new CheckpointError(`${file}: no checkpoint here`);
  let meta: CheckpointMeta;
  try {
    meta = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new CheckpointError(`${file}: not valid JSON (${(e as Error).message})`);
  }
  if (meta.format !== FORMAT) throw new CheckpointError(`${file}: format is ${JSON.stringify(meta.format)}, expected "${FORMAT}"`);
  try {
    validateConfig({ ...defaultConfig, ...meta.model });
  } catch (e) {
    throw new CheckpointError(`${file}: bad model configuration: ${(e as Error).message}`);
  }
  return meta;
}

/** Rebuilds the model saved under `dir`, with its weights. */
export function loadCheckpoint(dir: string): { model: Vae; meta: CheckpointMeta } {
  const meta = readCheckpointMeta(dir);
  const file = path.join(dir, 'weights.bin');
  if (!fs.existsSync(file)) throw new CheckpointError(`${file}: weights missing`);
  const bytes = fs.readFileSync(file);
  const model = createVae(meta.model, 0);
  const named = model.namedVariables();
  const expected = named.reduce((n, [, v]) => n + v.size, 0);
  if (bytes.length !== expected * 4) {
    model.dispose();
    throw new CheckpointError(`${file}: ${bytes.length} bytes, expected ${expected * 4} for the model in checkpoint.json`);
  }
  const weights = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
  let offset = 0;
  named.forEach(([name, v], i) => {
    const saved = meta.variables[i];
    if (!saved || saved.name !== name || saved.shape.join() !== v.shape.join()) {
      model.dispose();
      throw new CheckpointError(`${dir}: variable ${i} is ${JSON.stringify(saved)}, expected ${name} ${JSON.stringify(v.shape)}`);
    }
    const value = tf.tensor(weights.subarray(offset, offset + v.size), v.shape);
    v.assign(value);
    value.dispose(); // the variable keeps the data, and is then its only owner
    offset += v.size;
  });
  return { model, meta };
}
