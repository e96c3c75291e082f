// The library's public surface, for the command line, the notebooks and users' own scripts: the
// four layers, each with its own index (core → runs → plot → web; test/layers.test.ts checks).
export * from './core/index';
export * from './runs/index';
export * from './plot/index';
export * from './web/index';
