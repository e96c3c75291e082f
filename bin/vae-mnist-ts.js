#!/usr/bin/env node
// `npx vae-mnist-ts <the original's flags>` (or `vae-mnist-ts` once linked or installed): the same
// command line as `npm run main`, cli/commands/run_main.ts, run through ts-node (with swc: no type check,
// a start in a fraction of a second) from wherever it is called.
const path = require('path');
require('ts-node').register({ project: path.join(__dirname, '..', 'tsconfig.json'), transpileOnly: true, swc: true });
require('../cli/commands/run_main').cli();
