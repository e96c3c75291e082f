// The import direction of lib/'s layers (core → runs → plot → web), checked by
// test/layers.test.ts with dependency-cruiser: `npx depcruise lib cli scripts notebooks --config .dependency-cruiser.js`.
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    { name: 'no-circular', severity: 'error', comment: 'Modules form no import cycle.',
      from: {}, to: { circular: true } },
    { name: 'core-imports-core', severity: 'error', comment: 'lib/core/ imports nothing from the other layers.',
      from: { path: '^lib/core/' }, to: { path: '^lib/(runs|plot|web)/' } },
    { name: 'runs-imports-core', severity: 'error', comment: 'lib/runs/ imports core only.',
      from: { path: '^lib/runs/' }, to: { path: '^lib/(plot|web)/' } },
    { name: 'plot-imports-core-runs', severity: 'error', comment: 'lib/plot/ imports core and runs only.',
      from: { path: '^lib/plot/' }, to: { path: '^lib/web/' } },
    { name: 'layers-not-index', severity: 'error', comment: 'Inside lib/, modules import each other, not the public index.',
      from: { path: '^lib/(core|runs|plot|web)/' }, to: { path: '^lib/index\\.ts$' } },
    { name: 'lib-is-a-library', severity: 'error', comment: 'lib/ never imports the commands, scripts, notebooks or tslab.',
      from: { path: '^lib/' }, to: { path: ['^cli/', '^scripts/', '^notebooks/', '^test/', 'node_modules/tslab'] } },
    { name: 'entry-scripts-are-not-libraries', severity: 'error',
      comment: 'Nothing imports a command (cli/commands/) or a script (scripts/): shared code lives in lib/ or cli/ modules.',
      from: {}, to: { path: ['^cli/commands/', '^scripts/'] } },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    exclude: { path: '^(node_modules|build|results|scratch)/' },
  },
};
