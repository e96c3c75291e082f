// `npm run bench-startup`: how long the command line takes to answer before any training — --help
// and a bad flag (--dim_z -3) — median of 5 process starts each, against what the same answer
// costs when the trainer (lib/index) is loaded first, and when ts-node transpiles with TypeScript
// instead of swc (tsconfig.json's "ts-node": { "swc": true }). One run, ratios to the first row.
import { spawnSync } from 'child_process';
import * as path from 'path';

const ROOT = path.join(__dirname, '..');
const RUNS = 5;

/** A node process that registers ts-node (swc or TypeScript), optionally loads the library, then runs the command line with `args`. */
function start(args: string[], opts: { swc: boolean; loadLibrary: boolean }): number {
  const script = [
    `require('ts-node').register({ transpileOnly: true, swc: ${opts.swc} });`,
    opts.loadLibrary ? "require('./lib/index');" : '',
    `process.argv = [process.argv[0], 'run_main', ...${JSON.stringify(args)}];`,
    "require('./cli/commands/run_main').cli();",
  ].join('');
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = process.hrtime.bigint();
    const r = spawnSync(process.execPath, ['-e', script], { cwd: ROOT, encoding: 'utf8' });
    times.push(Number(process.hrtime.bigint() - t0) / 1e9);
    if (r.status !== (args.includes('--help') ? 0 : 2)) throw new Error(`unexpected exit ${r.status}: ${r.stderr}`);
  }
  return times.sort((a, b) => a - b)[Math.floor(RUNS / 2)];
}

const cases: [string, { swc: boolean; loadLibrary: boolean }][] = [
  ['as shipped (swc, trainer loaded after the flags)', { swc: true, loadLibrary: false }],
  ['trainer loaded first (as before)', { swc: true, loadLibrary: true }],
  ['TypeScript transpiler (as before)', { swc: false, loadLibrary: false }],
  ['both (the state before)', { swc: false, loadLibrary: true }],
];
console.log(`start-up of the command line, median of ${RUNS} processes each (node ${process.version})`);
console.log('| how | --help (s) | --dim_z -3 (s) | ratio |');
console.log('|---|---|---|---|');
let base = 0;
for (const [what, opts] of cases) {
  const help = start(['--help'], opts), bad = start(['--dim_z', '-3'], opts);
  base ||= bad;
  console.log(`| ${what} | ${help.toFixed(2)} | ${bad.toFixed(2)} | ${(bad / base).toFixed(1)}× |`);
}
