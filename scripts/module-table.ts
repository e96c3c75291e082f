// `npm run module-table`: the module table of docs/architecture.md, generated from each source
// file's header comment (its first sentence), folder by folder, written between the page's two
// HTML comment markers (START and END below). test/docs.test.ts fails when the page's
// table is not what this generates (a file added, moved or re-described without the page).
import * as fs from 'fs';
import * as path from 'path';

const ROOT = path.join(__dirname, '..');
export const ARCHITECTURE = path.join(ROOT, 'docs', 'architecture.md');
/** The folders whose modules the table lists, in the order of the layers. */
const FOLDERS = ['lib/core', 'lib/core/kernels', 'lib/runs', 'lib/plot', 'lib/web', 'cli', 'cli/commands', 'notebooks', 'scripts'];
const START = '<!-- modules -->', END = '<!-- /modules -->';

/** A file's header comment (the leading `//` lines, or a leading block comment) as one line. */
export function headerOf(source: string): string {
  const lines = source.replace(/^#!.*\n/, '').split('\n');
  const out: string[] = [];
  for (const line of lines) {
    const m = /^\s*\/\/ ?(.*)$/.exec(line);
    if (!m || /eslint-disable/.test(line)) break;
    out.push(m[1].trim());
  }
  if (out.length === 0) {
    const block = /^\s*\/\*\*?([\s\S]*?)\*\//.exec(source.replace(/^#!.*\n/, ''));
    if (block) out.push(...block[1].split('\n').map((l) => l.replace(/^\s*\*\s?/, '').trim()));
  }
  return out.join(' ').replace(/\s+/g, ' ').trim();
}

/** The first sentence of a header: up to the first full stop before a capital letter (or the end; "et al. (2016)" goes on). */
export function firstSentence(header: string): string {
  const m = /^(.*?[.!?])(\s+[A-Z]|$)/.exec(header);
  return (m ? m[1] : header).trim();
}

/** The table's Markdown: one row per module, `file | what it is`. */
export function moduleTable(root = ROOT): string {
  const rows: string[] = ['| module | what it is (its header) |', '|---|---|'];
  for (const folder of FOLDERS) {
    const dir = path.join(root, folder);
    if (!fs.existsSync(dir)) continue;
    const files = fs.readdirSync(dir).filter((f) => /\.(ts|js)$/.test(f) && fs.statSync(path.join(dir, f)).isFile()).sort();
    for (const f of files) {
      const header = firstSentence(headerOf(fs.readFileSync(path.join(dir, f), 'utf8')));
      rows.push(`| \`${folder}/${f}\` | ${header.replace(/\|/g, '\\|') || '(no header)'} |`);
    }
  }
  return rows.join('\n') + '\n';
}

/** The architecture page with its table replaced by `table`. */
export function withTable(page: string, table: string): string {
  const i = page.indexOf(START), j = page.indexOf(END);
  if (i < 0 || j < i) throw new Error(`${ARCHITECTURE} has no ${START} … ${END} markers`);
  return `${page.slice(0, i + START.length)}\n${table}${page.slice(j)}`;
}

if (require.main === module) {
  const page = fs.readFileSync(ARCHITECTURE, 'utf8');
  const next = withTable(page, moduleTable());
  fs.writeFileSync(ARCHITECTURE, next);
  console.log(`${path.relative(ROOT, ARCHITECTURE)}: ${moduleTable().split('\n').length - 3} modules${next === page ? ' (unchanged)' : ''}`);
}
