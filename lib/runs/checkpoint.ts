// Checkpoints: one safetensors file (lib/runs/safetensors.ts) holding the model's weights under their
// names and, for a run under way, Adam's moments and the order of the epoch under way, with the
// configuration, the epoch and step and the trainer's scalar state as `__metadata__` strings.
// Replaced in one atomic rename (writeFileAtomic), so that there is never a moment without a
// complete checkpoint. The earlier format, a directory of checkpoint.json + weights.bin
// (`checkpoint@1`), still loads.
import * as fs from 'fs';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { ADDED_SETTINGS, defaultConfig, ModelConfig, modelConfigOf, TrainConfig, validateConfig } from '../core/config';
import { writeFileAtomic } from './files';
import { createVae, Vae } from '../core/model';
import { decodeSafetensors, encodeSafetensors, SafetensorsError, SafeTensor } from './safetensors';
import type { TrainerState } from '../core/train';

const FORMAT = 'vae-mnist-ts/checkpoint@2';
const LEGACY_FORMAT = 'vae-mnist-ts/checkpoint@1';

export interface CheckpointMeta {
  format: string;
  model: ModelConfig;
  train?: TrainConfig;
  epoch: number; // epochs completed
  step: number; // steps done in the epoch under way (0: the checkpoint is at an epoch's end)
  variables: { name: string; shape: number[] }[];
}

export class CheckpointError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CheckpointError';
  }
}

const MODEL_KEYS: (keyof ModelConfig)[] = ['mode', 'dimImg', 'dimZ', 'nHidden', 'keepProb'];

/** The variables Adam updates, with their names, in the optimizer's order. */
function trainedOf(model: Vae): [string, tf.Variable][] {
  const trained = new Set(model.trainableVariables());
  return model.namedVariables().filter(([, v]) => trained.has(v));
}

/**
 * Saves `model` (with the training configuration, the epoch, and the trainer's state when the run
 * is to be continued) as the safetensors file `file`.
 */
export function saveCheckpoint(file: string, model: Vae, info: { train?: TrainConfig; epoch?: number; trainer?: TrainerState } = {}): void {
  const named = model.namedVariables();
  const tensors: Record<string, SafeTensor> = {};
  for (const [name, v] of named) tensors[name] = { dtype: 'F32', shape: v.shape, data: (v.dataSync() as Float32Array).slice() };
  const t = info.trainer;
  if (t) {
    trainedOf(model).forEach(([name, v], i) => {
      tensors[`adam.m/${name}`] = { dtype: 'F32', shape: v.shape, data: t.adam.m[i] };
      tensors[`adam.v/${name}`] = { dtype: 'F32', shape: v.shape, data: t.adam.v[i] };
    });
    tensors['trainer.order'] = { dtype: 'U32', shape: [t.order.length], data: t.order };
  }
  const metadata: Record<string, string> = {
    format: FORMAT,
    model: JSON.stringify(modelConfigOf(model.config)),
    epoch: String(info.trainer?.epoch ?? info.epoch ?? 0),
    step: String(t?.step ?? 0),
    ...(info.train ? { train: JSON.stringify(info.train) } : {}),
    ...(t ? { trainer: JSON.stringify({ sums: t.sums, firstLoss: t.firstLoss, rng: t.rng, adamT: t.adam.t, accBeta: t.adam.accBeta ?? null }) } : {}),
  };
  writeFileAtomic(file, encodeSafetensors(tensors, metadata));
}

interface Parsed {
  meta: CheckpointMeta;
  tensors: Record<string, SafeTensor>;
  trainerMeta?: { sums: TrainerState['sums']; firstLoss: number; rng: number; adamT: number; accBeta: [number, number] | null };
}

function parse(file: string): Parsed {
  if (!fs.existsSync(file)) throw new CheckpointError(`${file}: no checkpoint here`);
  if (fs.statSync(file).isDirectory()) return parseLegacy(file);
  let decoded: ReturnType<typeof decodeSafetensors>;
  try {
    decoded = decodeSafetensors(fs.readFileSync(file));
  } catch (e) {
    if (e instanceof SafetensorsError) throw new CheckpointError(`${file}: not a safetensors checkpoint: ${e.why}`);
    throw e;
  }
  const md = decoded.metadata;
  if (md.format !== FORMAT) throw new CheckpointError(`${file}: format is ${JSON.stringify(md.format)}, expected "${FORMAT}"`);
  const json = <T>(key: string): T => {
    try {
      return JSON.parse(md[key]) as T;
    } catch {
      throw new CheckpointError(`${file}: metadata "${key}" is not JSON`);
    }
  };
  const int = (key: string) => {
    const v = Number(md[key]);
    if (!Number.isInteger(v) || v < 0) throw new CheckpointError(`${file}: metadata "${key}" is ${JSON.stringify(md[key])}, expected an integer >= 0`);
    return v;
  };
  const model = json<ModelConfig>('model');
  const train = md.train === undefined ? undefined : json<TrainConfig>('train');
  const meta: CheckpointMeta = { format: FORMAT, model, train, epoch: int('epoch'), step: int('step'), variables: [] };
  checkConfigs(file, meta);
  const vars = Object.entries(decoded.tensors).filter(([name]) => !name.startsWith('adam.') && !name.startsWith('trainer.'));
  meta.variables = vars.map(([name, t]) => ({ name, shape: t.shape }));
  return { meta, tensors: decoded.tensors, trainerMeta: md.trainer === undefined ? undefined : json('trainer') };
}

