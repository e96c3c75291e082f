// Run by test/wasm_threads.test.ts in a process of its own with VAE_NATIVE=0 and VAE_THREADS set:
// tfjs's threaded wasm build on that many threads. Prints one JSON line: the engine; every product
// shape and transpose of the checks, its float32 bits (a digest), and its largest relative difference
// from tfjs's cpu kernels; each variable's bits (a digest) after 5 seeded training steps.
import { createHash } from 'crypto';
import * as tf from '@tensorflow/tfjs';
import { createVae, currentEngine, describeEngine, initBackend, makeConfig, Trainer } from '../lib/index';
import { maxRelDiff, smallMnist } from './helpers';

/** Seed's layer shapes (m x k x n), odd batches (1, 3, 127: the last partial batch) and a tiny one. */
const SHAPES: [number, number, number][] = [[128, 784, 500], [128, 500, 784], [784, 128, 500], [1, 500, 784], [3, 784, 500], [127, 20, 500], [5, 7, 3]];

/** A float32 array's bits, as a SHA-256 digest. */
const bits = (a: Float32Array) => createHash('sha256').update(Buffer.from(a.buffer, a.byteOffset, a.byteLength)).digest('hex');

function operand(rows: number, cols: number, seed: number): tf.Tensor2D {
  return tf.randomUniform([rows, cols], -1, 1, 'float32', seed) as tf.Tensor2D;
}

async function main(): Promise<void> {
  const products: { shape: string; bits: string; relDiff: number }[] = [];
  for (const [m, k, n] of SHAPES) {
    for (const ta of [false, true]) {
      for (const tb of [false, true]) {
        await initBackend('cpu');
        const a = ta ? operand(k, m, 1) : operand(m, k, 1), b = tb ? operand(n, k, 2) : operand(k, n, 2);
        const ref = tf.matMul(a, b, ta, tb).dataSync() as Float32Array;
        const [av, bv] = [a.dataSync(), b.dataSync()];
        await initBackend('wasm');
        const c = tf.matMul(tf.tensor2d(av, a.shape), tf.tensor2d(bv, b.shape), ta, tb).dataSync() as Float32Array;
        products.push({ shape: `${m}x${k}x${n}${ta ? ' tA' : ''}${tb ? ' tB' : ''}`, bits: bits(c), relDiff: maxRelDiff(c, ref) });
      }
    }
  }
  const data = smallMnist(1000, 100);
  const config = makeConfig({ dimZ: 8, nHidden: 64, batchSize: 100, numEpochs: 1 });
  const model = createVae(config, 3);
  const trainer = new Trainer(model, config, data);
  for (let s = 0; s < 5; s++) trainer.step(data.train.images.subarray(s * 100 * 784, (s + 1) * 100 * 784));
  const weights = model.trainableVariables().map((v) => bits(v.dataSync() as Float32Array));
  console.log(JSON.stringify({ engine: describeEngine(currentEngine()).split('\n')[0], products, weights }));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
