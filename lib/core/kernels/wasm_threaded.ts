// tfjs's wasm backend on every core, for the path without the native addon: the package's threaded
// SIMD build (XNNPACK on a pthreadpool), which tfjs never starts in Node (its flag says no threads
// there, and its pthread workers are Blob URLs, which Node's worker_threads cannot load). Here the
// build is started by hand: Emscripten's workers run ./wasm_pthread_worker.js, and the pool gets
// the threads asked for (tfjs caps it at half the logical cores it is told of, assuming
// hyper-threads: it is told of twice the threads wanted). The result is tfjs's own BackendWasm,
// registered as 'wasm', so every wasm kernel (ours included) runs on it unchanged.
// XNNPACK splits a product by tiles of its output, each element one sum in one order, so the
// thread count does not change a result's bits.
// (tfjs is required when the backend is registered: lib/core/kernels/native.ts, which the command
// line's flags load, reads the threads from here.)
import * as fs from 'fs';
import * as path from 'path';
import type { Worker } from 'worker_threads';
import { WasmKernels, WebAssemblyApi } from './wasm_kernels';

const BUILD = 'tfjs-backend-wasm-threaded-simd';
/** tfjs's own priority for 'wasm'. */
const WASM_PRIORITY = 2;

/** The module as tfjs's BackendWasm expects it (the cwraps its init makes). */
interface EmscriptenModule {
  cwrap(name: string, ret: string | null, args: string[]): (...a: number[]) => number;
  tfjs?: Record<string, (...a: number[]) => number>;
  PThread: { unusedWorkers: Worker[]; runningWorkers: Worker[] };
  wasmMemory: { buffer: ArrayBufferLike };
  _malloc(bytes: number): number;
}
type Factory = (config: Record<string, unknown>) => Promise<EmscriptenModule>;

/** The threads asked for (setWasmThreads), and those the pool got when the backend started. */
let wanted: number | null = null;
let started: number | null = null;
let registered = false;
let kernels: WasmKernels | null = null;

/** Our elementwise kernels on the threaded build's memory (./wasm_kernels.ts), once it has started. */
export function threadedWasmKernels(): WasmKernels | null {
  return kernels;
}

/** Sets the threads of the pool, before the backend starts; after, returns the number in force (the pool is made once). */
export function setWasmThreads(n: number): number {
  if (started === null) wanted = n;
  return started ?? n;
}

/** The pool's threads: those it started with, else those it will start with (null: not asked for, the caller's default). */
export function wasmThreads(): number | null {
  return started ?? wanted;
}

async function startThreaded(threads: number): Promise<import('@tensorflow/tfjs').KernelBackend> {
  const wasm = require('@tensorflow/tfjs-backend-wasm') as typeof import('@tensorflow/tfjs-backend-wasm');
  const dir = path.dirname(require.resolve(`@tensorflow/tfjs-backend-wasm/wasm-out/${BUILD}.js`));
  const factory = require(path.join(dir, `${BUILD}.js`)) as Factory;
  const module = await factory({
    locateFile: (file: string) => (file.endsWith('.worker.js') ? path.join(__dirname, 'wasm_pthread_worker.js') : path.join(dir, file)),
    mainScriptUrlOrBlob: path.join(dir, `${BUILD}.js`),
    // tfjs's init_with_threads_count caps the pool at half the logical cores it is told of.
    instantiateWasm: (info: { env: Record<string, unknown> }, receive: (instance: unknown, module: unknown) => void) => {
      info.env.emscripten_num_logical_cores = () => 2 * threads;
      WebAssemblyApi.instantiate(fs.readFileSync(path.join(dir, `${BUILD}.wasm`)), info).then((r) => receive(r.instance, r.module));
      return {};
    },
  });
  module.tfjs = {
    init: module.cwrap('init', null, []),
    initWithThreadsCount: module.cwrap('init_with_threads_count', null, ['number']),
    getThreadsCount: module.cwrap('get_threads_count', 'number', []),
    registerTensor: module.cwrap('register_tensor', null, ['number', 'number', 'number']),
    disposeData: module.cwrap('dispose_data', null, ['number']),
    dispose: module.cwrap('dispose', null, []),
  };
  wasm.setThreadsCount(threads);
  const backend = new wasm.BackendWasm(module as never);
  started = module.tfjs.getThreadsCount();
  kernels = new WasmKernels(module.wasmMemory, (bytes) => module._malloc(bytes));
  // The pool's threads wait in workers that Emscripten keeps referenced: without this a script
  // that has finished would never exit.
  for (const w of [...module.PThread.runningWorkers, ...module.PThread.unusedWorkers]) w.unref();
  return backend;
}

/**
 * Registers 'wasm' as tfjs's threaded build (in place of the single-threaded one), started when
 * tfjs first asks for the backend on the threads set by then, else `defaultThreads()`'s.
 */
export function registerThreadedWasm(defaultThreads: () => number): void {
  if (registered) return;
  registered = true;
  const tf = require('@tensorflow/tfjs') as typeof import('@tensorflow/tfjs');
  require('@tensorflow/tfjs-backend-wasm'); // the kernels, registered for 'wasm'
  tf.removeBackend('wasm');
  tf.registerBackend('wasm', () => startThreaded(wanted ?? defaultThreads()), WASM_PRIORITY);
}
