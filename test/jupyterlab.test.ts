// The notebooks in JupyterLab 4 itself: its notebook widget, renderers and sanitizer (npm
// @jupyterlab/* packages, bundled in test/jupyterlab/, `npm run build:jupyterlab-page`) served by Debian's
// jupyter_server with the project's kernel, in headless Chromium. Every committed notebook opens
// untrusted and shows each figure and table; then notebook 06 runs in the reduced setting with
// JupyterLab's autosave on: its training cell updates in place, its figures become interactive
// Plotly (hover shows a value), its explorer's slider redraws the digit, nothing errs, and the
// autosave writes the reduced outputs to results/notebooks-reduced/, never over the notebook.
// Skipped, with the reason printed, where Chromium, jupyter_server or the built page is missing.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { Browser, Page } from 'playwright-core';
import { findChromium, HEADLESS_ARGS } from '../lib/plot/plotly_static';
import { copyNotebooks, expectSliderRedraws, inkShare, jupyterEnv, Server, startServer } from './browser';

declare const window: any;
declare const document: any;

const ROOT = path.join(__dirname, '..');
const PAGE = path.join(__dirname, 'jupyterlab');
const NOTEBOOKS = fs.readdirSync(path.join(ROOT, 'notebooks')).filter((f) => f.endsWith('.ipynb')).sort();
const RUN = '06_learned_manifold.ipynb';
const chromiumPath = findChromium();
const hasServer = spawnSync('/usr/bin/python3', ['-c', 'import jupyter_server, ipykernel'], { encoding: 'utf8' }).status === 0;
const built = fs.existsSync(path.join(PAGE, 'build', 'nbtest', 'bundle.js'));
const missing = [
  !chromiumPath && 'Chromium (apt-get install chromium)',
  !hasServer && "Debian's jupyter_server (apt-get install python3-jupyter-server python3-ipykernel)",
  !built && 'the JupyterLab test page (npm run build:jupyterlab-page)',
].filter(Boolean);
if (missing.length) console.log(`notebooks in JupyterLab: skipped, ${missing.join(', ')} missing`);

interface SavedOutput { output_type: string; data?: Record<string, string | string[]>; text?: string | string[]; name?: string }
const join = (v: string | string[] | undefined) => (Array.isArray(v) ? v.join('') : v ?? '');

/** What each rendered output of the page shows, in order. */
const shown = (page: Page) =>
  page.$$eval('.jp-OutputArea-output', (areas) =>
    areas.map((a: any) => {
      const img = a.querySelector('img');
      const table = a.querySelector('table');
      const text = (a.textContent ?? '').trim();
      return {
        mime: a.getAttribute('data-mime-type') as string,
        kind: img && img.naturalWidth > 0 && img.getBoundingClientRect().width > 0 ? 'img' : table ? 'table' : text ? 'text' : 'empty',
        rows: table ? table.querySelectorAll('tbody tr').length : 0,
        text,
      };
    }),
  );

