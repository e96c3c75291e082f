// Shared test fixtures: backend start-up, synthetic IDX files and small real MNIST slices.
import * as tf from '@tensorflow/tfjs';
import * as net from 'net';
import { initBackend, loadMnist, Mnist, sliceSplit } from '../lib/index';

export function useBackend(): void {
  beforeAll(async () => {
    await initBackend();
  });
}

/** An IDX image file of n 28x28 images whose pixel i of image k is (k + i) mod 256. */
export function idxImages(n: number, opts: { magic?: number; rows?: number; cols?: number; count?: number } = {}): Buffer {
  const rows = opts.rows ?? 28;
  const cols = opts.cols ?? 28;
  const buf = Buffer.alloc(16 + n * rows * cols);
  buf.writeUInt32BE(opts.magic ?? 0x803, 0);
  buf.writeUInt32BE(opts.count ?? n, 4);
  buf.writeUInt32BE(rows, 8);
  buf.writeUInt32BE(cols, 12);
  for (let k = 0; k < n; k++) for (let i = 0; i < rows * cols; i++) buf[16 + k * rows * cols + i] = (k + i) % 256;
  return buf;
}

export function idxLabels(labels: number[], magic = 0x801): Buffer {
  const buf = Buffer.alloc(8 + labels.length);
  buf.writeUInt32BE(magic, 0);
  buf.writeUInt32BE(labels.length, 4);
  labels.forEach((l, i) => (buf[8 + i] = l));
  return buf;
}

let mnist: Mnist | undefined;
/** Real MNIST, loaded once per test file. */
export function realMnist(): Mnist {
  return (mnist ??= loadMnist());
}

/** The first n training and m test images of real MNIST. */
export function smallMnist(n: number, m: number) {
  const d = realMnist();
  return { train: sliceSplit(d.train, 0, n), test: sliceSplit(d.test, 0, m), validation: sliceSplit(d.validation, 0, m) };
}

export function values(t: tf.Tensor): number[] {
  return Array.from(t.dataSync());
}

/** A TCP port free on loopback now (for a server a test starts). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}


/** The largest absolute difference of a from b, relative to b's largest magnitude. */
export function maxRelDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`lengths differ: ${a.length} and ${b.length}`);
  let scale = 0, diff = 0;
  for (let i = 0; i < a.length; i++) {
    scale = Math.max(scale, Math.abs(b[i]));
    diff = Math.max(diff, Math.abs(a[i] - b[i]));
  }
  return diff / scale;
}
