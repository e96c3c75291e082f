// The notebooks as a reader sees them: Debian's classic Jupyter Notebook on a loopback port with
// the project's kernel, in headless Chromium. Every committed notebook opens untrusted (as from a
// fresh clone) and every figure, image and table in it must show; then one notebook runs in the
// reduced setting through the UI (Cell > Run All) and its figures must become interactive Plotly,
// and saving it must leave the notebook's full outputs alone. (The HTML exports: test/site.test.ts.)
// Skipped, with the reason printed, where Chromium or the classic Notebook is missing.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import { copyNotebooks, inkShare, jupyterEnv, Server, startServer } from './browser';
import * as os from 'os';
import * as path from 'path';
import type { Browser, Page } from 'playwright-core';
import { findChromium, HEADLESS_ARGS } from '../lib/plot/plotly_static';

// Code passed to page.evaluate runs in the page; these stand for its globals (no DOM types here).
declare const window: any;
declare const document: any;

const ROOT = path.join(__dirname, '..');
const NOTEBOOKS = fs.readdirSync(path.join(ROOT, 'notebooks')).filter((f) => f.endsWith('.ipynb')).sort();
const chromiumPath = findChromium();
const hasNotebook = spawnSync('jupyter', ['notebook', '--version'], { encoding: 'utf8' }).status === 0;
const missing = [!chromiumPath && 'Chromium (apt-get install chromium)', !hasNotebook && 'the classic Notebook (apt-get install jupyter-notebook)'].filter(Boolean);
if (missing.length) console.log(`notebooks in a browser: skipped, ${missing.join(' and ')} not installed`);


interface ShownOutput {
  kind: 'img' | 'table' | 'text' | 'empty';
  rows?: number;
  text?: string;
}

