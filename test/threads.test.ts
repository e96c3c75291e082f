// The native kernels split over 1, 2 and 3 threads: every kernel gives the one-thread result bit
// for bit (the work is cut by the machine's cores, not by the threads, and each part is computed
// alone), for odd sizes too; training
// with 2 threads is the same run as with 1; a process with the pool running exits by itself and
// on Ctrl-C; bad thread counts are refused.
import { spawn, spawnSync } from 'child_process';
import * as path from 'path';
import { createVae, importanceSampledLogLikelihood, initBackend, makeConfig, sliceSplit, Trainer } from '../lib/index';
import { smallMnist } from './helpers';
import { defaultThreads, loadNative, setThreads, threadsInUse } from '../lib/core/kernels/native';
import { LOG_CLIP, LOGIT_CLIP } from '../lib/core/likelihood';

const native = loadNative();
const ROOT = path.join(__dirname, '..');
const THREADS = [1, 2, 3];

/** Deterministic values in [lo, hi): a 32-bit LCG. */
function values(n: number, seed: number, lo = -1, hi = 1): Float32Array {
  const a = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    a[i] = lo + ((hi - lo) * s) / 4294967296;
  }
  return a;
}

/** Runs `compute` once per thread count (it returns its outputs) and expects every result to equal the first's, bit for bit. */
function sameForEveryThreadCount(compute: () => Float32Array[]): void {
  const results = THREADS.map((t) => {
    setThreads(t);
    return compute();
  });
  setThreads(defaultThreads());
  for (const [i, r] of results.entries()) {
    r.forEach((out, j) => expect({ threads: THREADS[i], output: j, equal: Buffer.from(out.buffer).equals(Buffer.from(results[0][j].buffer)) }).toEqual({ threads: THREADS[i], output: j, equal: true }));
  }
}

