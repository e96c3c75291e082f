// `npm run compare [-- results_dir]`: the comparison table of every run under results/ (or the
// directory given), written as comparison.csv and comparison.md there and printed as Markdown.
import * as path from 'path';
import { collectRuns, runsToCsv, runsToMarkdown, writeFileAtomic } from '../lib';

const root = process.argv[2] ?? 'results';
const rows = collectRuns(root);
if (rows.length === 0) {
  console.error(`error: no runs with metrics under ${root}`);
  process.exit(2);
}
writeFileAtomic(path.join(root, 'comparison.csv'), runsToCsv(rows));
const md = runsToMarkdown(rows);
writeFileAtomic(path.join(root, 'comparison.md'), md);
process.stdout.write(md);
