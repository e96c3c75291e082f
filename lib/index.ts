// The library's public surface, for the command line, the notebooks and users' own scripts.
export * from './config';
export * from './backend';
export * from './rng';
export * from './data';
export * from './model';
export * from './loss';
export * from './noise';
export * from './evaluate';
export * from './train';
export * from './checkpoint';
export * from './plot';
export * from './files';
export * from './run';
export * from './figures';
export * from './optimizer';
export { loadNative } from './kernels/native';
export * from './likelihood';
export * from './compare';