(native ? describe : describe.skip)('native kernels across thread counts', () => {
  afterAll(() => setThreads(defaultThreads()));

  test('threads(n) sets the pool and reports it; the default is the machine\'s cores or $VAE_THREADS', () => {
    expect(setThreads(3)).toBe(3);
    expect(threadsInUse()).toBe(3);
    expect(setThreads(1)).toBe(1);
    expect(() => setThreads(0)).toThrow('threads must be an integer in [1, 1024], got 0');
    expect(() => setThreads(2.5)).toThrow('threads must be an integer in [1, 1024], got 2.5');
    expect(() => native!.threads(2000)).toThrow('threads: expected at most 1024 threads');
    const before = process.env.VAE_THREADS;
    try {
      process.env.VAE_THREADS = '3';
      expect(defaultThreads()).toBe(3);
      process.env.VAE_THREADS = 'many';
      expect(() => defaultThreads()).toThrow("VAE_THREADS must be an integer in [1, 1024], got 'many'");
    } finally {
      if (before === undefined) delete process.env.VAE_THREADS;
      else process.env.VAE_THREADS = before;
    }
  });

  // Shapes of the seed's step (batch 128: 784-500-40, 20-500-784), odd batches (1, 3, 127: the last
  // partial batch), a product too small to split and one of importance sampling's size.
  const SHAPES: [number, number, number][] = [[128, 500, 784], [784, 500, 128], [128, 784, 500], [128, 40, 500], [1, 500, 784], [3, 784, 500], [127, 500, 20], [5, 7, 3], [5000, 784, 500]];
  test.each(SHAPES)('sgemm %i x %i x %i, every transpose: the same bits on 1, 2 and 3 threads', (m, n, k) => {
    for (const ta of [false, true]) {
      for (const tb of [false, true]) {
        const a = values(m * k, 1), b = values(k * n, 2);
        sameForEveryThreadCount(() => {
          const c = new Float32Array(m * n);
          native!.sgemm(ta, tb, m, n, k, a, b, c);
          return [c];
        });
      }
    }
  });

  test('sgemm with k = 0 gives zeros, as a product over nothing', () => {
    const c = new Float32Array(6).fill(7);
    native!.sgemm(false, false, 2, 3, 0, new Float32Array(0), new Float32Array(0), c);
    expect(Array.from(c)).toEqual([0, 0, 0, 0, 0, 0]);
  });

  test.each([[128, 784, 500], [1, 784, 500], [3, 20, 500], [127, 500, 500]])('dense and its gradient (%i x %i -> %i; denseGrad too), each activation, with and without dropout: the same bits', (m, k, n) => {
    const x = values(m * k, 3), w = values(k * n, 4, -0.1, 0.1), b = values(n, 5), mask = values(m * n, 6, 0, 1).map((u) => (u < 0.9 ? 1 / 0.9 : 0));
    const dy = values(m * n, 7);
    for (const act of [0, 1, 2]) {
      for (const dropout of [null, mask]) {
        sameForEveryThreadCount(() => {
          const y = new Float32Array(m * n), dPre = new Float32Array(m * n), db = new Float32Array(n);
          native!.dense(x, w, b, dropout, y, m, k, n, act);
          native!.activationGrad(dy, y, dropout, dPre, db, m, n, act);
          const [dPre2, db2, dx, dW] = [new Float32Array(m * n), new Float32Array(n), new Float32Array(m * k), new Float32Array(k * n)];
          native!.denseGrad(dy, y, dropout, x, w, dPre2, db2, dx, dW, m, k, n, act); // with both products' parts in one call of the pool
          return [y, dPre, db, dPre2, db2, dx, dW];
        });
      }
    }
  });

  test.each([[128, 784], [1, 784], [3, 784], [127, 784], [1000, 784]])('the (continuous) Bernoulli NLL and its gradient for %i images: the same bits', (m, n) => {
    const x = values(m * n, 8, 0, 1), logits = values(m * n, 9, -25, 25), dNll = values(m, 10, 0.5, 1.5);
    for (const continuous of [false, true]) {
      sameForEveryThreadCount(() => {
        const nll = new Float32Array(m), dl = new Float32Array(m * n);
        native!.bernoulliNll(x, logits, nll, m, n, continuous, LOG_CLIP, LOGIT_CLIP);
        native!.bernoulliNllGrad(dNll, x, logits, dl, m, n, continuous, LOG_CLIP, LOGIT_CLIP);
        return [nll, dl];
      });
    }
  });

  test.each([1, 17, 100352, 1_300_000])('Adam over %i parameters and dropout draws over as many values: the same bits', (n) => {
    const g = values(n, 11, -1e-2, 1e-2);
    sameForEveryThreadCount(() => {
      const w = values(n, 12), m = new Float32Array(n), v = new Float32Array(n);
      for (let t = 1; t <= 3; t++) native!.adam(w, g, m, v, 1e-3, 0.9, 0.999, 1 - 0.9 ** t, 1 - 0.999 ** t, 1e-8);
      const state = Int32Array.of(42), out = new Float32Array(n);
      native!.bernoulliFill(state, out, 0.9, 1 / 0.9);
      return [w, m, v, out, new Float32Array(state.buffer)];
    });
  });

  test('a seeded training run on 2 threads is the run on 1 thread, bit for bit', async () => {
    await initBackend('wasm');
    const data = smallMnist(1000, 100);
    const config = makeConfig({ dimZ: 8, nHidden: 64, batchSize: 100, numEpochs: 1 });
    sameForEveryThreadCount(() => {
      const model = createVae(config, 3);
      const trainer = new Trainer(model, config, data);
      for (let s = 0; s < 5; s++) trainer.step(data.train.images.subarray(s * 100 * 784, (s + 1) * 100 * 784));
      const weights = model.trainableVariables().map((v) => v.dataSync() as Float32Array);
      model.dispose();
      return weights;
    });
  });

  test('importance sampling on 1 and 2 threads: the same estimate, and the threads in force restored after', async () => {
    await initBackend('wasm');
    const data = smallMnist(100, 40);
    const model = createVae(makeConfig({ dimZ: 8, nHidden: 64 }), 4);
    setThreads(3);
    const [one, two] = [1, 2].map((threads) => importanceSampledLogLikelihood(model, sliceSplit(data.test, 0, 40), { k: 30, seed: 5, threads }));
    expect(threadsInUse()).toBe(3);
    expect(Number.isFinite(one)).toBe(true);
    expect(two).toBe(one);
    model.dispose();
  });

  test('a process whose pool is running ends by itself, and on SIGINT', async () => {
    const script = "const n = require('./lib/core/kernels/native').loadNative(); n.threads(3); const a = new Float32Array(512 * 512); " +
      'for (let i = 0; i < 20; i++) n.sgemm(false, false, 512, 512, 512, a, a, new Float32Array(512 * 512));';
    const ends = spawnSync(process.execPath, ['-r', 'ts-node/register/transpile-only', '-e', `${script} console.log('done')`], { cwd: ROOT, encoding: 'utf8', timeout: 30000 });
    expect({ status: ends.status, signal: ends.signal, out: ends.stdout.trim() }).toEqual({ status: 0, signal: null, out: 'done' });

    // Kernels in a loop, then Ctrl-C: the default SIGINT ends the process, workers and all.
    const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', '-e', `${script} console.log('ready'); for (;;) n.sgemm(false, false, 512, 512, 512, a, a, new Float32Array(512 * 512));`], { cwd: ROOT });
    await new Promise<void>((resolve) => child.stdout.on('data', (d: Buffer) => d.toString().includes('ready') && resolve()));
    const exited = new Promise<string | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
    child.kill('SIGINT');
    const timeout = new Promise<string>((resolve) => setTimeout(() => resolve('still running after 10 s'), 10000));
    expect(await Promise.race([exited, timeout])).toBe('SIGINT');
  }, 60000);
});
