// The full test tier (`npm run test:full`, what CI runs): every test file under test/. Tests are
// TypeScript, compiled by swc (fast, no type check: `npm run typecheck` does that). At the end the
// ten slowest files are printed (test/slowest_reporter.js).
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  transform: { '^.+\\.ts$': ['@swc/jest'] },
  testTimeout: 120000,
  reporters: ['default', '<rootDir>/test/slowest_reporter.js'],
};