/**
 * The model configuration must be complete and valid (a missing field is an error, not a default),
 * except for settings added since the checkpoint was written, which take the value it was trained with.
 */
function checkConfigs(file: string, meta: CheckpointMeta): void {
  const m = meta.model as unknown as Record<string, unknown>;
  const missing = MODEL_KEYS.filter((k) => !(k in (m ?? {})));
  if (typeof m !== 'object' || m === null || missing.length) throw new CheckpointError(`${file}: bad model configuration: missing ${missing.join(', ') || 'everything'}`);
  const { activation, likelihood, arch, klWarmup, binarize, iwK, elboK, learnRateSchedule } = ADDED_SETTINGS;
  meta.model = { activation, likelihood, arch, ...(m as object) } as ModelConfig;
  if (meta.train) meta.train = { klWarmup, binarize, iwK, elboK, learnRateSchedule, ...(meta.train as object) } as TrainConfig;
  try {
    validateConfig({ ...defaultConfig, ...(meta.train ?? {}), ...meta.model });
  } catch (e) {
    throw new CheckpointError(`${file}: bad configuration: ${(e as Error).message}`);
  }
}

/** checkpoint@1: a directory of checkpoint.json (configuration, epoch, variable names and shapes) and weights.bin. */
function parseLegacy(dir: string): Parsed {
  const file = path.join(dir, 'checkpoint.json');
  if (!fs.existsSync(file)) throw new CheckpointError(`${file}: no checkpoint here`);
  let meta: CheckpointMeta;
  try {
    meta = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new CheckpointError(`${file}: not valid JSON (${(e as Error).message})`);
  }
  if (meta.format !== LEGACY_FORMAT) throw new CheckpointError(`${file}: format is ${JSON.stringify(meta.format)}, expected "${LEGACY_FORMAT}"`);
  checkConfigs(file, meta);
  if (!Array.isArray(meta.variables) || !meta.variables.every((v) => typeof v?.name === 'string' && Array.isArray(v.shape))) {
    throw new CheckpointError(`${file}: "variables" must list each variable's name and shape`);
  }
  meta.step = 0;
  const weightsFile = path.join(dir, 'weights.bin');
  if (!fs.existsSync(weightsFile)) throw new CheckpointError(`${weightsFile}: weights missing`);
  const bytes = fs.readFileSync(weightsFile);
  const expected = meta.variables.reduce((n, v) => n + v.shape.reduce((a, b) => a * b, 1), 0);
  if (bytes.length !== expected * 4) throw new CheckpointError(`${weightsFile}: ${bytes.length} bytes, expected ${expected * 4} for the model in checkpoint.json`);
  const all = new Float32Array(new Uint8Array(bytes).buffer);
  const tensors: Record<string, SafeTensor> = {};
  let offset = 0;
  for (const v of meta.variables) {
    const size = v.shape.reduce((a, b) => a * b, 1);
    tensors[v.name] = { dtype: 'F32', shape: v.shape, data: all.subarray(offset, offset + size) };
    offset += size;
  }
  return { meta, tensors };
}

/** Reads the configuration, epoch and step of the checkpoint `file` (a safetensors file, or a checkpoint@1 directory). */
export function readCheckpointMeta(file: string): CheckpointMeta {
  return parse(file).meta;
}

/**
 * Rebuilds the model saved in `file`, with its weights (each checked: present, the right shape,
 * finite), and the trainer's state when the checkpoint has one (null otherwise).
 */
export function loadCheckpoint(file: string): { model: Vae; meta: CheckpointMeta; trainer: TrainerState | null } {
  const { meta, tensors, trainerMeta } = parse(file);
  const model = createVae(meta.model, 0);
  const named = model.namedVariables();
  try {
    const take = (name: string, shape: number[]): Float32Array => {
      const t = tensors[name];
      if (!t || t.dtype !== 'F32' || t.shape.join() !== shape.join()) {
        throw new CheckpointError(`${file}: ${name} is ${t ? `${t.dtype} ${JSON.stringify(t.shape)}` : 'missing'}, expected F32 ${JSON.stringify(shape)}`);
      }
      const bad = (t.data as Float32Array).findIndex((x) => !Number.isFinite(x));
      if (bad >= 0) throw new CheckpointError(`${file}: ${name} holds a non-finite value (${t.data[bad]} at ${bad})`);
      return t.data as Float32Array;
    };
    for (const [name, v] of named) {
      const value = tf.tensor(take(name, v.shape), v.shape);
      v.assign(value);
      value.dispose(); // the variable keeps the data, and is then its only owner
    }
    if (!trainerMeta) return { model, meta, trainer: null };
    const order = tensors['trainer.order'];
    if (!order || order.dtype !== 'U32' || order.shape.length !== 1) throw new CheckpointError(`${file}: trainer.order missing or not a U32 vector`);
    const trainer: TrainerState = {
      epoch: meta.epoch, step: meta.step, order: order.data as Uint32Array, sums: trainerMeta.sums, firstLoss: trainerMeta.firstLoss, rng: trainerMeta.rng,
      adam: {
        t: trainerMeta.adamT,
        m: trainedOf(model).map(([name, v]) => take(`adam.m/${name}`, v.shape)),
        v: trainedOf(model).map(([name, v]) => take(`adam.v/${name}`, v.shape)),
        ...(trainerMeta.accBeta ? { accBeta: trainerMeta.accBeta } : {}),
      },
    };
    return { model, meta, trainer };
  } catch (e) {
    model.dispose();
    throw e;
  }
}
