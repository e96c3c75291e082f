// Tests are TypeScript, compiled by swc (fast, no type check: `npm run typecheck` does that).
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  transform: { '^.+\\.ts$': ['@swc/jest'] },
  testTimeout: 120000,
};
