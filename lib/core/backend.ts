// Chooses the tfjs backend: tfjs-node (native TensorFlow) when it is installed and loads,
// else wasm, else the pure-JS cpu backend. VAE_BACKEND=node|wasm|cpu forces one.
import * as tf from '@tensorflow/tfjs';
import { cores, defaultThreads, loadNative, nativeUnavailableReason, threadsInUse } from './kernels/native';
import { installWasmFused } from './kernels/wasm_fused';
import { installWasmIdentity } from './kernels/wasm_identity';
import { installWasmLatent } from './kernels/wasm_latent';
import { installWasmMatMul } from './kernels/wasm_matmul';
import { registerThreadedWasm, threadedWasmKernels } from './kernels/wasm_threaded';
import { BackendName, BACKENDS } from './config';


/** tfjs's own name for each of ours. */
const TFJS_NAME: Record<BackendName, string> = { node: 'tensorflow', wasm: 'wasm', cpu: 'cpu' };

export class BackendError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BackendError';
  }
}

/** Registers a backend's package with tfjs; returns why it is unavailable, or null. */
function register(name: BackendName): string | null {
  try {
    if (name === 'node') require('@tensorflow/tfjs-node');
    if (name === 'wasm') {
      require('@tensorflow/tfjs-backend-wasm');
      // tfjs's own start of the threaded build fails in Node (and it then silently falls back to
      // cpu): it starts the single-threaded SIMD build. With the addon that is the one we use (the
      // addon's pool runs the heavy kernels); without it, the threaded build, started our way.
      tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
      const native = loadNative();
      if (!native) registerThreadedWasm(defaultThreads);
      installWasmMatMul(native);
      installWasmIdentity();
      installWasmLatent();
      installWasmFused(native ? { native } : { wasm: () => threadedWasmKernels()! });
    }
    return null;
  } catch (e) {
    return (e as Error).message.split('\n')[0];
  }
}

async function activate(name: BackendName): Promise<string | null> {
  const why = register(name);
  if (why) return why;
  const ok = await tf.setBackend(TFJS_NAME[name]).catch(() => false);
  if (!ok || tf.getBackend() !== TFJS_NAME[name]) return `tfjs could not start the '${TFJS_NAME[name]}' backend`;
  return null;
}

let active: BackendName | null = null;

/**
 * Starts the requested backend (argument, else $VAE_BACKEND), or the first that works of
 * node, wasm, cpu. A requested backend that cannot start is an error, never a silent fallback.
 */
export async function initBackend(requested: string | undefined = process.env.VAE_BACKEND || undefined): Promise<BackendName> {
  try {
    defaultThreads(); // a bad $VAE_THREADS is an error of its own, not a reason to fall back to another backend
  } catch (e) {
    throw new BackendError((e as Error).message);
  }
  if (requested !== undefined) {
    if (!BACKENDS.includes(requested as BackendName)) {
      throw new BackendError(`backend must be one of ${BACKENDS.join(', ')}, got '${requested}'`);
    }
    const name = requested as BackendName;
    if (active === name) return name;
    const why = await activate(name);
    if (why) throw new BackendError(`backend '${name}' is not available: ${why}`);
    return (active = name);
  }
  if (active) return active;
  const reasons: string[] = [];
  for (const name of BACKENDS) {
    const why = await activate(name);
    if (!why) return (active = name);
    reasons.push(`${name}: ${why}`);
  }
  throw new BackendError(`no tfjs backend could start (${reasons.join('; ')})`);
}

/** Which engine computes: the backend, and whether the native kernels (OpenBLAS addon) serve it, and if not why. */
export interface Engine {
  backend: BackendName;
  nativeKernels: boolean;
  threads: number; // the threads a step is split over: the native kernels', else wasm's XNNPACK pool (1 on node and cpu)
  cores: number; // the machine's
  whyNotNative?: string | null; // the addon's reason (not built, turned off, failed to load), when it is not in use
}

/** The engine in force (the backend tfjs runs, whether or not initBackend chose it). */
export function currentEngine(): Engine {
  const name = BACKENDS.find((b) => TFJS_NAME[b] === tf.getBackend());
  if (!name) throw new BackendError(`tfjs runs the '${tf.getBackend()}' backend, which is none of ${BACKENDS.join(', ')}`);
  const nativeKernels = name === 'wasm' && loadNative() !== null;
  return { backend: name, nativeKernels, threads: name === 'wasm' ? threadsInUse() : 1, cores: cores(), ...(nativeKernels ? {} : { whyNotNative: nativeUnavailableReason() }) };
}

/** '2 threads', and a warning when they are more than the cores. */
function threadsText(e: Engine): string {
  const over = e.threads > e.cores ? ` (more than the machine's ${e.cores} cores: they will take turns)` : '';
  return `${e.threads} thread${e.threads === 1 ? '' : 's'}${over}`;
}

/**
 * The engine in one line, and when the native kernels are missing a second line saying what that
 * costs and how to get them (the slowdown is `npm run bench`'s ratio on our machines, README: Speed).
 */
export function describeEngine(e: Engine): string {
  if (e.nativeKernels) {
    return `engine: ${e.backend} + native kernels (OpenBLAS), ${threadsText(e)}`;
  }
  if (e.backend === 'node') return 'engine: node (TensorFlow C library through tfjs-node)';
  if (e.backend === 'cpu') {
    return 'engine: cpu (pure JavaScript)\nnote: training is about 100x slower than wasm with the native kernels; use --backend wasm (VAE_BACKEND=wasm)';
  }
  const why = e.whyNotNative ?? '';
  const how = /VAE_NATIVE=0/.test(why)
    ? 'unset VAE_NATIVE=0, which turns them off'
    : /failed to load/.test(why)
      ? 'rebuild them: node scripts/build-native.js (or npm ci)'
      : 'install OpenBLAS (Debian: apt-get install libopenblas-dev) and run npm ci again';
  return `engine: wasm, without the native kernels${why ? ` (${why})` : ''}, ${threadsText(e)}\nnote: training is 3-5x slower than with them; ${how}`;
}
