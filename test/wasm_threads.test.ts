// The wasm backend without the native addon runs tfjs's threaded build (lib/core/kernels/wasm_threaded.ts):
// on 1, 2 and 3 threads every product (each transpose, odd batches) and a seeded training run give
// the same bits, products equal tfjs's cpu kernels to float rounding, the engine line names the
// threads, and the process ends by itself. And the plan of each product (lib/core/kernels/wasm_matmul.ts).
import { spawnSync } from 'child_process';
import * as path from 'path';
import { cores } from '../lib/core/kernels/native';
import { plainProductPlan } from '../lib/core/kernels/wasm_matmul';

const ROOT = path.join(__dirname, '..');
const THREADS = [1, 2, 3];

interface ChildResult { engine: string; products: { shape: string; bits: string; relDiff: number }[]; weights: string[] }

function runChild(threads: number): ChildResult {
  const r = spawnSync(process.execPath, ['-r', 'ts-node/register/transpile-only', path.join(__dirname, 'wasm_threads_child.ts')], {
    cwd: ROOT, encoding: 'utf8', timeout: 90000, env: { ...process.env, VAE_NATIVE: '0', VAE_THREADS: String(threads), TS_NODE_TRANSPILE_ONLY: 'true' },
  });
  // Ends by itself (a timeout would leave status null and a signal).
  expect({ threads, status: r.status, signal: r.signal, error: r.status === 0 ? '' : r.stderr.slice(-500) }).toEqual({ threads, status: 0, signal: null, error: '' });
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as ChildResult;
}

describe('wasm without the addon, on its threaded build', () => {
  test('1, 2 and 3 threads: the same products and the same training run, bit for bit; products as tfjs cpu computes them', () => {
    const results = THREADS.map(runChild);
    results.forEach((r, i) => {
      const over = THREADS[i] > cores() ? ` (more than the machine's ${cores()} cores: they will take turns)` : '';
      expect(r.engine).toBe(`engine: wasm, without the native kernels (turned off by VAE_NATIVE=0), ${THREADS[i]} thread${THREADS[i] === 1 ? '' : 's'}${over}`);
      expect(r.products).toHaveLength(7 * 4);
      for (const p of r.products) expect({ shape: p.shape, close: p.relDiff < 1e-5 }).toEqual({ shape: p.shape, close: true });
      expect(r.products.map((p) => p.bits)).toEqual(results[0].products.map((p) => p.bits));
      expect(r.weights).toEqual(results[0].weights);
    });
    // One digest per variable, none alike: the run's variables were all read back (not one buffer or an empty one).
    expect(new Set(results[0].weights).size).toBe(results[0].weights.length);
  }, 300000);

  test('a product repacks the smaller operand: the seed layers\' forward and input gradients swapped, weight gradients direct', () => {
    // Forward x W (128 x 784 . 784 x 500), the input gradient dY W^T, the weight gradient X^T dY.
    expect(plainProductPlan(128, 784, 500, false, false)).toBe('swapped');
    expect(plainProductPlan(128, 500, 784, false, true)).toBe('swapped');
    expect(plainProductPlan(784, 128, 500, true, false)).toBe('direct');
    // A product whose second operand is the small one stays as it is.
    expect(plainProductPlan(1000, 20, 500, false, false)).toBe('direct');
    expect(plainProductPlan(5000, 500, 784, false, false)).toBe('direct');
  });
});
