// `npm run bench-kernels [-- --threads 1,2]`: the native addon's kernels one by one at the seed
// model's sizes (batch 128, 784-500-500-20), for each thread count: the step's products in
// GFLOP/s and the elementwise kernels (the NLL and its gradient, the activation gradient, Adam over
// the model's 1.3 M parameters, the dropout draws) in ns a value. Thread counts alternate round by
// round so that each sees the same machine; the median of the rounds is printed. Then the same
// elementwise kernels compiled to WebAssembly (what the wasm backend runs without the addon), on one
// thread, on a memory of their own.
import { cores, loadNative, nativeUnavailableReason } from '../lib/core/kernels/native';
import { WasmKernels, WebAssemblyApi } from '../lib/core/kernels/wasm_kernels';
import { LOG_CLIP, LOGIT_CLIP } from '../lib/core/likelihood';

const ROUNDS = 5;
const BATCH = 128, X = 784, H = 500, Z = 20;

function parseThreads(argv: string[]): number[] {
  const i = argv.indexOf('--threads');
  const spec = i >= 0 ? argv[i + 1] : [...new Set([1, cores()])].join(',');
  const list = (spec ?? '').split(',').map(Number);
  if (list.some((t) => !Number.isInteger(t) || t < 1 || t > 1024)) {
    console.error(`--threads must be integers in [1, 1024], comma-separated, got '${spec ?? ''}'`);
    process.exit(2);
  }
  return list;
}

function random(n: number, lo = -1, hi = 1): Float32Array {
  const a = new Float32Array(n);
  let s = 12345;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    a[i] = lo + ((hi - lo) * s) / 4294967296;
  }
  return a;
}

/** Milliseconds per call of fn, over enough calls to take ~0.2 s. */
function time(fn: () => void): number {
  for (let i = 0; i < 5; i++) fn();
  let reps = 10;
  for (;;) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < reps; i++) fn();
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    if (ms > 200 || reps > 1e6) return ms / reps;
    reps *= 4;
  }
}

const median = (xs: number[]) => [...xs].sort((p, q) => p - q)[Math.floor(xs.length / 2)];
const PARAMS = 2 * X * H + 2 * H * H + 3 * Z * H + 4 * H + 2 * Z + X;

/** The WebAssembly kernels on a shared memory of their own (a bump allocator), one thread. */
function wasmKernelTable(): void {
  const memory = new WebAssemblyApi.Memory({ initial: 1024, maximum: 65536, shared: true }); // 64 MiB
  let top = 1 << 16;
  const alloc = (bytes: number) => ((top += (bytes + 15) & ~15) - ((bytes + 15) & ~15));
  const kernels = new WasmKernels(memory, alloc);
  const heap = (src: Float32Array) => {
    const view = new Float32Array(memory.buffer, alloc(4 * src.length), src.length);
    view.set(src);
    return view;
  };
  const x = heap(random(BATCH * X, 0, 1)), logits = heap(random(BATCH * X, -6, 6)), out = heap(new Float32Array(BATCH * X));
  const dNll = heap(random(BATCH, 0.5, 1.5)), nll = heap(new Float32Array(BATCH)), db = heap(new Float32Array(X)), b = heap(random(X));
  const w = heap(random(PARAMS)), wOut = heap(new Float32Array(PARAMS)), g = heap(random(PARAMS, -1e-3, 1e-3)), m = heap(new Float32Array(PARAMS)), v = heap(new Float32Array(PARAMS));
  const list: [string, number, () => void][] = [
    ['Bernoulli NLL', BATCH * X, () => kernels.bernoulliNll(x, logits, nll, BATCH, X, false, LOG_CLIP, LOGIT_CLIP)],
    ['Bernoulli NLL gradient', BATCH * X, () => kernels.bernoulliNllGrad(dNll, x, logits, out, BATCH, X, false, LOG_CLIP, LOGIT_CLIP)],
    ['cont. Bernoulli NLL', BATCH * X, () => kernels.bernoulliNll(x, logits, nll, BATCH, X, true, LOG_CLIP, LOGIT_CLIP)],
    ['cont. Bernoulli NLL gradient', BATCH * X, () => kernels.bernoulliNllGrad(dNll, x, logits, out, BATCH, X, true, LOG_CLIP, LOGIT_CLIP)],
    ['tanh gradient (dPre, db)', BATCH * X, () => kernels.activationGrad(logits, x, null, out, db, BATCH, X, 2)],
    ['dense: bias, tanh, mask', BATCH * X, () => kernels.denseEpilogue(out, b, x, BATCH, X, 2)],
    ['Adam (into new weights)', PARAMS, () => kernels.adamInto(wOut, w, g, m, v, 1e-3, 0.9, 0.999, 0.1, 0.001, 1e-8)],
  ];
  const results = list.map(() => [] as number[]);
  for (let r = 0; r < ROUNDS; r++) list.forEach(([, , fn], i) => results[i].push(time(fn)));
  console.log(`\nthe same loops compiled to WebAssembly (SIMD; the wasm backend's without the addon), 1 thread, ${ROUNDS} rounds, median`);
  for (const [i, [name, work]] of list.entries()) console.log(name.padEnd(32) + `${((median(results[i]) * 1e6) / work).toFixed(2)} ns/value`.padStart(22));
}

