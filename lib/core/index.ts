// The core layer: the model and everything it needs to train and be measured (configuration,
// randomness, data, model, loss, optimizer, training, evaluation, estimators, units, backend,
// kernels). It imports nothing from the other layers (runs, plot, web); test/layers.test.ts checks.
export * from './config';
export * from './backend';
export * from './rng';
export * from './random';
export * from './noise';
export * from './data';
export * from './model';
export * from './likelihood';
export * from './loss';
export * from './optimizer';
export * from './train';
export * from './evaluate';
export * from './estimators';
export * from './units';
export { cores, defaultThreads, loadNative, MAX_THREADS, setThreads, threadsInUse, threadsProblem, withThreads } from './kernels/native';
export { hasFusedKernels } from './kernels/wasm_fused';
