// The committed notebooks, as a reader gets them from the repository: outputs of the full setting
// only, in forms every viewer shows, within the size budget, and a "What we saw" that the outputs
// above it bear out.
import * as fs from 'fs';
import * as path from 'path';

const DIR = path.join(__dirname, '..', 'notebooks');
const NAMES = fs.readdirSync(DIR).filter((f) => f.endsWith('.ipynb')).sort();

interface Output {
  output_type: string;
  data?: Record<string, string | string[]>;
  name?: string;
  text?: string | string[];
}
interface Cell {
  cell_type: string;
  source: string | string[];
  outputs?: Output[];
  execution_count?: number | null;
}

const join = (v: string | string[] | undefined) => (Array.isArray(v) ? v.join('') : v ?? '');
const read = (name: string) => {
  const cells = JSON.parse(fs.readFileSync(path.join(DIR, name), 'utf8')).cells as Cell[];
  const outputs = cells.flatMap((c) => c.outputs ?? []);
  const text = outputs.map((o) => join(o.text) + join(o.data?.['text/plain']) + join(o.data?.['text/html']).replace(/<[^>]+>/g, ' ')).join('\n');
  return { cells, outputs, text };
};

describe('committed notebooks', () => {
  test('eight notebooks, each at most 3 MB and at most 12 MB together', () => {
    expect(NAMES).toHaveLength(8);
    const sizes = NAMES.map((n) => fs.statSync(path.join(DIR, n)).size);
    for (const s of sizes) expect(s).toBeLessThanOrEqual(3e6);
    expect(sizes.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(12e6);
  });

  test.each(NAMES)('%s holds full-setting outputs of every code cell, no errors', (name) => {
    const { cells, outputs, text } = read(name);
    for (const c of cells.filter((c) => c.cell_type === 'code')) {
      expect(c.execution_count).not.toBeNull();
      expect(c.outputs!.length).toBeGreaterThan(0);
    }
    expect(outputs.filter((o) => o.output_type === 'error' || o.name === 'stderr')).toEqual([]);
    expect(text).toMatch(/setting: full \(20 epochs per run on 55,000 training images, IS with k = 50/);
    expect(text).not.toMatch(/REDUCED|notebooks-reduced|trained earlier/);
    expect(text).toMatch(/notebook ran in \d+ s \(full setting/);
    // Every run's record says what it was trained on.
    const records = text.match(/trained until [^\n]*/g) ?? [];
    expect(records.length).toBeGreaterThan(0);
    for (const r of records) expect(r).toMatch(/: 20 epochs on 55,000 training images, \d+\.\d s\/epoch/);
  });

  test.each(NAMES)('%s: no output is a pending Promise, and every run record states its units (bits/dim beside each likelihood)', (name) => {
    const { outputs } = read(name);
    expect(outputs.map((o) => join(o.text) + join(o.data?.['text/plain'])).filter((t) => /Promise \{/.test(t))).toEqual([]);
    // The printed records (stream text), not the same words inside an explorer page's metadata.
    const printed = outputs.filter((o) => o.output_type === 'stream').map((o) => join(o.text)).join('\n');
    const records = printed.match(/trained until [^\n]*\n[^\n]*/g) ?? [];
    expect(records.length).toBeGreaterThan(0);
    for (const r of records) {
      expect(r).toMatch(/\n\s*test \(nats per image, .+\): /);
      if (r.includes('−log p(x)')) expect(r).toMatch(/−log p\(x\) -?\d+\.\d\d = -?\d+\.\d{4} bits\/dim \(IS, k = \d+\)/);
    }
  });

  test.each(NAMES)('%s ends by awaiting nb.end() (a bare nb.end() shows "Promise { <pending> }")', (name) => {
    const code = read(name).cells.filter((c) => c.cell_type === 'code').map((c) => join(c.source));
    expect(code[code.length - 1].trim()).toBe('await nb.end();');
    expect(code.filter((src) => /(^|[^\w.])nb\.end\(\)/m.test(src.replace(/await nb\.end\(\)/g, '')))).toEqual([]);
  });

  test.each(NAMES)('%s shows everything without scripts: PNG figures, HTML tables, no Markdown or SVG outputs', (name) => {
    const { outputs } = read(name);
    const types = outputs.flatMap((o) => Object.keys(o.data ?? {}));
    expect(types.filter((t) => !['text/plain', 'text/html', 'image/png'].includes(t))).toEqual([]);
    const html = outputs.map((o) => join(o.data?.['text/html'])).filter(Boolean);
    // The Plotly loader once; a saved notebook finds Plotly beside its page (the site) rather than carrying it.
    expect(html.filter((h) => h.includes('Plotly is not running here'))).toHaveLength(1);
    expect(html.filter((h) => h.includes('DecompressionStream'))).toEqual([]);
    const figures = html.filter((h) => h.includes('newPlot('));
    for (const f of figures) expect(f).toMatch(/^<div id="[^"]+" style="[^"]*"><img src="data:image\/png;base64,[A-Za-z0-9+/=]{1000,}"/);
    expect(figures.length + outputs.filter((o) => o.data?.['image/png']).length).toBeGreaterThanOrEqual(2);
  });

  test.each(NAMES)('%s ends with "What we saw", whose numbers are in its outputs', (name) => {
    const { cells, text } = read(name);
    const last = cells[cells.length - 1];
    const saw = join(last.source);
    expect(last.cell_type).toBe('markdown');
    expect(saw).toMatch(/^## What we saw\n/);
    const numbers = saw.match(/\d+\.\d\d/g) ?? [];
    expect(numbers.length).toBeGreaterThanOrEqual(2);
    expect(numbers.filter((n) => !text.includes(n))).toEqual([]);
  });
});