function main(): void {
  const native = loadNative();
  if (!native) {
    console.log(`native kernels not in use: ${nativeUnavailableReason()}`);
    wasmKernelTable();
    return;
  }
  const threads = parseThreads(process.argv.slice(2));
  const x = random(BATCH * X, 0, 1), logits = random(BATCH * X, -6, 6), out = new Float32Array(BATCH * X);
  const dNll = random(BATCH, 0.5, 1.5), nll = new Float32Array(BATCH), db = new Float32Array(X);
  const w = random(PARAMS), g = random(PARAMS, -1e-3, 1e-3), m = new Float32Array(PARAMS), v = new Float32Array(PARAMS);
  const state = Int32Array.of(7);
  const a = random(BATCH * X), b = random(X * H), c = new Float32Array(X * H);
  // [name, values (or multiply-adds for products), call]
  const kernels: [string, number, () => void][] = [
    ['product 128x784 . 784x500', BATCH * X * H, () => native.sgemm(false, false, BATCH, H, X, a, b, c.subarray(0, BATCH * H))],
    ['product 128x500 . (784x500)^T', BATCH * X * H, () => native.sgemm(false, true, BATCH, X, H, a.subarray(0, BATCH * H), b, c.subarray(0, BATCH * X))],
    ['product (128x784)^T . 128x500', BATCH * X * H, () => native.sgemm(true, false, X, H, BATCH, a, b.subarray(0, BATCH * H), c)],
    ['Bernoulli NLL', BATCH * X, () => native.bernoulliNll(x, logits, nll, BATCH, X, false, LOG_CLIP, LOGIT_CLIP)],
    ['Bernoulli NLL gradient', BATCH * X, () => native.bernoulliNllGrad(dNll, x, logits, out, BATCH, X, false, LOG_CLIP, LOGIT_CLIP)],
    ['cont. Bernoulli NLL', BATCH * X, () => native.bernoulliNll(x, logits, nll, BATCH, X, true, LOG_CLIP, LOGIT_CLIP)],
    ['cont. Bernoulli NLL gradient', BATCH * X, () => native.bernoulliNllGrad(dNll, x, logits, out, BATCH, X, true, LOG_CLIP, LOGIT_CLIP)],
    ['tanh gradient (dPre, db)', BATCH * X, () => native.activationGrad(logits, x, null, out, db, BATCH, X, 2)],
    ['Adam', PARAMS, () => native.adam(w, g, m, v, 1e-3, 0.9, 0.999, 0.1, 0.001, 1e-8)],
    ['dropout draws', BATCH * X, () => native.bernoulliFill(state, out, 0.9, 1 / 0.9)],
  ];
  const results = kernels.map(() => threads.map(() => [] as number[]));
  for (let r = 0; r < ROUNDS; r++) {
    for (const [ti, t] of threads.entries()) {
      native.threads(t);
      for (const [ki, [, , fn]] of kernels.entries()) results[ki][ti].push(time(fn));
    }
  }
  console.log(`native kernels, ${ROUNDS} rounds alternating thread counts, median; ${cores()} cores`);
  console.log(['kernel'.padEnd(32), ...threads.map((t) => `${t} thread${t > 1 ? 's' : ''}`.padStart(22))].join(''));
  for (const [ki, [name, work]] of kernels.entries()) {
    const isProduct = name.startsWith('product');
    const cells = results[ki].map((rs) => {
      const ms = median(rs);
      return (isProduct ? `${((2 * work) / ms / 1e6).toFixed(1)} GFLOP/s` : `${((ms * 1e6) / work).toFixed(2)} ns/value`).padStart(22);
    });
    const speedup = threads.length > 1 ? `  (${(median(results[ki][0]) / median(results[ki][threads.length - 1])).toFixed(2)}x)` : '';
    console.log(name.padEnd(32) + cells.join('') + speedup);
  }
  wasmKernelTable();
}

main();