(missing.length ? describe.skip : describe)('notebooks in JupyterLab 4 (headless Chromium)', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'nb-lab-'));
  const served = path.join(tmp, 'served');
  let server: Server;
  let browser: Browser;
  let base = '';
  const token = Math.random().toString(36).slice(2);

  beforeAll(async () => {
    copyNotebooks(ROOT, served);
    const args = (port: number) => [path.join(PAGE, 'serve.py'), `--ServerApp.root_dir=${served}`, `--ServerApp.port=${port}`, '--ServerApp.port_retries=0',
      `--ServerApp.token=${token}`, ...(process.getuid?.() === 0 ? ['--ServerApp.allow_root=True'] : [])];
    server = await startServer('/usr/bin/python3', args, jupyterEnv(ROOT, tmp), `/api/status?token=${token}`);
    base = server.base;
    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({ executablePath: chromiumPath!, args: HEADLESS_ARGS });
  }, 60000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  /** A notebook in the page, every cell rendered and images decoded; `errors` collects page errors and console errors. */
  async function open(name: string, errors: string[], autosave = 0): Promise<Page> {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(`console.error: ${m.text()}`);
    });
    await page.goto(`${base}/nbtest?token=${token}&path=${encodeURIComponent(name)}&autosave=${autosave}`);
    await page.waitForSelector('body[data-nbtest-ready] .jp-Notebook .jp-Cell', { timeout: 60000 });
    await page.waitForFunction(() => [...document.querySelectorAll('.jp-OutputArea-output img')].every((i: any) => i.complete));
    return page;
  }

  test.each(NOTEBOOKS)('%s, opened untrusted, shows every figure and table, and no error', async (name) => {
    const nb = JSON.parse(fs.readFileSync(path.join(ROOT, 'notebooks', name), 'utf8'));
    const saved: SavedOutput[] = nb.cells.flatMap((c: { outputs?: SavedOutput[] }) => c.outputs ?? []);
    const html = (o: SavedOutput) => join(o.data?.['text/html']);
    const pictures = saved.filter((o) => /^<div id="[^"]+" style="[^"]*"><img src="data:image\/png/.test(html(o)) || o.data?.['image/png']);
    const tables = saved.filter((o) => html(o).startsWith('<table'));
    expect(pictures.length).toBeGreaterThanOrEqual(2);
    const errors: string[] = [];
    const page = await open(name, errors);
    try {
      expect(await page.evaluate(() => window.nbtest.panel.model.cells.get(0) !== undefined)).toBe(true);
      const outputs = await shown(page);
      // One rendered output per saved one, none blank, none an error.
      expect(outputs).toHaveLength(saved.length);
      expect(outputs.filter((o) => o.kind === 'empty')).toEqual([]);
      expect(outputs.filter((o) => o.mime === 'application/vnd.jupyter.stderr' || /error/i.test(o.mime ?? ''))).toEqual([]);
      expect(outputs.filter((o) => o.kind === 'img')).toHaveLength(pictures.length);
      const shownTables = outputs.filter((o) => o.kind === 'table');
      expect(shownTables).toHaveLength(tables.length);
      for (const t of shownTables) expect(t.rows).toBeGreaterThan(0);
      // Scripts do not run untrusted: no Plotly, and the page says why the figures are images.
      expect(await page.locator('.js-plotly-plot').count()).toBe(0);
      expect(outputs.some((o) => /Plotly is not running here/.test(o.text))).toBe(true);
      for (const img of await page.locator('.jp-OutputArea-output img').all()) {
        await img.scrollIntoViewIfNeeded();
        expect(inkShare(await img.screenshot())).toBeGreaterThan(0.01);
      }
      expect(errors).toEqual([]);
    } finally {
      await page.close();
    }
  }, 120000);

  test(`${RUN} in the reduced setting, run in JupyterLab with autosave on: live training, interactive Plotly, the explorer, and the committed outputs kept`, async () => {
    const committed = fs.readFileSync(path.join(served, RUN));
    const errors: string[] = [];
    const page = await open(RUN, errors, 2);
    try {
      await page.evaluate(() => window.nbtest.panel.sessionContext.ready);
      // Watch the training cell (the second code cell) while everything runs: its progress line is rewritten in place.
      const trainingCell = page.locator('.jp-CodeCell').nth(1);
      const run = page.evaluate(async () => {
        const { panel, NotebookActions } = window.nbtest;
        return NotebookActions.runAll(panel.content, panel.sessionContext);
      });
      const seen: { outputs: number; first: string }[] = [];
      let finished = false;
      run.then(() => (finished = true), () => (finished = true));
      while (!finished) {
        const areas = trainingCell.locator('.jp-OutputArea-output');
        const n = await areas.count();
        if (n > 0) seen.push({ outputs: n, first: ((await areas.first().textContent()) ?? '').trim() });
        await page.waitForTimeout(300);
      }
      expect(await run).toBe(true);
      await page.waitForFunction(() => /notebook ran in \d+ s/.test(document.querySelector('.jp-Notebook')?.textContent ?? ''), null, { timeout: 60000 });
      const text = (await page.textContent('.jp-Notebook')) ?? '';
      expect(text).toMatch(/setting: REDUCED/);
      expect(text).toMatch(/Plotly \d+\.\d+\.\d+ loaded: the figures below are interactive/);
      expect((await shown(page)).filter((o) => o.mime === 'application/vnd.jupyter.stderr' || /error/i.test(o.mime ?? ''))).toEqual([]);

      // The training cell: one progress line rewritten in place (several texts seen, never more outputs than at the end), one figure.
      const finalCount = await trainingCell.locator('.jp-OutputArea-output').count();
      expect(new Set(seen.map((s) => s.first)).size).toBeGreaterThan(1);
      expect(Math.max(...seen.map((s) => s.outputs))).toBeLessThanOrEqual(finalCount);
      expect(await trainingCell.locator('.js-plotly-plot').count()).toBe(1);

      // Interactive figures replaced their static copies; hovering a point shows its values.
      // (A figure's static copy is the <img> inside its div, vae-…-figN; image grids are PNG outputs and stay.)
      expect(await page.locator('.jp-OutputArea-output [id^="vae-"][id*="-fig"]').count()).toBeGreaterThan(0);
      expect(await page.locator('.jp-OutputArea-output [id^="vae-"][id*="-fig"] img').count()).toBe(0);
      const scatter = page.locator('.js-plotly-plot', { has: page.locator('.scatterlayer .point') }).last();
      await scatter.scrollIntoViewIfNeeded();
      const points = scatter.locator('.scatterlayer .point');
      expect(await points.count()).toBeGreaterThan(1000);
      let hovered = '';
      for (let i = 0; i < 20 && !hovered; i++) {
        await points.nth(i * 97).hover({ force: true });
        hovered = ((await scatter.locator('.hoverlayer').textContent()) ?? '').trim();
      }
      expect(hovered).toMatch(/-?\d+\.\d+/);

      // The explorer: a live page in an iframe whose slider redraws the digit.
      const frameEl = await page.waitForSelector('iframe[title="explorer"]', { timeout: 30000 });
      await expectSliderRedraws((await frameEl.contentFrame())!);

      // Autosave (every 2 s here, 120 s in JupyterLab) wrote the reduced outputs beside the reduced runs; the notebook kept its own.
      const copy = path.join(tmp, 'results', 'notebooks-reduced', RUN);
      for (let i = 0; i < 100 && !fs.existsSync(copy); i++) await page.waitForTimeout(100);
      expect(fs.readFileSync(copy, 'utf8')).toMatch(/setting: REDUCED/);
      await page.evaluate(() => window.nbtest.panel.context.save());
      expect(fs.readFileSync(path.join(served, RUN)).equals(committed)).toBe(true);
      expect(server.log()).toMatch(new RegExp(`${RUN} holds (reduced-setting|no full-setting) outputs: saved to ${copy.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
      expect(errors).toEqual([]);
    } finally {
      await page.close();
    }
  }, 400000);
});
