// The docs cannot go stale silently: README.md and docs/*.md name only npm scripts that exist,
// document exactly the command line's flags, link only to files and headings that exist, and
// docs/architecture.md's module table is the one the files' headers generate; README's first
// screen holds what a newcomer needs.
import * as fs from 'fs';
import * as path from 'path';
import { helpText } from '../cli/flags';
import { ARCHITECTURE, moduleTable, withTable } from '../scripts/module-table';

const ROOT = path.join(__dirname, '..');
const DOCS = path.join(ROOT, 'docs');
const pages = ['README.md', ...fs.readdirSync(DOCS).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];
const read = (page: string) => fs.readFileSync(path.join(ROOT, page), 'utf8');

/** GitHub's anchor of a heading: lower case, punctuation dropped, spaces to hyphens. */
const slug = (heading: string) => heading.trim().toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, '').replace(/\s/g, '-');

test('the docs are the README and its pages by subject', () => {
  for (const p of ['architecture', 'command-line', 'notebooks', 'sweeps', 'explorer', 'evaluation', 'performance', 'testing', 'measurements']) {
    expect(pages).toContain(`docs/${p}.md`);
  }
});

test('every npm run command in the docs is a script of package.json', () => {
  const scripts = Object.keys(JSON.parse(read('package.json')).scripts);
  const named = [...new Set(pages.flatMap((p) => [...read(p).matchAll(/npm run ([a-z][\w:-]*)/g)].map((m) => m[1])))];
  expect(named.length).toBeGreaterThan(10);
  expect(named.filter((n) => !scripts.includes(n))).toEqual([]);
});

test("the flag table documents exactly the command line's flags", () => {
  const parser = [...new Set([...helpText().matchAll(/^\s+--([A-Za-z_]+)/gm)].map((m) => m[1]))].filter((f) => f !== 'help').sort();
  const table = read('docs/command-line.md').split('\n').filter((l) => l.startsWith('| `--'));
  const documented = [...new Set(table.flatMap((row) => [...row.split('|')[1].matchAll(/`--([A-Za-z_]+)`/g)].map((m) => m[1])))].sort();
  expect(parser.length).toBeGreaterThan(30);
  expect(documented).toEqual(parser);
});

test('every relative link leads to a file that exists, and an anchor to a heading of it', () => {
  const dead: string[] = [];
  for (const page of pages) {
    for (const m of read(page).matchAll(/\]\(([^)\s]+)\)/g)) {
      const target = m[1];
      if (/^[a-z]+:/.test(target)) continue; // https:, mailto:
      const [file, anchor] = target.split('#');
      const resolved = file ? path.join(path.dirname(path.join(ROOT, page)), file) : path.join(ROOT, page);
      if (!fs.existsSync(resolved)) {
        dead.push(`${page}: ${target} (no such file)`);
        continue;
      }
      if (anchor && resolved.endsWith('.md')) {
        const headings = fs.readFileSync(resolved, 'utf8').split('\n').filter((l) => /^#{1,6} /.test(l)).map((l) => slug(l.replace(/^#+ /, '')));
        if (!headings.includes(anchor)) dead.push(`${page}: ${target} (no heading #${anchor})`);
      }
    }
  }
  expect(dead).toEqual([]);
});

test("docs/architecture.md's module table is the one the files' headers generate (npm run module-table)", () => {
  const page = fs.readFileSync(ARCHITECTURE, 'utf8');
  expect(page).toBe(withTable(page, moduleTable()));
  expect(moduleTable()).not.toContain('(no header)');
});

test("README's first screen: what it is, a figure, the set-up, main and test commands, the entry points and the pages", () => {
  const first = read('README.md').split('\n').slice(0, 60).join('\n');
  for (const must of ['npm ci', 'npm run main', 'npm test', 'npm run test:full', 'npm run sweep', 'npm run lab', 'npm run explore', 'npm run bench', '![', 'docs/architecture.md']) {
    expect(first).toContain(must);
  }
  expect(read('README.md').split('\n').length).toBeLessThanOrEqual(100);
});
