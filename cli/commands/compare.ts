// `npm run compare [-- results_dir]`: the comparison table of every run under results/ (or the
// directory given), written as comparison.csv and comparison.md there and printed as Markdown; a
// run whose files are damaged is listed below the table as such, and the others are still read.
import * as path from 'path';
import { collectRuns, runsToCsv, runsToMarkdown, writeFileAtomic } from '../../lib/index';
import { EXIT, runCommand } from '../exit';
import { FlagError, newCommand, parseCommand, printHelp } from '../command';

async function compare(root = 'results'): Promise<number> {
  const damaged: string[] = [];
  const rows = collectRuns(root, (run, why) => damaged.push(`- ${run}: damaged, left out (${why})`));
  if (rows.length === 0) throw new FlagError(`no runs with metrics under ${root}`);
  writeFileAtomic(path.join(root, 'comparison.csv'), runsToCsv(rows));
  const md = runsToMarkdown(rows) + (damaged.length ? `\n${damaged.join('\n')}\n` : '');
  writeFileAtomic(path.join(root, 'comparison.md'), md);
  process.stdout.write(md);
  return EXIT.done;
}

runCommand(async () => {
  const cmd = newCommand('compare', 'The comparison table of every run under a directory.').argument('[results_dir]', 'where the runs are', 'results');
  const help = parseCommand(cmd, process.argv.slice(2), 'usage: npm run compare [-- results_dir]');
  if (help) return printHelp(help);
  return compare(cmd.processedArgs[0] as string);
});
