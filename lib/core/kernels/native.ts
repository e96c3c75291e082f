// Loads the optional OpenBLAS addon (native/, built by `npm install` when OpenBLAS is present).
// VAE_NATIVE=0 turns it off. OpenBLAS reads its settings when it loads, so they are set here first.
// The addon splits every kernel call over a pool of threads: as many as the machine has cores,
// unless VAE_THREADS or setThreads (the CLI's --threads) says otherwise; without the addon the
// same count goes to the wasm backend's own pool (./wasm_threaded.ts).
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { setWasmThreads, wasmThreads } from './wasm_threaded';

export interface NativeAddon {
  /** C (m x n) = op(A) (m x k) * op(B) (k x n), row-major; op = transpose when the flag is set. */
  sgemm(transA: boolean, transB: boolean, m: number, n: number, k: number, a: Float32Array, b: Float32Array, c: Float32Array): void;
  /** One Adam step in place (see lib/core/optimizer.ts); c1 = 1 - beta1^t, c2 = 1 - beta2^t. */
  adam(w: Float32Array, g: Float32Array, m: Float32Array, v: Float32Array, lr: number, beta1: number, beta2: number, c1: number, c2: number, eps: number): void;
  /** y (m x n) = act(x w + b) * mask; act 0 linear, 1 ELU, 2 tanh; mask null: none. */
  dense(x: Float32Array, w: Float32Array, b: Float32Array, mask: Float32Array | null, y: Float32Array, m: number, k: number, n: number, act: number): void;
  /** dPre = dy * mask * act'(y / mask); db = column sums of dPre. */
  activationGrad(dy: Float32Array, y: Float32Array, mask: Float32Array | null, dPre: Float32Array, db: Float32Array, m: number, n: number, act: number): void;
  /** dense's backward: dPre and db as activationGrad, then dx = dPre w^T (m x k; skipped when null) and dW = x^T dPre (k x n), both products on the pool at once. */
  denseGrad(dy: Float32Array, y: Float32Array, mask: Float32Array | null, x: Float32Array, w: Float32Array, dPre: Float32Array, db: Float32Array, dx: Float32Array | null, dW: Float32Array, m: number, k: number, n: number, act: number): void;
  /** nll (m) of targets x (m x n) under Bernoulli logits, the seed's clip in log space; `continuous`: the continuous Bernoulli's. */
  bernoulliNll(x: Float32Array, logits: Float32Array, nll: Float32Array, m: number, n: number, continuous: boolean, logClip: number, logitClip: number): void;
  /** dLogits = dNll_i * d nll_i / d logits. */
  bernoulliNllGrad(dNll: Float32Array, x: Float32Array, logits: Float32Array, dLogits: Float32Array, m: number, n: number, continuous: boolean, logClip: number, logitClip: number): void;
  /** out[i] = value with probability p, else 0: mulberry32 draws from state[0], as Rng.next() < p. */
  bernoulliFill(state: Int32Array, out: Float32Array, p: number, value: number): void;
  /** Sets the threads every kernel call is split over (1..1024; 0 only reads); returns the number in force. */
  threads(n: number): number;
  blasConfig: string;
}

const ADDON = path.join(__dirname, '..', '..', '..', 'build', 'Release', 'vae_native.node');

/** Whether the CPU has AVX-512 (Linux's /proc/cpuinfo; false elsewhere). */
export function hasAvx512(): boolean {
  try {
    return /\bavx512f\b/.test(fs.readFileSync('/proc/cpuinfo', 'utf8'));
  } catch {
    return false;
  }
}

let cached: NativeAddon | null | undefined;
let whyNot: string | null = null;

/** Why the addon is not in use (not built, turned off, or the reason it failed to load), or null when it is. */
export function nativeUnavailableReason(): string | null {
  loadNative();
  return whyNot;
}

/** The addon, or null when it is not built, cannot load, or VAE_NATIVE=0 (nativeUnavailableReason says which). */
export function loadNative(): NativeAddon | null {
  if (cached !== undefined) return cached;
  if (process.env.VAE_NATIVE === '0') return fail('turned off by VAE_NATIVE=0');
  if (!fs.existsSync(ADDON)) return fail(`not built (${path.relative(process.cwd(), ADDON)} missing)`);
  // OpenBLAS on one thread: the addon's pool splits each product into single-threaded sgemm calls
  // (OpenBLAS's own threads gain little at our sizes, 128 x 784 x 500). Debian's OpenBLAS 0.3.21 does not recognise AVX-512 AMD EPYCs and falls back
  // to AVX2 kernels; SkylakeX's AVX-512 kernels run them twice as fast. Users' settings win.
  // OpenBLAS reads these when it loads: set for that moment only, not for child processes.
  const settings: Record<string, string> = { OPENBLAS_NUM_THREADS: '1', ...(hasAvx512() ? { OPENBLAS_CORETYPE: 'SkylakeX' } : {}) };
  const set = Object.keys(settings).filter((k) => process.env[k] === undefined);
  for (const k of set) process.env[k] = settings[k];
  try {
    cached = require(ADDON) as NativeAddon;
  } catch (e) {
    return fail(`failed to load: ${(e as Error).message.split('\n')[0]}`);
  } finally {
    for (const k of set) delete process.env[k];
  }
  cached.threads(defaultThreads());
  return cached;
}

/** The machine's cores (what the OS lets this process use). */
export function cores(): number {
  return os.availableParallelism?.() ?? os.cpus().length;
}

/** The most threads we accept: far more than any machine's cores, fewer than would exhaust one. */
export const MAX_THREADS = 1024;

/** Why a thread count is not acceptable, or null: an integer in [1, MAX_THREADS]. */
export function threadsProblem(value: unknown): string | null {
  return typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= MAX_THREADS ? null : `an integer in [1, ${MAX_THREADS}]`;
}

/** $VAE_THREADS when set (it must be a thread count), else the machine's cores. */
export function defaultThreads(): number {
  const env = process.env.VAE_THREADS;
  if (env === undefined || env === '') return cores();
  const n = /^\s*\d+\s*$/.test(env) ? Number(env) : NaN;
  if (threadsProblem(n)) throw new Error(`VAE_THREADS must be ${threadsProblem(n)}, got '${env}'`);
  return n;
}

/**
 * Sets the threads a step is split over: the native kernels' pool, or without the addon the wasm
 * backend's (XNNPACK's, made once: set before the backend starts, see ./wasm_threaded.ts); returns the number in force.
 */
export function setThreads(n: number): number {
  const problem = threadsProblem(n);
  if (problem) throw new Error(`threads must be ${problem}, got ${JSON.stringify(n)}`);
  const native = loadNative();
  return native ? native.threads(n) : setWasmThreads(n);
}

/** The threads a step is split over: the native kernels', else the wasm backend's (those it starts with, if it has not yet). */
export function threadsInUse(): number {
  const native = loadNative();
  return native ? native.threads(0) : wasmThreads() ?? defaultThreads();
}

function fail(reason: string): null {
  whyNot = reason;
  return (cached = null);
}

/** Runs fn with the native kernels on `threads` threads, then restores the number in force. */
export function withThreads<T>(threads: number, fn: () => T): T {
  const before = threadsInUse();
  setThreads(threads);
  try {
    return fn();
  } finally {
    setThreads(before);
  }
}
