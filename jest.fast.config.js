// The fast test tier (`npm test`): every test file but those test/tiers.js keeps for the full tier
// (Jupyter, Chromium, Redis, full-MNIST command-line processes), on every core.
const full = require('./jest.config');
const { FULL_ONLY } = require('./test/tiers');

module.exports = {
  ...full,
  reporters: ['default'],
  testPathIgnorePatterns: ['/node_modules/', ...FULL_ONLY.map((f) => `/test/${f.replace(/\./g, '\\.')}$`)],
};
