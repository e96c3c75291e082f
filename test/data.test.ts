import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as zlib from 'zlib';
import { DataError, DIM_IMG, gatherRows, loadMnist, parseIdxImages, parseIdxLabels } from '../lib/index';
import { idxImages, idxLabels, realMnist } from './helpers';

describe('IDX parsing', () => {
  test('reads images scaled to [0, 1], row-major', () => {
    const { images, n } = parseIdxImages(idxImages(3), 'f');
    expect(n).toBe(3);
    expect(images.length).toBe(3 * DIM_IMG);
    expect(images[0]).toBe(0);
    expect(images[DIM_IMG + 1]).toBeCloseTo(2 / 255, 7); // image 1, pixel 1
    expect(images[255]).toBeCloseTo(1, 7);
  });

  test('reads labels', () => {
    expect(Array.from(parseIdxLabels(idxLabels([3, 1, 4]), 'f'))).toEqual([3, 1, 4]);
  });

  test('wrong magic number names the file and what was expected', () => {
    expect(() => parseIdxImages(idxImages(2, { magic: 0x801 }), 'imgs')).toThrow(
      'imgs: wrong magic number 0x00000801, expected 0x00000803 (IDX images)',
    );
    expect(() => parseIdxLabels(idxLabels([1], 0x803), 'lbls')).toThrow('lbls: wrong magic number 0x00000803, expected 0x00000801');
  });

  test('truncated files are errors', () => {
    const full = idxImages(4);
    expect(() => parseIdxImages(full.subarray(0, full.length - 1), 'imgs')).toThrow(
      `imgs: truncated: ${full.length - 1} bytes, expected ${full.length} for 4 images`,
    );
    expect(() => parseIdxImages(full.subarray(0, 10), 'imgs')).toThrow('imgs: truncated: 10 bytes');
    expect(() => parseIdxLabels(idxLabels([1, 2, 3]).subarray(0, 9), 'l')).toThrow('l: truncated: 9 bytes, expected 11 for 3 labels');
  });

  test('a file longer than its header announces is an error (dimensions that disagree with the length)', () => {
    const full = idxImages(4);
    expect(() => parseIdxImages(Buffer.concat([full, Buffer.alloc(784)]), 'imgs')).toThrow(
      `imgs: ${full.length + 784} bytes, more than the ${full.length} its header announces (4 images): not an IDX file as written`,
    );
    expect(() => parseIdxImages(idxImages(4, { count: 3 }), 'imgs')).toThrow('more than the');
    expect(() => parseIdxLabels(Buffer.concat([idxLabels([1, 2]), Buffer.from([3])]), 'l')).toThrow('l: 11 bytes, more than the 10 its header announces (2 labels)');
  });

  test('wrong dimensions, counts and labels are errors', () => {
    expect(() => parseIdxImages(idxImages(1, { rows: 32, cols: 32 }), 'i')).toThrow('i: images are 32x32, expected 28x28');
    expect(() => parseIdxImages(idxImages(2), 'i', 60000)).toThrow('i: holds 2 images, expected 60000');
    expect(() => parseIdxLabels(idxLabels([1, 12]), 'l')).toThrow('l: label 1 is 12, expected a digit 0-9');
  });
});

describe('loadMnist', () => {
  test('real MNIST: 55,000 / 5,000 / 10,000, grayscale in [0, 1], validation = first 5,000 of the training file', () => {
    const d = realMnist();
    expect([d.train.n, d.validation.n, d.test.n]).toEqual([55000, 5000, 10000]);
    expect(d.train.images.length).toBe(55000 * DIM_IMG);
    // Known first labels of the original files.
    expect(Array.from(d.validation.labels.subarray(0, 10))).toEqual([5, 0, 4, 1, 9, 2, 1, 3, 1, 4]);
    expect(Array.from(d.test.labels.subarray(0, 10))).toEqual([7, 2, 1, 0, 4, 1, 4, 9, 5, 9]);
    let min = Infinity, max = -Infinity, fractional = 0;
    for (const v of d.test.images) {
      min = Math.min(min, v);
      max = Math.max(max, v);
      if (v > 0 && v < 1) fractional++;
    }
    expect([min, max]).toEqual([0, 1]);
    expect(fractional).toBeGreaterThan(100000); // grayscale, not binarized
  });

  function writeDataset(dir: string, gz: boolean, overrides: Record<string, Buffer> = {}) {
    const files: Record<string, Buffer> = {
      'train-images-idx3-ubyte': idxImages(60000),
      'train-labels-idx1-ubyte': idxLabels(Array.from({ length: 60000 }, (_, i) => i % 10)),
      't10k-images-idx3-ubyte': idxImages(10000),
      't10k-labels-idx1-ubyte': idxLabels(Array.from({ length: 10000 }, (_, i) => (i * 3) % 10)),
      ...overrides,
    };
    for (const [name, buf] of Object.entries(files)) {
      fs.writeFileSync(path.join(dir, gz ? `${name}.gz` : name), gz ? zlib.gzipSync(buf) : buf);
    }
  }

  test('reads a user directory of .gz files and splits it', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mnist-'));
    writeDataset(dir, true);
    const d = loadMnist(dir);
    expect([d.train.n, d.validation.n, d.test.n]).toEqual([55000, 5000, 10000]);
    expect(d.train.labels[0]).toBe(5000 % 10);
    expect(d.test.labels[1]).toBe(3);
    expect(d.train.images[0]).toBeCloseTo((5000 % 256) / 255, 6);
  });

  test('a missing or wrong file is one error naming it', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mnist-'));
    expect(() => loadMnist(path.join(dir, 'nope'))).toThrow(`${path.join(dir, 'nope')}: data directory not found`);
    expect(() => loadMnist(dir)).toThrow(`${path.join(dir, 'train-images-idx3-ubyte')}: file not found`);
    writeDataset(dir, false, { 't10k-images-idx3-ubyte': idxImages(100) });
    expect(() => loadMnist(dir)).toThrow(DataError);
    expect(() => loadMnist(dir)).toThrow(`${path.join(dir, 't10k-images-idx3-ubyte')}: holds 100 images, expected 10000`);
  });

  test('gatherRows copies the chosen images into the batch buffer', () => {
    const d = realMnist();
    const out = gatherRows(d.test, [3, 0], new Float32Array(2 * DIM_IMG));
    expect(Array.from(out.subarray(0, DIM_IMG))).toEqual(Array.from(d.test.images.subarray(3 * DIM_IMG, 4 * DIM_IMG)));
    expect(Array.from(out.subarray(DIM_IMG))).toEqual(Array.from(d.test.images.subarray(0, DIM_IMG)));
  });
});
