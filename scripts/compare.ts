// `npm run compare [-- results_dir]`: the comparison table of every run under results/ (or the
// directory given), written as comparison.csv and comparison.md there and printed as Markdown; a
// run whose files are damaged is listed below the table as such, and the others are still read.
import * as path from 'path';
import { collectRuns, runsToCsv, runsToMarkdown, writeFileAtomic } from '../lib/index';
import { EXIT, runCommand } from '../cli/exit';
import { FlagError } from '../cli/flags';

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

runCommand(() => compare(process.argv[2]));
