// The full test tier (`npm run test:full`, what CI runs): every test file under test/, on every core. Tests are
// TypeScript, compiled by swc (fast, no type check: `npm run typecheck` does that). At the end the
// ten slowest files are printed (test/slowest_reporter.js).
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  modulePathIgnorePatterns: ['<rootDir>/test/jupyterlab/'], // the JupyterLab test page's own package (its node_modules, its build)
  transform: { '^.+\\.ts$': ['@swc/jest'] },
  testTimeout: 120000,
  maxWorkers: '100%', // every core (jest's default leaves one idle: on 2 cores the full tier took 937 s on one worker, 363–701 s on two)
  reporters: ['default', '<rootDir>/test/slowest_reporter.js'],
};