(missing.length ? describe.skip : describe)('notebooks in a browser (classic Notebook, headless Chromium)', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'nb-browser-'));
  const served = path.join(tmp, 'served');
  let server: Server;
  let browser: Browser;
  let base = '';

  beforeAll(async () => {
    copyNotebooks(ROOT, served);
    server = await startServer('jupyter', (port) => ['notebook', '--no-browser', '--allow-root', '--ip=127.0.0.1', `--port=${port}`, '--port-retries=0',
      '--NotebookApp.token=', '--NotebookApp.password=', `--notebook-dir=${served}`], jupyterEnv(ROOT, tmp), '/api');
    base = server.base;
    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({ executablePath: chromiumPath!, args: HEADLESS_ARGS });
  }, 60000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  async function open(name: string): Promise<Page> {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(`${base}/notebooks/${name}`);
    await page.waitForFunction(() => window.Jupyter?.notebook?._fully_loaded === true, null, { timeout: 60000 });
    // Let images decode.
    await page.waitForFunction(() => [...document.querySelectorAll('.output_area img')].every((i: any) => i.complete));
    return page;
  }

  /** What each output area of the page shows. */
  const shown = (page: Page): Promise<ShownOutput[]> =>
    page.$$eval('.output_area .output_subarea', (areas) =>
      areas.map((a: any): ShownOutput => {
        const img = a.querySelector('img') as any;
        if (img && img.naturalWidth > 0 && img.getBoundingClientRect().width > 0) return { kind: 'img' };
        const table = a.querySelector('table');
        if (table) return { kind: 'table', rows: table.querySelectorAll('tbody tr').length };
        const text = (a.textContent ?? '').trim();
        return text ? { kind: 'text', text } : { kind: 'empty' };
      }),
    );

  /** The explorer's static image gave way to the live page: an iframe whose digit is drawn and follows the mouse over the plane. */
  async function expectLiveExplorer(page: Page): Promise<void> {
    const el = await page.waitForSelector('iframe[title="explorer"]', { timeout: 30000 });
    const frame = (await el.contentFrame())!;
    await frame.waitForFunction(() => window.vaeExplorer !== undefined, null, { timeout: 30000 });
    await el.scrollIntoViewIfNeeded();
    const digit = frame.locator('#digit');
    const before = await digit.screenshot();
    expect(inkShare(before)).toBeGreaterThan(0.02);
    const box = (await frame.locator('#plane').boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.8, box.y + box.height * 0.2);
    await page.mouse.move(box.x + box.width * 0.2, box.y + box.height * 0.8, { steps: 3 });
    expect((await digit.screenshot()).equals(before)).toBe(false);
  }

  test.each(NOTEBOOKS)('%s, opened untrusted, shows every figure, image and table', async (name) => {
    const nb = JSON.parse(fs.readFileSync(path.join(ROOT, 'notebooks', name), 'utf8'));
    const saved = nb.cells.flatMap((c: { outputs?: { output_type: string; data?: Record<string, string> }[] }) => c.outputs ?? []);
    const figures = saved.filter((o: { data?: Record<string, string> }) => /<img src="data:image\/png/.test(String(o.data?.['text/html'] ?? '')) || o.data?.['image/png']);
    const tables = saved.filter((o: { data?: Record<string, string> }) => String(o.data?.['text/html'] ?? '').startsWith('<table'));
    expect(figures.length).toBeGreaterThanOrEqual(2);

    const page = await open(name);
    try {
      expect(await page.evaluate(() => window.Jupyter.notebook.trusted)).toBe(false);
      const outputs = await shown(page);
      // One rendered area per saved output, none of them blank (untrusted Markdown or SVG would be).
      expect(outputs).toHaveLength(saved.length);
      expect(outputs.filter((o) => o.kind === 'empty')).toEqual([]);
      expect(outputs.filter((o) => o.kind === 'img')).toHaveLength(figures.length);
      const shownTables = outputs.filter((o) => o.kind === 'table');
      expect(shownTables).toHaveLength(tables.length);
      for (const t of shownTables) expect(t.rows).toBeGreaterThan(0);
      // Plotly does not run here, and the page says so instead of claiming it loaded.
      expect(await page.locator('.js-plotly-plot').count()).toBe(0);
      expect(outputs.some((o) => o.kind === 'text' && /Plotly is not running here/.test(o.text!))).toBe(true);
      // Every picture has something drawn in it.
      const imgs = await page.locator('.output_area img').all();
      for (const img of imgs) {
        await img.scrollIntoViewIfNeeded();
        expect(inkShare(await img.screenshot())).toBeGreaterThan(0.01);
      }
    } finally {
      await page.close();
    }
  }, 120000);

  test('06 in the reduced setting, run through the UI (Cell > Run All): interactive figures, no errors', async () => {
    const page = await open('06_learned_manifold.ipynb');
    try {
      await page.waitForFunction(() => window.Jupyter.notebook.kernel?.is_connected(), null, { timeout: 60000 });
      await page.click('#menus a:text-is("Cell")');
      await page.click('#run_all_cells > a');
      await page.waitForFunction(
        () => /notebook ran in \d+ s/.test(document.querySelector('#notebook-container')?.textContent ?? ''),
        null, { timeout: 240000, polling: 1000 },
      );
      const text = (await page.textContent('#notebook-container')) ?? '';
      expect(text).toMatch(/setting: REDUCED/);
      expect(text).toMatch(/Plotly \d+\.\d+\.\d+ loaded: the figures below are interactive/);
      expect(await page.locator('.output_error, .output_stderr').count()).toBe(0);
      const plots = page.locator('.js-plotly-plot');
      expect(await plots.count()).toBeGreaterThanOrEqual(1);
      // The interactive figure replaced its static copy and drew its points.
      expect(await page.locator('.js-plotly-plot .scatterlayer .point').count()).toBeGreaterThan(1000);
      expect(await page.locator('.output_html img[src^="data:image/png"]').count()).toBe(0);
      await expectLiveExplorer(page);
      // Saving (the Notebook autosaves too) writes the reduced outputs beside the reduced runs, not over the notebook.
      const committed = fs.readFileSync(path.join(served, '06_learned_manifold.ipynb'));
      await page.evaluate(() => window.Jupyter.notebook.save_notebook());
      const copy = path.join(tmp, 'results', 'notebooks-reduced', '06_learned_manifold.ipynb');
      for (let i = 0; i < 100 && !fs.existsSync(copy); i++) await page.waitForTimeout(100);
      expect(fs.readFileSync(copy, 'utf8')).toMatch(/setting: REDUCED/);
      expect(fs.readFileSync(path.join(served, '06_learned_manifold.ipynb')).equals(committed)).toBe(true);
    } finally {
      await page.close();
    }
  }, 300000);
});
