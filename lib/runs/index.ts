// The runs layer: a run directory and its files on disk (atomic writes, the lock, safetensors,
// checkpoints, config/metrics/summary), training a run into it, and the table across runs.
// Imports core only.
export * from './files';
export * from './lock';
export * from './safetensors';
export * from './checkpoint';
export * from './rundir';
export * from './summary';
export * from './naming';
export * from './run';
export * from './compare';
