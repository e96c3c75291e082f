#!/usr/bin/env node
// The command line of the original run_main.py, `npm run main -- <flags>` (or `npx vae-mnist-ts`):
// train on MNIST with the same flags and write the same pictures to --results_path. The flags are
// parsed before anything heavy is loaded, so a bad one is answered at once; the training itself is
// cli/train_run.ts. Exit codes (cli/exit.ts): 0 done, 1 a damaged file or a diverged run, 2 bad
// input (a flag, a path, a run directory in use), 130 interrupted (Ctrl-C).
import { printHelp } from '../command';
import { runCommand } from '../exit';
import { checkRunPaths, parseFlags } from '../flags';

async function main(): Promise<number> {
  const parsed = parseFlags(process.argv.slice(2));
  if ('help' in parsed) return printHelp(parsed);
  checkRunPaths(parsed.run); // before the trainer loads, so that a bad path is answered at once too
  const { runMain } = await import('../train_run');
  return runMain(parsed);
}

/** The command: `main` with the exit contract (bin/vae-mnist-ts.js calls it too). */
export function cli(): void {
  runCommand(main);
}

if (require.main === module) cli();
